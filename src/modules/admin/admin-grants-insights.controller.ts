import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { Allow } from '../../common/auth/policy.decorator';
import { checkQuery } from '../../common/http/forms';
import { renderPage } from '../../common/views/render-page';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { DashboardQuery } from '../grants/insights/dto/insights.dto';
import { beijingDate } from '../grants/insights/overdue';
import { currentYear, GrantsInsightsService } from '../grants/insights/grants-insights.service';
import { adminContext } from './admin-page';
import { AdminGrantsInsightsViews } from './admin-grants-insights.views';

/** Reads ?year=&roundId= for the dashboard and its exports; a bad value is a 400 in words. */
function filterOf(raw: unknown): { year?: number; roundId?: string } {
  const form = checkQuery(DashboardQuery, raw);
  return { year: form.year, roundId: form.roundId };
}

/**
 * The grants dashboard in the back office (ADMIN, FINANCE, GRANTS_OFFICER): figures per round,
 * speed of approval, fund use, overdue work flagged, and the CSV exports.
 */
@ApiExcludeController()
@Controller('admin/grants')
export class AdminGrantsInsightsController {
  constructor(
    private readonly views: AdminGrantsInsightsViews,
    private readonly insights: GrantsInsightsService,
  ) {}

  @Get()
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER')
  async page(@Req() req: AuthenticatedRequest, @Res() reply: FastifyReply, @Query() raw: unknown) {
    const ctx = adminContext(req, reply);
    const filter = filterOf(raw);
    return renderPage(
      reply,
      ctx,
      'pages/admin/grants/insights-dashboard',
      await this.views.page(ctx.locale, filter),
    );
  }

  @Get('export/awards.csv')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER')
  awardsCsv(@Res() reply: FastifyReply, @Query() raw: unknown) {
    const filter = filterOf(raw);
    const scope = filter.roundId
      ? `round-${filter.roundId.slice(0, 8)}`
      : String(filter.year ?? currentYear());
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header(
        'content-disposition',
        `attachment; filename="grant-awards-${scope}-${beijingDate(new Date())}.csv"`,
      )
      .header('cache-control', 'no-store')
      .send(
        Readable.from(
          this.insights.awardsCsv(
            filter.roundId ? { roundId: filter.roundId } : { year: filter.year ?? currentYear() },
          ),
        ),
      );
  }

  @Get('export/fund-use.csv')
  @Allow('ADMIN', 'FINANCE', 'GRANTS_OFFICER')
  fundUseCsv(@Res() reply: FastifyReply, @Query() raw: unknown) {
    const year = filterOf(raw).year ?? currentYear();
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="fund-use-${year}.csv"`)
      .header('cache-control', 'no-store')
      .send(Readable.from(this.insights.fundUseCsv(year)));
  }
}
