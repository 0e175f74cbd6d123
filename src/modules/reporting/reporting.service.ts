import { Injectable } from '@nestjs/common';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { currencyExponent, formatMoney, toDecimalString } from '../../common/money';
import { CampaignsService } from '../campaigns/campaigns.service';
import { DonationsService } from '../donations/donations.service';
import { FoundationService } from '../foundation/foundation.service';
import { FundsService, type FundCoverage, type FundView } from '../funds/funds.service';
import { LedgerService } from '../ledger/ledger.service';
import type { StatementLine } from '../ledger/ledger.types';
import { csvLine } from '../../common/csv';
import { renderMonthlyChart } from './monthly-chart';
import {
  PUBLIC_LEDGER_PAGE_SIZE,
  rowWords,
  type PublicLedgerPage,
  type PublicLedgerRow,
} from './public-ledger';
import {
  PublicLedgerRepository,
  type FundMoneyFigures,
  type PublicFundRecord,
  type SubdistrictCoverage,
} from './public-ledger.repository';
import { buildMonthlySeries, type MonthlyPoint } from './monthly-series';
import { lastMonths, monthAndYearToDate, monthAxisLabels, REPORTING_TIME_ZONE } from './periods';
import { statementCsvHeader, statementCsvRow, UTF8_BOM } from './statement-csv';
import {
  accountCodesOf,
  giftIdsOf,
  statementLineParts,
  statementLineText,
  type StatementGift,
  type StatementRefs,
  type StatementViewer,
} from './statement-words';

export interface DashboardFigures {
  currency: string;
  /** Everything the funds hold now. */
  heldMinor: number;
  /** Money from outside into funds since the month began (see LedgerService.fundTotals). */
  raisedMonthMinor: number;
  /** … and since the year began. */
  raisedYearMinor: number;
  coverage: FundCoverage;
}

export interface FundSeries {
  fund: FundView;
  points: MonthlyPoint[];
}

export type PublicFund = PublicFundRecord & FundMoneyFigures;

export interface PublicDirectory {
  funds: PublicFund[];
  subdistricts: SubdistrictCoverage[];
}

const STATEMENT_PAGE = 500;
const compactFormatters = new Map<string, Intl.NumberFormat>();

/** Dashboards, series, charts and exports: read-only views over funds and the ledger. */
@Injectable()
export class ReportingService {
  constructor(
    private readonly foundation: FoundationService,
    private readonly funds: FundsService,
    private readonly ledger: LedgerService,
    private readonly publicLedger: PublicLedgerRepository,
    private readonly donations: DonationsService,
    private readonly campaigns: CampaignsService,
  ) {}

  /**
   * Every fund with its money (held; raised and paid out, all time and this year in
   * REPORTING_TIME_ZONE) and every subdistrict's community coverage: the public directory's data.
   */
  async publicDirectory(now = new Date()): Promise<PublicDirectory> {
    const [funds, subdistricts] = await Promise.all([
      this.publicLedger.funds(),
      this.publicLedger.subdistrictCoverage(),
    ]);
    return { funds: await this.withFigures(funds, now), subdistricts };
  }

  /** One fund as the public sees it, or null when no fund has this code. */
  async publicFund(code: string, now = new Date()): Promise<PublicFund | null> {
    const fund = await this.publicLedger.fundByCode(code);
    return fund ? ((await this.withFigures([fund], now))[0] ?? null) : null;
  }

  /** A page (1-based) of the fund's public ledger; see public-ledger.ts for what it shows. */
  publicLedgerPage(fund: { accountId: string }, page: number): Promise<PublicLedgerPage> {
    return this.publicLedger.ledgerPage(fund.accountId, {
      limit: PUBLIC_LEDGER_PAGE_SIZE,
      offset: (page - 1) * PUBLIC_LEDGER_PAGE_SIZE,
    });
  }

  /** What a public ledger row says, in the reader's language. */
  publicRowText(row: PublicLedgerRow, locale: SupportedLocale): string {
    const words = rowWords(row, locale);
    const vars = words.nestedKey
      ? { ...words.vars, [words.nestedKey.name]: translate(locale, words.nestedKey.key) }
      : words.vars;
    return translate(locale, words.key, vars);
  }

  /** The donors a gifts row names, with "and N more" for the rest, in the reader's language. */
  publicDonorsText(row: PublicLedgerRow, locale: SupportedLocale): string {
    if (row.type !== 'daily' || row.namedCount === 0) return '';
    const names = row.names.join(locale === 'en' ? ', ' : '、');
    const more = row.namedCount - row.names.length;
    return more > 0
      ? translate(locale, 'publicFunds.ledger.andMore', { names, count: more })
      : names;
  }

  /**
   * The fund's public ledger as CSV in the reader's language: the page's rows, all of them, newest
   * first, with Beijing dates and decimal amounts; fetched page by page as it streams.
   */
  async *publicLedgerCsv(
    fund: { accountId: string; currency: string },
    locale: SupportedLocale,
  ): AsyncGenerator<string> {
    const header = ['date', 'description', 'donors', 'in', 'out', 'currency'].map((c) =>
      translate(locale, `publicFunds.csv.${c}`),
    );
    yield UTF8_BOM + csvLine(header);
    for (let offset = 0; ; offset += STATEMENT_PAGE) {
      const page = await this.publicLedger.ledgerPage(fund.accountId, {
        limit: STATEMENT_PAGE,
        offset,
      });
      for (const row of page.rows) {
        yield csvLine([
          row.day,
          this.publicRowText(row, locale),
          this.publicDonorsText(row, locale),
          row.inMinor ? toDecimalString(row.inMinor, fund.currency) : '',
          row.outMinor ? toDecimalString(row.outMinor, fund.currency) : '',
          fund.currency,
        ]);
      }
      if (offset + STATEMENT_PAGE >= page.total) return;
    }
  }

