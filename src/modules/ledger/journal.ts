/**
 * Pure rules for journal entries: what a valid entry is, its fingerprint for idempotency checks,
 * and the entry that reverses another. No Nest, no TypeORM.
 */
import { createHash } from 'node:crypto';
import type { EntryKind } from './entry-kinds';
import { MAX_AMOUNT_MINOR } from '../../common/money';

export interface PostingInput {
  accountId: string;
  amountMinor: number;
}

export interface EntryInput {
  idempotencyKey: string;
  kind: EntryKind;
  description?: string;
  currency: string;
  postings: PostingInput[];
  reversesEntryId?: string;
  metadata?: Record<string, unknown>;
  /**
   * When the money moved, if before the posting (an offline gift's received day): charts of a
   * fund's months date the entry by it. Never in the future. Left out: when it is posted.
   */
  occurredAt?: Date;
}

export type EntryProblem =
  | { problem: 'TOO_FEW_POSTINGS' }
  | { problem: 'BAD_AMOUNT'; index: number }
  | { problem: 'UNBALANCED'; sum: number }
  | { problem: 'DUPLICATE_ACCOUNT'; accountId: string };

/** Returns what is wrong with an entry, or null when it may be posted. */
export function checkEntry(postings: readonly PostingInput[]): EntryProblem | null {
  if (postings.length < 2) return { problem: 'TOO_FEW_POSTINGS' };
  let sum = 0;
  const seen = new Set<string>();
  for (const [index, p] of postings.entries()) {
    if (
      !Number.isSafeInteger(p.amountMinor) ||
      p.amountMinor === 0 ||
      Math.abs(p.amountMinor) > MAX_AMOUNT_MINOR
    ) {
      return { problem: 'BAD_AMOUNT', index };
    }
    if (seen.has(p.accountId)) return { problem: 'DUPLICATE_ACCOUNT', accountId: p.accountId };
    seen.add(p.accountId);
    sum += p.amountMinor;
  }
  return sum === 0 ? null : { problem: 'UNBALANCED', sum };
}

/**
 * Stable digest of what an entry does (not of its key or description), so a replay with the same
 * key and the same effect is a no-op, and the same key with a different effect is refused.
 */
export function entryFingerprint(
  input: Pick<EntryInput, 'kind' | 'currency' | 'postings'>,
): string {
  const postings = [...input.postings]
    .sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0))
    .map((p) => `${p.accountId}:${p.amountMinor}`)
    .join(',');
  return createHash('sha256').update(`${input.kind}|${input.currency}|${postings}`).digest('hex');
}

/**
 * Postings in account-id order: the posting trigger locks balance rows account by account, so a
 * global order means two entries touching the same accounts cannot deadlock.
 */
export function inLockOrder(postings: readonly PostingInput[]): PostingInput[] {
  return [...postings].sort((a, b) =>
    a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0,
  );
}

export function reversingPostings(postings: readonly PostingInput[]): PostingInput[] {
  return postings.map((p) => ({ accountId: p.accountId, amountMinor: -p.amountMinor }));
}

/** A two-posting transfer: money leaves `from` and arrives in `to`. */
export function transferPostings(
  fromAccountId: string,
  toAccountId: string,
  amountMinor: number,
): PostingInput[] {
  return [
    { accountId: fromAccountId, amountMinor: -amountMinor },
    { accountId: toAccountId, amountMinor },
  ];
}
