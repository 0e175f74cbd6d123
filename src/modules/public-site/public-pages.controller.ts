import { Controller, Get, Headers, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/policy.decorator';
import { cacheablePage, PAGE_TAG } from '../../common/http/page-cache';
import { rememberedLocale } from '../../common/views/page-context';
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
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('lang') lang: unknown,
    @Headers('accept-language') acceptLanguage?: string,
  ) {
    const view = await this.site.home(lang, acceptLanguage, rememberedLocale(req));
    cacheablePage(reply, [PAGE_TAG.campaigns, PAGE_TAG.funds]);
    return renderPage(reply, {}, 'pages/public/home', view);
  }
}
