import { Injectable } from '@nestjs/common';
import { NotFoundError, ValidationFailedError } from '../../common/errors/common.errors';
import { type SupportedLocale, translate, words } from '../../common/i18n/i18n';
import { CampaignsService } from '../campaigns/campaigns.service';
import { FUND_KINDS, type FundKind } from '../funds/fund-status';
import { PUBLIC_LEDGER_PAGE_SIZE, type PublicLedgerRow } from '../reporting/public-ledger';
import { ReportingService, type PublicFund } from '../reporting/reporting.service';
import { localName, pageLink } from './page-links';
import { statusText } from '../../common/i18n/status-words';

/** What /funds takes: `q` (a community or fund name), `kind` (a fund kind). */
export interface DirectoryQuery {
  q?: unknown;
  kind?: unknown;
}

const MAX_QUERY = 100;
const STATUS_ORDER: Record<string, number> = { ACTIVE: 0, PREPARING: 1, CLOSED: 2 };

/** One query value as text, or a 400 in the reader's language ("q=a&q=b" is not a name). */
function single(value: unknown, locale: SupportedLocale, name: string): string {
  if (value === undefined) return '';
  if (typeof value !== 'string')
    throw new ValidationFailedError(words('publicFunds.errors.single', { name }));
  return value.trim();
}

/** `?page=`: a positive whole number, 1 when absent. */
function parsePage(raw: unknown): number {
  if (raw === undefined || raw === '') return 1;
  if (typeof raw !== 'string' || !/^[1-9]\d{0,5}$/.test(raw))
    throw new ValidationFailedError(words('publicFunds.errors.page'));
  return Number(raw);
}

/**
 * View models of the public fund directory and fund pages (no sign-in, zh-CN/en): plain data in
 * the reader's language. The money comes from ReportingService (one statement per figure set, no
 * transactions); what a ledger row may say is decided in reporting/public-ledger.ts, and which
 * donors may be named in donations/public-donor.ts.
 */
@Injectable()
export class FundPagesService {
  constructor(
    private readonly reporting: ReportingService,
    private readonly campaigns: CampaignsService,
  ) {}

  async directory(query: DirectoryQuery, locale: SupportedLocale, now = new Date()) {
    const q = single(query.q, locale, 'q');
    const kindText = single(query.kind, locale, 'kind');
    if (q.length > MAX_QUERY)
      throw new ValidationFailedError(words('publicFunds.errors.q', { max: MAX_QUERY }));
    if (kindText && !(FUND_KINDS as readonly string[]).includes(kindText)) {
      throw new ValidationFailedError(
        words('publicFunds.errors.kind', {
          kinds: FUND_KINDS.map((k) => translate(locale, `fund.kind.${k}`)).join(
            locale === 'en' ? ', ' : '、',
          ),
        }),
      );
    }
    const kind = (kindText || undefined) as FundKind | undefined;
    const { funds, subdistricts } = await this.reporting.publicDirectory(now);
    // FundsService.coverage's definition (communities with an ACTIVE community fund), summed from
    // the same statement as the roll-ups, so the sentence and the groups always agree.
    const coverage = {
      covered: subdistricts.reduce((n, s) => n + s.communitiesCovered, 0),
      total: subdistricts.reduce((n, s) => n + s.communitiesTotal, 0),
    };
    const currency = funds[0]?.currency ?? 'CNY';
    const needle = q.toLowerCase();
    const matches = (f: PublicFund) =>
      (!kind || f.kind === kind) &&
      (!needle ||
        [f.nameZh, f.nameEn, f.code, f.community?.nameZh ?? '', f.community?.nameEn ?? ''].some(
          (text) => text.toLowerCase().includes(needle),
        ));
    const card = (f: PublicFund) => ({
      href: pageLink(`/funds/${encodeURIComponent(f.code)}`, { lang: locale }),
      code: f.code,
      name: localName(locale, f),
      kindText: translate(locale, `fund.kind.${f.kind}`),
      status: f.status,
      statusText: statusText(locale, 'fund', f.status),
      community: f.community ? localName(locale, f.community) : null,
      balanceMinor: f.balanceMinor,
      raisedYearMinor: f.raisedYearMinor,
      paidOutYearMinor: f.paidOutYearMinor,
      currency: f.currency,
    });
    const order = (a: PublicFund, b: PublicFund) =>
      (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9) ||
      localName(locale, a).localeCompare(localName(locale, b), locale);
    const sum = (
      list: PublicFund[],
      field: 'balanceMinor' | 'raisedYearMinor' | 'paidOutYearMinor',
    ) => list.reduce((total, f) => total + f[field], 0);

    const groups = subdistricts.map((s) => {
      const all = funds.filter((f) => f.subdistrict?.id === s.id);
      return {
        id: `sd-${s.code}`,
        name: localName(locale, s),
        rollup: {
          funds: all.length,
          covered: s.communitiesCovered,
          communities: s.communitiesTotal,
          heldMinor: sum(all, 'balanceMinor'),
          raisedYearMinor: sum(all, 'raisedYearMinor'),
          paidOutYearMinor: sum(all, 'paidOutYearMinor'),
          currency,
        },
        funds: all.filter(matches).sort(order).map(card),
      };
    });
    const foundationWide = funds.filter((f) => !f.subdistrict);
    const filtering = Boolean(q || kind);
    const shown = [
      {
        id: 'foundation-wide',
        name: translate(locale, 'publicFunds.foundationWide'),
        rollup: null,
        funds: foundationWide.filter(matches).sort(order).map(card),
      },
      ...groups,
    ].filter((g) => g.funds.length > 0 || (!filtering && g.rollup));
    return {
      title: translate(locale, 'publicFunds.title'),
      coverageText: translate(locale, 'publicFunds.coverage', coverage),
      year: yearIn(now),
      q,
      kind: kind ?? '',
      filtering,
      clearUrl: pageLink('/funds', { lang: locale }),
      kinds: FUND_KINDS.map((k) => ({
        value: k,
        label: translate(locale, `fund.kind.${k}`),
        selected: k === kind,
      })),
      groups: shown,
      matchCount: shown.reduce((n, g) => n + g.funds.length, 0),
    };
  }

