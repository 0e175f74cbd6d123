import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/auth/policy.decorator';
import { cacheablePage, PAGE_TAG } from '../../common/http/page-cache';
import { AppConfig } from '../../config/app-config';
import { SharingService } from './sharing.service';
import { robotsTxt, sitemapXml } from './sitemap';

/** What search engines read: the sitemap of public pages and robots.txt. */
@ApiExcludeController()
@Controller()
export class SharingController {
  constructor(
    private readonly sharing: SharingService,
    private readonly config: AppConfig,
  ) {}

  @Get('sitemap.xml')
  @Public()
  async sitemap(@Res() reply: FastifyReply) {
    const paths = await this.sharing.publicPaths();
    cacheablePage(reply, [PAGE_TAG.campaigns, PAGE_TAG.funds]);
    return reply
      .type('application/xml; charset=utf-8')
      .send(sitemapXml(this.config.publicUrl, paths));
  }

  @Get('robots.txt')
  @Public()
  robots(@Res() reply: FastifyReply) {
    return reply.type('text/plain; charset=utf-8').send(robotsTxt(this.config.publicUrl));
  }
}
