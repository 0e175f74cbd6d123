import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/policy.decorator';
import { checkQuery } from '../../common/http/forms';
import { uuidPipe } from '../../common/http/validation';
import { translate } from '../../common/i18n/i18n';
import { pageContext } from '../../common/views/page-context';
import { renderPage } from '../../common/views/render-page';
import { FundsService } from '../funds/funds.service';
import { ProjectListQuery } from '../grants/insights/dto/insights.dto';
import { GrantsInsightsService } from '../grants/insights/grants-insights.service';
import { beijingDate } from '../grants/insights/overdue';
import { PROJECT_STATUSES } from '../grants/insights/public-project';
import { localName, pageLink } from './page-links';
import { statusText } from '../../common/i18n/status-words';

const PAGE_SIZE = 20;

/**
 * Public pages of awarded projects (no sign-in, zh-CN/en, phone-first): the list with filters
 * and paging, and a project's page. What they show is decided once, in
 * `grants/insights/public-project.ts`.
 */
@ApiExcludeController()
@Controller('projects')
export class InsightsProjectsController {
  constructor(
    private readonly insights: GrantsInsightsService,
    private readonly funds: FundsService,
  ) {}

  @Get()
  @Public()
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Query() raw: unknown) {
    const ctx = pageContext(req, reply);
    const locale = ctx.locale;
    const f = checkQuery(ProjectListQuery, raw);
    const page = f.page ?? 1;
    const { rows, total, choices } = await this.insights.projects({
      year: f.year,
      subdistrictId: f.subdistrict,
      communityId: f.community,
      fundCode: f.fund,
      status: f.status,
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    });
    const filters = {
      lang: locale,
      fund: f.fund,
      year: f.year,
      subdistrict: f.subdistrict,
      community: f.community,
      status: f.status,
    };
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const fund = f.fund ? await this.funds.findByCode(f.fund) : null;
    return renderPage(reply, ctx, 'pages/public/insights-projects', {
      title: translate(locale, 'grants.insights.public.title'),
      total,
      fund: f.fund ?? null,
      fundName: fund ? localName(locale, fund) : (f.fund ?? null),
      clearFundUrl: pageLink('/projects', { lang: locale }),
      page,
      pages,
      prevUrl: page > 1 ? pageLink('/projects', { ...filters, page: page - 1 }) : null,
      nextUrl: page < pages ? pageLink('/projects', { ...filters, page: page + 1 }) : null,
      years: choices.years.map((y) => ({
        value: String(y),
        label: String(y),
        selected: y === f.year,
      })),
      subdistricts: choices.subdistricts.map((s) => ({
        value: s.id,
        label: localName(locale, s),
        selected: s.id === f.subdistrict,
      })),
      communities: choices.communities.map((c) => ({
        value: c.id,
        label: localName(locale, c),
        selected: c.id === f.community,
      })),
      statuses: PROJECT_STATUSES.map((s) => ({
        value: s,
        label: statusText(locale, 'project', s),
        selected: s === f.status,
      })),
      projects: rows.map((r) => ({
        href: pageLink(`/projects/${r.id}`, { lang: locale }),
        title: r.title,
        year: r.year,
        round: locale === 'en' ? r.roundNameEn : r.roundNameZh,
        community: localName(locale, r.community),
        subdistrict: localName(locale, r.subdistrict),
        fund: localName(locale, r.fund),
        awardedMinor: r.awardedMinor,
        currency: r.currency,
        status: r.status,
        statusText: statusText(locale, 'project', r.status),
      })),
    });
  }

  @Get(':id')
  @Public()
  async show(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', uuidPipe) id: string,
  ) {
    const ctx = pageContext(req, reply);
    const locale = ctx.locale;
    const p = await this.insights.project(id);
    return renderPage(reply, ctx, 'pages/public/insights-project', {
      title: p.title,
      backUrl: pageLink('/projects', { lang: locale }),
      round: `${p.round.year} · ${localName(locale, p.round)}`,
      tier: localName(locale, p.tier),
      community: localName(locale, p.community),
      subdistrict: localName(locale, p.subdistrict),
      fund: {
        name: localName(locale, p.fund),
        code: p.fund.code,
        projectsUrl: pageLink('/projects', { fund: p.fund.code, lang: locale }),
      },
      status: p.status,
      statusText: statusText(locale, 'project', p.status),
      statusSince: beijingDate(p.statusSince),
      currency: p.currency,
      designAwardMinor: p.designAwardMinor,
      constructionMinor: p.constructionMinor,
      awardedMinor: p.awardedMinor,
      paidMinor: p.paidMinor,
      tranches: p.tranchesPaid.map((t) => ({ ...t, paidOn: beijingDate(t.paidAt) })),
      reports: p.reports.map((r) => ({
        kindText: translate(locale, `grants.insights.reportKind.${r.kind}`),
        summary: r.summary,
        acceptedOn: r.acceptedAt ? beijingDate(r.acceptedAt) : '',
      })),
      inspection: p.inspection
        ? {
            body: p.inspection.body,
            passed: p.inspection.result === 'PASSED',
            resultText: translate(
              locale,
              `grants.insights.inspectionResult.${p.inspection.result}`,
            ),
            inspectedOn: p.inspection.inspectedOn,
          }
        : null,
      evaluations: p.evaluations.map((e) => ({
        ...e,
        resultText: translate(
          locale,
          e.passed ? 'grants.insights.public.passed' : 'grants.insights.public.failed',
        ),
        meanText: e.meanScore === null ? '—' : e.meanScore.toFixed(2),
        closedOn: e.closedAt ? beijingDate(e.closedAt) : '',
      })),
    });
  }
}
