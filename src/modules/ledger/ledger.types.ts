import type { PostingInput } from './journal';

export const ACCOUNT_TYPES = ['FUND', 'EXTERNAL', 'CLEARING', 'EXPENSE', 'PAYABLE'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export interface LedgerAccount {
  id: string;
  code: string;
  name: string;
  type: AccountType;
  currency: string;
  allowNegative: boolean;
  balanceSlots: number;
  closedAt: Date | null;
  createdAt: Date;
}

export interface AccountSpec {
  code: string;
  name: string;
  type: AccountType;
  currency: string;
  /** Funds may never go below zero; outside parties (processor, bank, donors) may. */
  allowNegative: boolean;
  /** Balance rows summed on read, so a hot account does not serialise every posting. */
  balanceSlots?: number;
}

export interface PostedPosting extends PostingInput {
  id: number;
  accountCode: string;
  accountName: string;
}

export interface JournalEntry {
  id: string;
  idempotencyKey: string;
  kind: string;
  description: string;
  currency: string;
  reversesEntryId: string | null;
  reversedByEntryId: string | null;
  metadata: Record<string, unknown>;
  postedAt: Date;
  postings: PostedPosting[];
}

export interface PostResult {
  entry: JournalEntry;
  /** True when the idempotency key had already been posted and nothing new was written. */
  replayed: boolean;
}

export interface StatementLine {
  postingId: number;
  entryId: string;
  kind: string;
  description: string;
  /** What the entry is about: `donationId`, `fromFundId`/`toFundId`, `reversedKind`… */
  metadata: Record<string, unknown>;
  amountMinor: number;
  balanceAfterMinor: number;
  postedAt: Date;
  reversesEntryId: string | null;
  counterparties: { accountId: string; code: string; name: string }[];
}

export interface StatementQuery {
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}

export interface StatementPage {
  accountId: string;
  currency: string;
  balanceMinor: number;
  lines: StatementLine[];
  nextCursor: string | null;
}

export interface LedgerCheckReport {
  entries: number;
  postings: number;
  unbalancedEntries: string[];
  balanceMismatches: {
    accountId: string;
    code: string;
    slotsMinor: number;
    postingsMinor: number;
  }[];
  negativeAccounts: { accountId: string; code: string; balanceMinor: number }[];
  ok: boolean;
}

/** One disagreement between the ledger and another module's records, for a person to act on. */
export interface InvariantViolation {
  invariant: 'GIFT_SETTLE_ENTRY' | 'GIFT_MATCH_ENTRY' | 'CAMPAIGN_TOTALS';
  /** The gift's or campaign's id. */
  id: string;
  message: string;
}

export interface CrossModuleCheckReport {
  receivedGifts: number;
  campaigns: number;
  violations: InvariantViolation[];
  ok: boolean;
}
