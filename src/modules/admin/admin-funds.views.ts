import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { type Actor, hasRole } from '../../common/context/request-context';
import { beijingDate } from '../../common/dates/beijing-time';
import { CAMPAIGN_STAFF_ROLES } from '../campaigns/campaigns.service';
import type { FieldErrors } from '../../common/http/forms';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { FoundationService } from '../foundation/foundation.service';
import { FUND_KINDS, FUND_STATUSES, type FundKind, type FundStatus } from '../funds/fund-status';
import { CampaignsService } from '../campaigns/campaigns.service';
import { SponsorReportService } from '../matching/sponsor-report.service';
import { FundOutflowService } from '../funds/fund-outflow.service';
import { FundsService, type FundView } from '../funds/funds.service';
import type { StatementLine } from '../ledger/ledger.types';
import { dateInputValue, localDate, monthLabel } from '../reporting/periods';
import { ReportingService } from '../reporting/reporting.service';
import { statementLineParts, type StatementViewer } from '../reporting/statement-words';
import { fieldText, type FormState, localName, type Option, query } from './admin-view-helpers';

/*
 * View models of the funds pages, the dashboard and the allocation forms: plain data built from
 * the services, never entities. Templates only print these (money through {{money}}).
 */

export interface FundRow {
  id: string;
  code: string;
  name: string;
  kind: FundKind;
  status: FundStatus;
  community: string | null;
  balanceMinor: number;
  /** Held while card disputes on its gifts are open (not in balanceMinor). */
  disputeHeldMinor: number;
  currency: string;
  href: string;
  canActivate: boolean;
  canClose: boolean;
}

const STATEMENT_PAGE_SIZE = 50;
const LIST_ALL = 500;

export function fundRow(f: FundView, locale: SupportedLocale): FundRow {
  return {
    id: f.id,
    code: f.code,
    name: localName(locale, f.nameZh, f.nameEn),
    kind: f.kind,
    status: f.status,
    community: f.community ? localName(locale, f.community.nameZh, f.community.nameEn) : null,
    balanceMinor: f.balanceMinor,
    disputeHeldMinor: f.disputeHeldMinor,
    currency: f.currency,
    href: `/admin/funds/${f.id}`,
    canActivate: f.status === 'PREPARING',
    canClose: f.status !== 'CLOSED' && f.kind !== 'GENERAL',
  };
}

@Injectable()
export class AdminFundsViews {
  constructor(
    private readonly foundation: FoundationService,
    private readonly funds: FundsService,
    private readonly reporting: ReportingService,
    private readonly sponsorReports: SponsorReportService,
    private readonly campaigns: CampaignsService,
    private readonly outflow: FundOutflowService,
  ) {}

  /** The foundation's currency (every fund holds it), for parsing typed amounts. */
  async currency(): Promise<string> {
    return this.foundation.currency();
  }

  /** What a matching pool matched, per campaign (totals only: no donor data). */
  private async sponsorReport(poolFundId: string, locale: SupportedLocale) {
    const report = await this.sponsorReports.report(poolFundId);
    const byId = await this.campaigns.getManyById(report.campaigns.map((r) => r.campaignId));
    return {
      currency: report.currency,
      matchedMinor: report.matchedMinor,
      balanceMinor: report.balanceMinor,
      campaigns: report.campaigns.map((row) => {
        const c = byId.get(row.campaignId)!;
        return {
          title: localName(locale, c.titleZh, c.titleEn),
          slug: c.slug,
          gifts: row.gifts,
          matchedMinor: row.matchedMinor,
        };
      }),
    };
  }

  async dashboard(locale: SupportedLocale) {
    const figures = await this.reporting.dashboard();
    const page = await this.funds.list({ limit: LIST_ALL });
    const { coverage } = figures;
    return {
      title: translate(locale, 'admin.dashboard.title'),
      figures: {
        currency: figures.currency,
        heldMinor: figures.heldMinor,
        raisedMonthMinor: figures.raisedMonthMinor,
        raisedYearMinor: figures.raisedYearMinor,
      },
      coverage: {
        active: coverage.communitiesWithActiveFund,
        preparing: coverage.communitiesWithPreparingFund,
        total: coverage.communitiesTotal,
        ratio: coverage.coverage,
      },
      funds: page.items.map((f) => fundRow(f, locale)),
      moreFunds: page.nextCursor !== null,
    };
  }

