import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/policy.decorator';
import { pageContext } from '../../common/views/page-context';
import { renderPage } from '../../common/views/render-page';
import { PrivacyPageService } from './privacy-page.service';

@ApiExcludeController()
@Controller()
export class PrivacyPagesController {
  constructor(private readonly privacy: PrivacyPageService) {}

  /** The privacy policy in force, in the reader's language, with the retention periods. */
  @Get('privacy')
  @Public()
  async policy(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const context = pageContext(req, reply);
    return renderPage(
      reply,
      context,
      'pages/public/privacy',
      await this.privacy.page(context.locale),
    );
  }
}