  private async withFigures(funds: PublicFundRecord[], now: Date): Promise<PublicFund[]> {
    const { yearStart } = monthAndYearToDate(now);
    const figures = await this.publicLedger.moneyFigures(
      funds.map((f) => f.accountId),
      yearStart,
    );
    return funds.map((f) => ({
      ...f,
      ...(figures.get(f.accountId) ?? {
        raisedMinor: 0,
        raisedYearMinor: 0,
        paidOutMinor: 0,
        paidOutYearMinor: 0,
      }),
    }));
  }

  /** The staff dashboard's figures; months and years are counted in REPORTING_TIME_ZONE. */
  async dashboard(now = new Date()): Promise<DashboardFigures> {
    const currency = await this.foundation.currency();
    const { monthStart, yearStart, end } = monthAndYearToDate(now);
    const totals = await this.ledger.fundTotals({
      currency,
      periods: [
        { from: monthStart, to: end },
        { from: yearStart, to: end },
      ],
    });
    const coverage = await this.funds.coverage();
    return {
      currency,
      heldMinor: totals.heldMinor,
      raisedMonthMinor: totals.raisedMinor[0] ?? 0,
      raisedYearMinor: totals.raisedMinor[1] ?? 0,
      coverage,
    };
  }

  /** The fund's last `months` calendar months: inflow, outflow and month-end balance. */
  async fundSeries(fundId: string, now = new Date(), months = 12): Promise<FundSeries> {
    const fund = await this.funds.get(fundId);
    const window = lastMonths(now, months);
    const flows = await this.ledger.monthlyFlows(fund.accountId, {
      from: window.from,
      to: window.to,
      timeZone: REPORTING_TIME_ZONE,
    });
    return {
      fund,
      points: buildMonthlySeries(window.months, flows.months, flows.balanceAtEndMinor),
    };
  }

  /** The series as an SVG chart with localized labels (see renderMonthlyChart). */
  chart(series: FundSeries, locale: SupportedLocale, fundName: string): string {
    const { currency } = series.fund;
    const axis = monthAxisLabels(
      series.points.map((p) => p.month),
      locale,
    );
    return renderMonthlyChart(series.points, {
      title: translate(locale, 'report.chart.title', { fund: fundName }),
      description: translate(locale, 'report.chart.desc', { months: series.points.length }),
      months: axis.months,
      years: axis.years,
      inflow: translate(locale, 'report.inflow'),
      outflow: translate(locale, 'report.outflow'),
      balance: translate(locale, 'report.balance'),
      formatAmount: (minor) => compactMoney(minor, currency, locale),
      idPrefix: 'fund-chart',
    });
  }

  /**
   * The fund's statement as CSV, newest first, fetched page by page (each page in its own
   * snapshot; later postings only ever appear above the rows already written, so the running
   * balances stay consistent).
   */
  /**
   * The gifts, campaigns and funds a page of statement lines names, looked up in three queries,
   * so each line can say what happened (statement-words.ts).
   */
  async statementRefs(lines: readonly StatementLine[]): Promise<StatementRefs> {
    const [donations, funds] = await Promise.all([
      this.donations.getMany(giftIdsOf(lines)),
      this.funds.byAccountCode(accountCodesOf(lines)),
    ]);
    const campaigns = await this.campaigns.getManyById(
      [...donations.values()].map((d) => d.campaignId).filter((id): id is string => id !== null),
    );
    const gifts = new Map<string, StatementGift>();
    for (const d of donations.values()) {
      const c = d.campaignId ? campaigns.get(d.campaignId) : undefined;
      gifts.set(d.id, {
        id: d.id,
        campaign: c ? { id: c.id, titleZh: c.titleZh, titleEn: c.titleEn } : null,
        donorName: d.donorName,
        provider: d.provider,
        anonymous: d.anonymous,
      });
    }
    return { gifts, funds };
  }

  /** The statement as CSV for people: in the reader's language and Beijing time, yuan only. */
  async *statementCsv(
    fundId: string,
    range: { from?: Date; to?: Date },
    locale: SupportedLocale,
    viewer: StatementViewer,
  ): AsyncGenerator<string> {
    yield statementCsvHeader(locale);
    let cursor: string | undefined;
    do {
      const page = await this.funds.statement(fundId, { ...range, limit: STATEMENT_PAGE, cursor });
      const refs = await this.statementRefs(page.lines);
      for (const line of page.lines) {
        const what = statementLineText(statementLineParts(line, refs, locale, viewer));
        yield statementCsvRow(line, page.currency, what);
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
}

/** "¥20万" / "¥200K" for axis ticks; tooltips and tables use full amounts. */
export function compactMoney(amountMinor: number, currency: string, locale: string): string {
  if (Math.abs(amountMinor) < 10 ** currencyExponent(currency) * 1000) {
    return formatMoney(amountMinor, currency, locale);
  }
  const key = `${locale}|${currency}`;
  let f = compactFormatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      currencyDisplay: currency === 'CNY' ? 'narrowSymbol' : 'symbol',
      notation: 'compact',
      minimumFractionDigits: 0,
      maximumFractionDigits: 1,
    });
    compactFormatters.set(key, f);
  }
  // Display only: the division happens after all arithmetic is done in integers.
  return f.format(amountMinor / 10 ** currencyExponent(currency));
}