  /**
   * Draft campaigns waiting for review (publishing), oldest first, for staff who may see drafts
   * (ADMIN, FINANCE, GRANTS_OFFICER); null for anyone else.
   */
  async waitingForReview(actor: Actor | undefined, locale: SupportedLocale) {
    if (!hasRole(actor, ...CAMPAIGN_STAFF_ROLES)) return null;
    const drafts = (await this.campaigns.list(actor, { status: 'DRAFT', limit: 50 })).items;
    const funds = new Map<string, string>();
    for (const id of new Set(drafts.map((c) => c.fundId))) {
      const fund = await this.funds.get(id);
      funds.set(id, localName(locale, fund.nameZh, fund.nameEn));
    }
    return [...drafts]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((c) => ({
        id: c.id,
        title: localName(locale, c.titleZh, c.titleEn),
        fund: funds.get(c.fundId) ?? '',
        goalMinor: c.goalMinor,
        currency: c.currency,
        createdOn: beijingDate(c.createdAt, locale),
        href: `/admin/campaigns/${c.id}`,
      }));
  }

  /** A community leader's funds: those in their scope, by code. */
  async myFunds(fundIds: readonly string[], locale: SupportedLocale) {
    const rows: FundRow[] = [];
    for (const id of fundIds) rows.push(fundRow(await this.funds.get(id), locale));
    rows.sort((a, b) => a.code.localeCompare(b.code));
    return { title: translate(locale, 'admin.myFunds.title'), funds: rows };
  }

  async fundsList(
    filter: { kind?: FundKind; status?: FundStatus; cursor?: string },
    locale: SupportedLocale,
    canManage: boolean,
    form?: FormState,
  ) {
    const page = await this.funds.list({ ...filter, limit: 100 });
    const values = form?.values ?? { kind: 'COMMUNITY' };
    return {
      title: translate(locale, 'admin.funds.title'),
      funds: page.items.map((f) => fundRow(f, locale)),
      nextUrl: page.nextCursor
        ? query('/admin/funds', {
            kind: filter.kind,
            status: filter.status,
            cursor: page.nextCursor,
          })
        : null,
      firstUrl: filter.cursor
        ? query('/admin/funds', { kind: filter.kind, status: filter.status })
        : null,
      filter: {
        kinds: FUND_KINDS.map((k) => ({
          value: k,
          label: `fund.kind.${k}`,
          selected: filter.kind === k,
        })),
        statuses: FUND_STATUSES.map((s) => ({
          value: s,
          label: `status.fund.${s}`,
          selected: filter.status === s,
        })),
      },
      canManage,
      create: canManage
        ? {
            values,
            errors: form?.errors ?? {},
            kinds: FUND_KINDS.map((k) => ({
              value: k,
              label: `fund.kind.${k}`,
              selected: values.kind === k,
            })),
            communities: await this.communityOptions(locale, [fieldText(values.communityId)]),
          }
        : null,
    };
  }

