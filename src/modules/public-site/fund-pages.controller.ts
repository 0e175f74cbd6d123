import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { Public } from '../../common/auth/policy.decorator';
import { cacheablePage, PAGE_TAG } from '../../common/http/page-cache';
import { pageContext, pageLocale } from '../../common/views/page-context';
import { renderPage } from '../../common/views/render-page';
import { FundPagesService } from './fund-pages.service';

/** The public fund directory, a fund's page with its public ledger, and that ledger as CSV. */
@ApiExcludeController()
@Controller('funds')
export class FundPagesController {
  constructor(private readonly pages: FundPagesService) {}

  @Get()
  @Public()
  async directory(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Query('q') q: unknown,
    @Query('kind') kind: unknown,
  ) {
    const ctx = pageContext(req, reply);
    const view = await this.pages.directory({ q, kind }, ctx.locale);
    cacheablePage(reply, [PAGE_TAG.funds, PAGE_TAG.campaigns]);
    return renderPage(reply, ctx, 'pages/public/funds', view);
  }

  @Get(':code')
  @Public()
  async show(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('code') code: string,
    @Query('page') page: unknown,
  ) {
    const ctx = pageContext(req, reply);
    const view = await this.pages.fund(code, { page }, ctx.locale);
    cacheablePage(reply, [PAGE_TAG.fund(view.fundId), PAGE_TAG.campaigns]);
    return renderPage(reply, ctx, 'pages/public/fund', view);
  }

  @Get(':code/ledger.csv')
  @Public()
  async ledgerCsv(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('code') code: string,
  ) {
    // Streamed page by page, so never kept by the page cache (it keeps whole answers only).
    const csv = await this.pages.csv(code, pageLocale(req));
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${csv.filename}"`)
      .send(Readable.from(csv.rows));
  }
}
