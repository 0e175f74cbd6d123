import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { JOURNAL_ENTRIES, LEDGER_ACCOUNTS, POSTINGS } from './ledger.tables';
import type { StatementLine } from './ledger.types';

type Row = Record<string, unknown>;

export interface StatementPosition {
  postedMicros: string;
  postingId: number;
}

/** A sum of postings (NULL or none: 0). */
function total(raw: unknown): number {
  return raw === null || raw === undefined ? 0 : POSTINGS.value('amountMinor', raw);
}

/**
 * What the ledger reports: account statements, monthly flows and the totals of funds. Read-only;
 * each query reads the statement index (account, posted_at, id, amount) where it can.
 */
@Injectable()
export class LedgerStatementsRepository {
  /** Postings of one account, newest first, in (posted_at, id) order, strictly before `before`. */
  async statementRows(
    manager: EntityManager,
    accountId: string,
    opts: { from?: Date; to?: Date; before?: StatementPosition; limit: number },
  ): Promise<
    (Omit<StatementLine, 'balanceAfterMinor' | 'counterparties'> & { postedMicros: string })[]
  > {
    const rows: Row[] = await manager.query(
      `SELECT p.id AS "postingId", p.entry_id AS "entryId", e.kind, e.description, e.metadata,
              p.amount_minor AS "amountMinor", p.posted_at AS "postedAt",
              ((extract(epoch FROM p.posted_at) * 1000000)::numeric(20,0))::text AS "postedMicros",
              e.reverses_entry_id AS "reversesEntryId"
       FROM postings p JOIN journal_entries e ON e.id = p.entry_id
       WHERE p.account_id = $1
         AND ($2::timestamptz IS NULL OR p.posted_at >= $2)
         AND ($3::timestamptz IS NULL OR p.posted_at < $3)
         AND ($4::bigint IS NULL OR (p.posted_at, p.id) < (timestamptz 'epoch' + $4::bigint * interval '1 microsecond', $5::bigint))
       ORDER BY p.posted_at DESC, p.id DESC
       LIMIT $6`,
      [
        accountId,
        opts.from ?? null,
        opts.to ?? null,
        opts.before?.postedMicros ?? null,
        opts.before?.postingId ?? null,
        opts.limit,
      ],
    );
    return rows.map((r) => ({
      postingId: POSTINGS.value('id', r.postingId),
      entryId: POSTINGS.value('entryId', r.entryId),
      kind: JOURNAL_ENTRIES.value('kind', r.kind),
      description: JOURNAL_ENTRIES.value('description', r.description),
      metadata: JOURNAL_ENTRIES.value('metadata', r.metadata),
      amountMinor: POSTINGS.value('amountMinor', r.amountMinor),
      postedAt: POSTINGS.value('postedAt', r.postedAt),
      postedMicros: String(r.postedMicros),
      reversesEntryId: JOURNAL_ENTRIES.value('reversesEntryId', r.reversesEntryId),
    }));
  }

  /** Sum of the account's postings after a position: balance-after = balance now − this. */
  async sumAfter(
    manager: EntityManager,
    accountId: string,
    position: StatementPosition,
  ): Promise<number> {
    const rows: Row[] = await manager.query(
      `SELECT coalesce(sum(amount_minor), 0) AS total FROM postings
       WHERE account_id = $1
         AND (posted_at, id) > (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::bigint)`,
      [accountId, position.postedMicros, position.postingId],
    );
    return total(rows[0]?.total);
  }

  async counterparties(
    manager: EntityManager,
    entryIds: readonly string[],
    exceptAccountId: string,
  ): Promise<Map<string, { accountId: string; code: string; name: string }[]>> {
    const result = new Map<string, { accountId: string; code: string; name: string }[]>();
    if (entryIds.length === 0) return result;
    const rows: Row[] = await manager.query(
      `SELECT p.entry_id AS "entryId", a.id AS "accountId", a.code, a.name
       FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
       WHERE p.entry_id = ANY($1::uuid[]) AND p.account_id <> $2 ORDER BY p.id`,
      [entryIds, exceptAccountId],
    );
    for (const r of rows) {
      const entryId = POSTINGS.value('entryId', r.entryId);
      const list = result.get(entryId) ?? [];
      list.push({
        accountId: LEDGER_ACCOUNTS.value('id', r.accountId),
        code: LEDGER_ACCOUNTS.value('code', r.code),
        name: LEDGER_ACCOUNTS.value('name', r.name),
      });
      result.set(entryId, list);
    }
    return result;
  }

