import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { donorPublicSql } from '../donations/public-donor';
import { isPublicAward } from '../grants/insights/public-project';
import {
  DAILY_GROUP_OF_KIND,
  NAMES_PER_DAY,
  PAID_OUT_KINDS,
  type DailyGroup,
  type OtherFund,
  type PublicLedgerPage,
  type PublicLedgerRow,
} from './public-ledger';
import { REPORTING_TIME_ZONE } from './periods';

type Row = Record<string, unknown>;

const text = (raw: unknown): string =>
  typeof raw === 'string'
    ? raw
    : typeof raw === 'number' || typeof raw === 'bigint'
      ? `${raw}`
      : '';
const int = (raw: unknown): number => {
  const n = Number(raw ?? 0);
  if (!Number.isSafeInteger(n)) throw new Error(`not a safe integer: ${text(raw)}`);
  return n;
};

/** A fund as the public pages show it: its row, community, subdistrict and balance. */
export interface PublicFundRecord {
  id: string;
  code: string;
  kind: string;
  status: string;
  nameZh: string;
  nameEn: string;
  accountId: string;
  currency: string;
  balanceMinor: number;
  community: { id: string; nameZh: string; nameEn: string } | null;
  subdistrict: { id: string; code: string; nameZh: string; nameEn: string } | null;
}

export interface FundMoneyFigures {
  raisedMinor: number;
  raisedYearMinor: number;
  paidOutMinor: number;
  paidOutYearMinor: number;
}

export interface SubdistrictCoverage {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  communitiesTotal: number;
  communitiesCovered: number;
}

const GROUP_KINDS = Object.keys(DAILY_GROUP_OF_KIND);
const GROUP_NAMES = GROUP_KINDS.map((k) => DAILY_GROUP_OF_KIND[k]!);
/** Daily kinds whose rows do not name another fund (all but matched money). */
const UNNAMED_KINDS = GROUP_KINDS.filter((k) => DAILY_GROUP_OF_KIND[k] !== 'MATCHED');
const UUID_TEXT = `'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'`;
const asUuid = (expr: string) => `(CASE WHEN ${expr} ~ ${UUID_TEXT} THEN (${expr})::uuid END)`;

const FUND_SELECT = `
  SELECT f.id, f.code, f.kind, f.status, f.name_zh, f.name_en, f.account_id, f.currency,
         coalesce((SELECT sum(b.balance_minor) FROM ledger_account_balances b
                   WHERE b.account_id = f.account_id), 0) AS balance,
         c.id AS c_id, c.name_zh AS c_zh, c.name_en AS c_en,
         s.id AS s_id, s.code AS s_code, s.name_zh AS s_zh, s.name_en AS s_en
  FROM funds f
  LEFT JOIN communities c ON c.id = f.community_id
  LEFT JOIN subdistricts s ON s.id = c.subdistrict_id`;

function toFund(r: Row): PublicFundRecord {
  return {
    id: text(r.id),
    code: text(r.code),
    kind: text(r.kind),
    status: text(r.status),
    nameZh: text(r.name_zh),
    nameEn: text(r.name_en),
    accountId: text(r.account_id),
    currency: text(r.currency).trim(),
    balanceMinor: int(r.balance),
    community: r.c_id ? { id: text(r.c_id), nameZh: text(r.c_zh), nameEn: text(r.c_en) } : null,
    subdistrict: r.s_id
      ? { id: text(r.s_id), code: text(r.s_code), nameZh: text(r.s_zh), nameEn: text(r.s_en) }
      : null,
  };
}

/**
 * Read-only queries behind the public fund directory and fund pages. Each is one statement on the
 * DataSource (no transaction: a statement sees one snapshot, and the public path must stay cheap).
 * Donors are named only where `donorPublicSql` allows it, the rule of donations/public-donor.ts.
 */
