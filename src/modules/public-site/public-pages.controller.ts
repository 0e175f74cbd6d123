import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/auth/policy.decorator';
import { renderPage } from '../../common/views/render-page';
import { PublicSiteService } from './public-site.service';

@ApiExcludeController()
@Controller()
export class PublicPagesController {
  constructor(private readonly site: PublicSiteService) {}

  /** The home page: its view carries its own locale (the foundation's default language). */
  @Get()
  @Public()
  async home(
    @Res() reply: FastifyReply,
    @Query('lang') lang: unknown,
    @Headers('accept-language') acceptLanguage?: string,
  ) {
    return renderPage(reply, {}, 'pages/public/home', await this.site.home(lang, acceptLanguage));
  }
}