  async fund(code: string, query: { page?: unknown }, locale: SupportedLocale, now = new Date()) {
    const fund = await this.find(code);
    const page = parsePage(query.page);
    const ledger = await this.reporting.publicLedgerPage(fund, page);
    const pages = Math.max(1, Math.ceil(ledger.total / PUBLIC_LEDGER_PAGE_SIZE));
    if (page > pages)
      throw new ValidationFailedError(words('publicFunds.errors.pastEnd', { page, pages }));
    const [series, campaigns] = await Promise.all([
      this.reporting.fundSeries(fund.id, now),
      this.campaigns.list(undefined, { fundId: fund.id, limit: 100 }),
    ]);
    const name = localName(locale, fund);
    const base = `/funds/${encodeURIComponent(fund.code)}`;
    return {
      fundId: fund.id,
      title: name,
      directoryUrl: pageLink('/funds', { lang: locale }),
      fund: {
        code: fund.code,
        name,
        kindText: translate(locale, `fund.kind.${fund.kind}`),
        status: fund.status,
        statusText: statusText(locale, 'fund', fund.status),
        community: fund.community ? localName(locale, fund.community) : null,
        subdistrict: fund.subdistrict ? localName(locale, fund.subdistrict) : null,
        currency: fund.currency,
        balanceMinor: fund.balanceMinor,
        raisedMinor: fund.raisedMinor,
        raisedYearMinor: fund.raisedYearMinor,
        paidOutMinor: fund.paidOutMinor,
        paidOutYearMinor: fund.paidOutYearMinor,
        // What makes the figures add up: balance = raised − paid out + this (allocations and
        // matching between funds, releases, fees, opening balances, dispute holds).
        otherNetMinor: fund.balanceMinor - fund.raisedMinor + fund.paidOutMinor,
      },
      year: yearIn(now),
      // Built by renderMonthlyChart from numbers and translated labels, every text escaped there.
      chartSvg: this.reporting.chart(series, locale, name),
      chartRows: series.points.map((p) => ({ ...p, currency: fund.currency })),
      campaigns: campaigns.items
        .map((c) => ({
          href: pageLink(`/campaigns/${encodeURIComponent(c.slug)}`, { lang: locale }),
          title: locale === 'en' ? c.titleEn : c.titleZh,
          live: c.acceptingGifts,
          statusText: translate(
            locale,
            c.acceptingGifts ? 'publicFunds.campaignLive' : 'publicFunds.campaignClosed',
          ),
          raisedMinor: c.totals.raisedMinor,
          donors: c.totals.donors,
          currency: c.currency,
        }))
        .sort((a, b) => Number(b.live) - Number(a.live)),
      ledger: {
        rows: ledger.rows.map((row) => this.ledgerRow(row, locale, fund.currency)),
        total: ledger.total,
        page,
        pages,
        prevUrl: page > 1 ? pageLink(base, { page: page - 1, lang: locale }) : null,
        nextUrl: page < pages ? pageLink(base, { page: page + 1, lang: locale }) : null,
        csvUrl: pageLink(`${base}/ledger.csv`, { lang: locale }),
      },
    };
  }

  /** The fund for its public CSV, and the file's name. */
  async csv(code: string, locale: SupportedLocale) {
    const fund = await this.find(code);
    return {
      fundId: fund.id,
      filename: `ledger-${fund.code}.csv`,
      rows: this.reporting.publicLedgerCsv(fund, locale),
    };
  }

  private async find(code: string): Promise<PublicFund> {
    const fund = /^[A-Za-z0-9_-]{1,40}$/.test(code) ? await this.reporting.publicFund(code) : null;
    if (!fund) throw new NotFoundError(words('publicFunds.errors.notFound', { code }));
    return fund;
  }

  private ledgerRow(row: PublicLedgerRow, locale: SupportedLocale, currency: string) {
    const project = row.type === 'item' ? row.project : null;
    return {
      day: row.day,
      text: this.reporting.publicRowText(row, locale),
      donors: this.reporting.publicDonorsText(row, locale),
      href: project?.isPublic ? pageLink(`/projects/${project.awardId}`, { lang: locale }) : null,
      inMinor: row.inMinor,
      outMinor: row.outMinor,
      currency,
    };
  }
}

/** The calendar year in Beijing time. */
function yearIn(now: Date): string {
  return new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(now);
}