  /**
   * Money in and out of one account per calendar month of `timeZone`, for postings in
   * [from, to): inflow is the sum of positive postings, outflow the sum of negative ones as a
   * positive number. Reads the statement index only (it includes the amounts).
   */
  async monthlyFlows(
    manager: EntityManager,
    accountId: string,
    opts: { from: Date; to: Date; timeZone: string },
  ): Promise<{ month: string; inflowMinor: number; outflowMinor: number }[]> {
    const rows: Row[] = await manager.query(
      // Dated by when the money moved (occurred_at, else posted_at). It is never later than the
      // posting, so "posted since the window began" narrows the scan by the statement index.
      `SELECT to_char(coalesce(e.occurred_at, p.posted_at) AT TIME ZONE $4, 'YYYY-MM') AS month,
              coalesce(sum(p.amount_minor) FILTER (WHERE p.amount_minor > 0), 0) AS inflow,
              coalesce(-sum(p.amount_minor) FILTER (WHERE p.amount_minor < 0), 0) AS outflow
       FROM postings p JOIN journal_entries e ON e.id = p.entry_id
       WHERE p.account_id = $1 AND p.posted_at >= $2
         AND coalesce(e.occurred_at, p.posted_at) >= $2 AND coalesce(e.occurred_at, p.posted_at) < $3
       GROUP BY 1 ORDER BY 1`,
      [accountId, opts.from, opts.to, opts.timeZone],
    );
    return rows.map((r) => ({
      month: String(r.month),
      inflowMinor: total(r.inflow),
      outflowMinor: total(r.outflow),
    }));
  }

  /**
   * Sum of the account's postings whose money moved at or after an instant (occurred_at, else
   * posted_at): balance then = balance now − this.
   */
  async sumSince(manager: EntityManager, accountId: string, since: Date): Promise<number> {
    const rows: Row[] = await manager.query(
      `SELECT coalesce(sum(p.amount_minor), 0) AS total
       FROM postings p JOIN journal_entries e ON e.id = p.entry_id
       WHERE p.account_id = $1 AND p.posted_at >= $2 AND coalesce(e.occurred_at, p.posted_at) >= $2`,
      [accountId, since],
    );
    return total(rows[0]?.total);
  }

  /** What all accounts of a type hold in one currency: the sum of their balance slots. */
  async totalBalance(
    manager: EntityManager,
    opts: { type: string; currency: string },
  ): Promise<number> {
    const rows: Row[] = await manager.query(
      `SELECT coalesce(sum(b.balance_minor), 0) AS total
       FROM ledger_account_balances b JOIN ledger_accounts a ON a.id = b.account_id
       WHERE a.type = $1 AND a.currency = $2`,
      [opts.type, opts.currency],
    );
    return total(rows[0]?.total);
  }

  /**
   * Money that came into FUND accounts from outside in [from, to). Per journal entry, take the
   * net of its postings on FUND accounts (its inflow from non-FUND accounts, since an entry sums
   * to zero: a fund-to-fund allocation nets to 0). Count entries whose net is positive, and
   * subtract reversals and refunds whose net is negative (a refunded or corrected gift), each in
   * the period it was posted. Opening balances (money held before Lianxin) are not raised, nor are
   * their reversals taken off;
   * outflows to grantees, fees or expenses, and reversals of those, are not money raised either.
   */
  async inflowsFromOutside(
    manager: EntityManager,
    opts: { from: Date; to: Date; currency: string },
  ): Promise<number> {
    const rows: Row[] = await manager.query(
      `SELECT coalesce(sum(x.net), 0) AS total
       FROM (
         SELECT p.entry_id, sum(p.amount_minor) AS net
         FROM ledger_accounts a
         JOIN postings p ON p.account_id = a.id AND p.posted_at >= $1 AND p.posted_at < $2
         WHERE a.type = 'FUND' AND a.currency = $3
         GROUP BY p.entry_id
       ) x
       JOIN journal_entries e ON e.id = x.entry_id
       LEFT JOIN journal_entries reversed ON reversed.id = e.reverses_entry_id
       WHERE coalesce(reversed.kind, e.kind) <> 'OPENING_BALANCE'
         AND ((e.reverses_entry_id IS NULL AND x.net > 0)
           OR ((e.reverses_entry_id IS NOT NULL OR e.kind = 'REFUND') AND x.net < 0))`,
      [opts.from, opts.to, opts.currency],
    );
    return total(rows[0]?.total);
  }
}
