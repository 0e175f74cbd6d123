/**
 * A fund's public ledger: which journal entries are summed per day and which are listed one by
 * one, and how a row is put into words. Pure: no Nest, no TypeORM.
 *
 * Money coming in is many small movements: gifts, matched money, refunds, processor fees, dispute
 * movements and offline contributions are shown as one row per Beijing day (per source fund for
 * matched money). Money going out or between funds is itemised: allocations and releases (the
 * other fund named), design awards and construction tranches (the project), expenses (purpose
 * and payee), reversals and adjustments (their kind in words; staff-typed descriptions are never
 * public).
 */
import { isEntryKind } from '../ledger/entry-kinds';

export const DAILY_GROUPS = ['GIFTS', 'MATCHED', 'REFUNDS', 'FEES', 'DISPUTES', 'OFFLINE'] as const;
export type DailyGroup = (typeof DAILY_GROUPS)[number];

/** The journal entry kinds summed per day, and the row they are summed into. */
export const DAILY_GROUP_OF_KIND: Readonly<Record<string, DailyGroup>> = {
  DONATION: 'GIFTS',
  MATCH: 'MATCHED',
  MATCH_REVERSAL: 'MATCHED',
  REFUND: 'REFUNDS',
  PROCESSOR_FEE: 'FEES',
  DISPUTE_HOLD: 'DISPUTES',
  DISPUTE_ADVANCE: 'DISPUTES',
  DISPUTE_RELEASE: 'DISPUTES',
  OFFLINE_CONTRIBUTION: 'OFFLINE',
};

/** Kinds that are money paid out of a fund for its purpose (grants and expenses). */
export const PAID_OUT_KINDS = ['GRANT_AWARD', 'GRANT_TRANCHE', 'EXPENSE'] as const;

/** Donor names shown on a day's gifts row; the rest are counted ("and 12 more"). */
export const NAMES_PER_DAY = 20;

/** Ledger rows per page on the fund page. */
export const PUBLIC_LEDGER_PAGE_SIZE = 25;

export interface OtherFund {
  code: string;
  nameZh: string;
  nameEn: string;
}

/** One row of a fund's public ledger, as the repository reads it (nothing private in it). */
export type PublicLedgerRow =
  | {
      type: 'daily';
      /** The Beijing calendar day, YYYY-MM-DD. */
      day: string;
      group: DailyGroup;
      /** Matched money: the fund on the other side. */
      otherFund: OtherFund | null;
      entries: number;
      inMinor: number;
      outMinor: number;
      /** Gifts: the first NAMES_PER_DAY publicly named donors, oldest first. */
      names: string[];
      /** Gifts: how many of the day's gifts name their donor publicly. */
      namedCount: number;
    }
  | {
      type: 'item';
      day: string;
      at: Date;
      kind: string;
      otherFund: OtherFund | null;
      inMinor: number;
      outMinor: number;
      /** Design awards and tranches: the project's title, and its public page when it has one. */
      project: {
        title: string;
        awardId: string;
        isPublic: boolean;
        trancheSeq: number | null;
      } | null;
      /** Expenses paid through the expense workflow. */
      expense: { purpose: string; payee: string } | null;
      /** Reversals: the kind of entry reversed. */
      reversedKind: string | null;
    };

export interface PublicLedgerPage {
  rows: PublicLedgerRow[];
  total: number;
}

/** What a row says, as a locale key and its values (the caller translates). */
export interface RowWords {
  key: string;
  vars: Record<string, string | number>;
  /** A value that is itself a locale key (a reversal's "what was reversed"). */
  nestedKey?: { name: string; key: string };
}

const fundName = (f: OtherFund | null, locale: 'zh-CN' | 'en') =>
  f ? (locale === 'en' ? f.nameEn : f.nameZh) : '—';

/** The words of a row: `publicFunds.row.*` keys with their values. */
export function rowWords(row: PublicLedgerRow, locale: 'zh-CN' | 'en'): RowWords {
  if (row.type === 'daily') {
    const other = fundName(row.otherFund, locale);
    switch (row.group) {
      case 'GIFTS':
        return { key: 'publicFunds.row.gifts', vars: { count: row.entries } };
      case 'MATCHED':
        return {
          key:
            row.inMinor >= row.outMinor
              ? 'publicFunds.row.matchedFrom'
              : 'publicFunds.row.matchedFor',
          vars: { fund: other, count: row.entries },
        };
      case 'REFUNDS':
        return { key: 'publicFunds.row.refunds', vars: { count: row.entries } };
      case 'FEES':
        return { key: 'publicFunds.row.fees', vars: { count: row.entries } };
      case 'DISPUTES':
        return { key: 'publicFunds.row.disputes', vars: { count: row.entries } };
      case 'OFFLINE':
        return { key: 'publicFunds.row.offline', vars: { count: row.entries } };
    }
  }
  const incoming = row.inMinor > 0;
  const other = fundName(row.otherFund, locale);
  switch (row.kind) {
    case 'ALLOCATION':
      return {
        key: incoming ? 'publicFunds.row.allocationFrom' : 'publicFunds.row.allocationTo',
        vars: { fund: other },
      };
    case 'RELEASE':
      return {
        key: incoming ? 'publicFunds.row.releaseFrom' : 'publicFunds.row.releaseTo',
        vars: { fund: other },
      };
    case 'GRANT_AWARD':
      return { key: 'publicFunds.row.designAward', vars: { project: row.project?.title ?? '—' } };
    case 'GRANT_TRANCHE':
      return {
        key: 'publicFunds.row.tranche',
        vars: { project: row.project?.title ?? '—', seq: row.project?.trancheSeq ?? '' },
      };
    case 'EXPENSE':
      return row.expense
        ? {
            key: 'publicFunds.row.expense',
            vars: { purpose: row.expense.purpose, payee: row.expense.payee },
          }
        : { key: 'entryKind.EXPENSE', vars: {} };
    case 'REVERSAL':
      return {
        key: 'publicFunds.row.reversal',
        vars: {},
        nestedKey: { name: 'kind', key: knownKindKey(row.reversedKind ?? '') },
      };
    default:
      return { key: knownKindKey(row.kind), vars: {} };
  }
}

/** The locale key of an entry kind (entry-kinds.ts); anything unlisted is "other movement". */
export function knownKindKey(kind: string): string {
  return isEntryKind(kind) ? `entryKind.${kind}` : 'entryKind.OTHER';
}