@Injectable()
export class PublicLedgerRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async funds(): Promise<PublicFundRecord[]> {
    const rows: Row[] = await this.dataSource.query(`${FUND_SELECT} ORDER BY f.code`);
    return rows.map(toFund);
  }

  async fundByCode(code: string): Promise<PublicFundRecord | null> {
    const rows: Row[] = await this.dataSource.query(`${FUND_SELECT} WHERE f.code = $1`, [code]);
    return rows[0] ? toFund(rows[0]) : null;
  }

  /** Every subdistrict with its communities, and how many have an ACTIVE community fund. */
  async subdistrictCoverage(): Promise<SubdistrictCoverage[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT s.id, s.code, s.name_zh, s.name_en, count(c.id) AS total,
              count(c.id) FILTER (WHERE EXISTS (
                SELECT 1 FROM funds f WHERE f.community_id = c.id
                  AND f.kind = 'COMMUNITY' AND f.status = 'ACTIVE')) AS covered
       FROM subdistricts s LEFT JOIN communities c ON c.subdistrict_id = s.id
       GROUP BY s.id ORDER BY s.code`,
    );
    return rows.map((r) => ({
      id: text(r.id),
      code: text(r.code),
      nameZh: text(r.name_zh),
      nameEn: text(r.name_en),
      communitiesTotal: int(r.total),
      communitiesCovered: int(r.covered),
    }));
  }

  /**
   * Per fund account: money raised (from outside, as LedgerStatementsRepository.inflowsFromOutside
   * counts it for all funds: gifts and contributions in, refunds and reversals of them out; not
   * opening balances, not movements between funds) and money paid out (design awards, tranches and
   * expenses, less their reversals), all time and since `yearStart`.
   */
  async moneyFigures(
    accountIds: string[],
    yearStart: Date,
  ): Promise<Map<string, FundMoneyFigures>> {
    const rows: Row[] = await this.dataSource.query(
      `WITH mine AS MATERIALIZED (
         SELECT p.account_id, p.entry_id, p.amount_minor AS amount, p.posted_at
         FROM postings p WHERE p.account_id = ANY($1::uuid[])
       ), shared AS (
         -- Entries that also move another fund's money: transfers, not money from outside.
         SELECT DISTINCT m.entry_id, m.account_id
         FROM mine m
         JOIN postings op ON op.entry_id = m.entry_id AND op.account_id <> m.account_id
         JOIN ledger_accounts oa ON oa.id = op.account_id AND oa.type = 'FUND'
       ), x AS (
         SELECT m.account_id, m.amount, m.posted_at >= $2 AS this_year,
                e.kind, e.reverses_entry_id IS NOT NULL AS reversal,
                coalesce(r.kind, e.kind) AS base_kind,
                s.entry_id IS NOT NULL AS between_funds
         FROM mine m
         JOIN journal_entries e ON e.id = m.entry_id
         LEFT JOIN journal_entries r ON r.id = e.reverses_entry_id
         LEFT JOIN shared s ON s.entry_id = m.entry_id AND s.account_id = m.account_id
       ), y AS (
         SELECT account_id, amount, this_year,
                NOT between_funds AND base_kind <> 'OPENING_BALANCE'
                  AND ((NOT reversal AND amount > 0) OR ((reversal OR kind = 'REFUND') AND amount < 0))
                  AS raised,
                NOT between_funds AND base_kind = ANY($3::text[]) AS paid
         FROM x
       )
       SELECT account_id,
              coalesce(sum(amount) FILTER (WHERE raised), 0) AS raised,
              coalesce(sum(amount) FILTER (WHERE raised AND this_year), 0) AS raised_year,
              coalesce(-sum(amount) FILTER (WHERE paid), 0) AS paid,
              coalesce(-sum(amount) FILTER (WHERE paid AND this_year), 0) AS paid_year
       FROM y GROUP BY account_id`,
      [accountIds, yearStart, PAID_OUT_KINDS],
    );
    const out = new Map<string, FundMoneyFigures>();
    for (const id of accountIds)
      out.set(id, { raisedMinor: 0, raisedYearMinor: 0, paidOutMinor: 0, paidOutYearMinor: 0 });
    for (const r of rows) {
      out.set(text(r.account_id), {
        raisedMinor: int(r.raised),
        raisedYearMinor: int(r.raised_year),
        paidOutMinor: int(r.paid),
        paidOutYearMinor: int(r.paid_year),
      });
    }
    return out;
  }

  /**
   * One page of a fund account's public ledger, newest first: daily rows (DAILY_GROUP_OF_KIND,
   * by Beijing day; matched money also by the other fund) and itemised rows for every other
   * posting. Ties are broken by group and posting id, so pages never overlap.
   */
  async ledgerPage(
    accountId: string,
    page: { limit: number; offset: number },
  ): Promise<PublicLedgerPage> {
    const rows: Row[] = await this.dataSource.query(
      `WITH lines AS (
         SELECT p.id AS posting_id, p.amount_minor AS amount, p.posted_at, e.id AS entry_id,
                e.kind, e.metadata,
                to_char(p.posted_at AT TIME ZONE $2, 'YYYY-MM-DD') AS day,
                (SELECT g FROM unnest($3::text[], $4::text[]) AS k(kind, g) WHERE k.kind = e.kind) AS grp,
                -- Only rows that name the other fund look for it (not the many gifts of a day).
                CASE WHEN NOT e.kind = ANY($7::text[]) THEN
                  (SELECT f.id FROM postings op JOIN funds f ON f.account_id = op.account_id
                    WHERE op.entry_id = p.entry_id AND op.account_id <> p.account_id
                    ORDER BY op.id LIMIT 1) END AS other_fund_id,
                CASE WHEN e.kind = 'DONATION' THEN ${asUuid(`e.metadata->>'donationId'`)} END
                  AS donation_id
         FROM postings p JOIN journal_entries e ON e.id = p.entry_id
         WHERE p.account_id = $1
       ), daily AS (
         SELECT l.day, l.grp, CASE WHEN l.grp = 'MATCHED' THEN l.other_fund_id END AS other_fund_id,
                max(l.posted_at) AS at, count(DISTINCT l.entry_id) AS entries,
                coalesce(sum(l.amount) FILTER (WHERE l.amount > 0), 0) AS in_minor,
                coalesce(-sum(l.amount) FILTER (WHERE l.amount < 0), 0) AS out_minor,
                (array_agg(d.donor_name ORDER BY l.posted_at, l.posting_id)
                   FILTER (WHERE d.id IS NOT NULL AND ${donorPublicSql('d')}))[1:${NAMES_PER_DAY}]
                  AS names,
                count(d.id) FILTER (WHERE ${donorPublicSql('d')}) AS named
         FROM lines l LEFT JOIN donations d ON d.id = l.donation_id
         WHERE l.grp IS NOT NULL
         GROUP BY 1, 2, 3
       ), items AS (
         SELECT day, NULL::text AS grp, other_fund_id, posted_at AS at, 1::bigint AS entries,
                greatest(amount, 0) AS in_minor, greatest(-amount, 0) AS out_minor,
                NULL::text[] AS names, 0::bigint AS named,
                posting_id, entry_id, kind, metadata
         FROM lines WHERE grp IS NULL
       ), all_rows AS (
         SELECT day, grp, other_fund_id, at, entries, in_minor, out_minor, names, named,
                NULL::bigint AS posting_id, NULL::uuid AS entry_id, NULL::text AS kind,
                NULL::jsonb AS metadata
         FROM daily
         UNION ALL
         SELECT * FROM items
       ), paged AS (
         SELECT *, count(*) OVER () AS total FROM all_rows
         ORDER BY day DESC, at DESC, grp NULLS LAST, other_fund_id NULLS FIRST, posting_id DESC
         LIMIT $5 OFFSET $6
       )
       SELECT pg.*, of.code AS of_code, of.name_zh AS of_zh, of.name_en AS of_en,
              ga.id AS award_id, ga.status AS award_status, ap.title AS project_title,
              gt.seq AS tranche_seq, x.purpose AS expense_purpose, x.payee AS expense_payee,
              r.kind AS reversed_kind
       FROM paged pg
       LEFT JOIN funds of ON of.id = pg.other_fund_id
       LEFT JOIN grant_tranches gt ON pg.kind = 'GRANT_TRANCHE' AND gt.entry_id = pg.entry_id
       LEFT JOIN grant_awards ga
         ON (pg.kind = 'GRANT_AWARD' AND ga.design_entry_id = pg.entry_id) OR ga.id = gt.award_id
       LEFT JOIN grant_applications ap ON ap.id = ga.application_id
       LEFT JOIN fund_expenses x ON pg.kind = 'EXPENSE' AND x.entry_id = pg.entry_id
       LEFT JOIN journal_entries je ON je.id = pg.entry_id
       LEFT JOIN journal_entries r ON r.id = je.reverses_entry_id
       ORDER BY pg.day DESC, pg.at DESC, pg.grp NULLS LAST, pg.other_fund_id NULLS FIRST,
                pg.posting_id DESC`,
      [
        accountId,
        REPORTING_TIME_ZONE,
        GROUP_KINDS,
        GROUP_NAMES,
        page.limit,
        page.offset,
        UNNAMED_KINDS,
      ],
    );
    if (!rows[0]) {
      // Past the end (or an empty ledger): the window function saw no rows to count.
      const total =
        page.offset > 0 ? (await this.ledgerPage(accountId, { limit: 1, offset: 0 })).total : 0;
      return { total, rows: [] };
    }
    return { total: int(rows[0].total), rows: rows.map(toLedgerRow) };
  }
}

function toLedgerRow(r: Row): PublicLedgerRow {
  const otherFund: OtherFund | null = r.of_code
    ? { code: text(r.of_code), nameZh: text(r.of_zh), nameEn: text(r.of_en) }
    : null;
  const day = text(r.day);
  if (r.grp) {
    return {
      type: 'daily',
      day,
      group: text(r.grp) as DailyGroup,
      otherFund,
      entries: int(r.entries),
      inMinor: int(r.in_minor),
      outMinor: int(r.out_minor),
      names: Array.isArray(r.names) ? r.names.map(text) : [],
      namedCount: int(r.named),
    };
  }
  return {
    type: 'item',
    day,
    at: new Date(r.at as string | Date),
    kind: text(r.kind),
    otherFund,
    inMinor: int(r.in_minor),
    outMinor: int(r.out_minor),
    project: r.award_id
      ? {
          title: text(r.project_title),
          awardId: text(r.award_id),
          isPublic: isPublicAward(text(r.award_status)),
          trancheSeq:
            r.tranche_seq === null || r.tranche_seq === undefined ? null : int(r.tranche_seq),
        }
      : null,
    expense: r.expense_purpose
      ? { purpose: text(r.expense_purpose), payee: text(r.expense_payee) }
      : null,
    reversedKind: r.reversed_kind ? text(r.reversed_kind) : null,
  };
}