  async fundPage(
    fundId: string,
    filter: { from?: string; to?: string; range: { from?: Date; to?: Date }; cursor?: string },
    locale: SupportedLocale,
    opts: { errors?: FieldErrors; backToMyFunds: boolean; viewer: StatementViewer },
  ) {
    const series = await this.reporting.fundSeries(fundId);
    const row = fundRow(series.fund, locale);
    const statement = await this.funds.statement(fundId, {
      ...filter.range,
      limit: STATEMENT_PAGE_SIZE,
      cursor: filter.cursor,
    });
    const refs = await this.reporting.statementRefs(statement.lines);
    const base = `/admin/funds/${fundId}`;
    const money = await this.outflow.available(fundId);
    return {
      // Balance less what open reservations (grant rounds) hold back: what an expense may take.
      available: {
        availableMinor: money.availableMinor,
        reservedMinor: money.reservedMinor,
        currency: money.fund.currency.trim(),
      },
      sponsor: series.fund.kind === 'MATCHING' ? await this.sponsorReport(fundId, locale) : null,
      title: row.name,
      fund: { ...row, description: series.fund.description },
      back: opts.backToMyFunds
        ? { href: '/admin/my-funds', label: 'admin.nav.myFunds' }
        : { href: '/admin/funds', label: 'admin.nav.funds' },
      chart: {
        svg: this.reporting.chart(series, locale, row.name),
        rows: series.points.map((p) => ({
          label: monthLabel(p.month, locale),
          inflowMinor: p.inflowMinor,
          outflowMinor: p.outflowMinor,
          balanceMinor: p.balanceMinor,
        })),
        currency: series.fund.currency,
      },
      statement: {
        lines: statement.lines.map((l) => ({
          ...statementLine(l, statement.currency),
          what: statementLineParts(l, refs, locale, opts.viewer),
        })),
        filter: { from: filter.from ?? '', to: filter.to ?? '' },
        errors: opts.errors ?? {},
        nextUrl: statement.nextCursor
          ? query(base, { from: filter.from, to: filter.to, cursor: statement.nextCursor })
          : null,
        firstUrl: filter.cursor ? query(base, { from: filter.from, to: filter.to }) : null,
        csvUrl: query(`${base}/statement.csv`, { from: filter.from, to: filter.to }),
      },
    };
  }

  async allocationsPage(
    locale: SupportedLocale,
    forms: { transfer?: FormState; yearly?: FormState } = {},
  ) {
    const funds = (await this.allFunds()).filter((f) => f.status !== 'CLOSED');
    const transfer = forms.transfer?.values ?? {};
    const yearly = forms.yearly?.values ?? { year: String(localDate(new Date()).year) };
    const options = (selected: unknown) =>
      funds.map((f) => ({
        value: f.id,
        label: `${localName(locale, f.nameZh, f.nameEn)} · ${f.code}`,
        balanceMinor: f.balanceMinor,
        currency: f.currency,
        selected: f.id === selected,
      }));
    return {
      title: translate(locale, 'admin.allocations.title'),
      currency: await this.currency(),
      transfer: {
        values: { ...transfer, requestKey: fieldText(transfer.requestKey) || randomUUID() },
        errors: forms.transfer?.errors ?? {},
        from: options(transfer.fromFundId),
        to: options(transfer.toFundId),
      },
      yearly: {
        values: yearly,
        errors: forms.yearly?.errors ?? {},
        sources: options(yearly.sourceFundId),
        activeCommunityFunds: funds.filter((f) => f.kind === 'COMMUNITY' && f.status === 'ACTIVE')
          .length,
      },
    };
  }

  /** Every fund, in code order (a foundation has a few hundred at most). */
  async allFunds(): Promise<FundView[]> {
    const all: FundView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.funds.list({ limit: LIST_ALL, cursor });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }

  /** Every community as a select option, "code · name", in code order. */
  async communityOptions(locale: SupportedLocale, selected: readonly string[]): Promise<Option[]> {
    const options: Option[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.foundation.listCommunities({ limit: LIST_ALL, cursor });
      for (const c of page.items) {
        options.push({
          value: c.id,
          label: `${c.code} · ${localName(locale, c.nameZh, c.nameEn)}`,
          selected: selected.includes(c.id),
        });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return options;
  }

  /** Every fund as a select option. */
  async fundOptions(locale: SupportedLocale, selected: readonly string[]): Promise<Option[]> {
    return (await this.allFunds()).map((f) => ({
      value: f.id,
      label: `${f.code} · ${localName(locale, f.nameZh, f.nameEn)}`,
      selected: selected.includes(f.id),
    }));
  }
}

function statementLine(line: StatementLine, currency: string) {
  return {
    postedAt: line.postedAt,
    date: dateInputValue(new Date(line.postedAt)),
    kind: line.kind,
    amountMinor: line.amountMinor,
    balanceAfterMinor: line.balanceAfterMinor,
    currency,
    inflow: line.amountMinor > 0,
    reversal: line.reversesEntryId !== null,
    entryId: line.entryId,
  };
}
