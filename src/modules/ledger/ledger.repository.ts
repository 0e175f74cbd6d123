import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../common/errors';
import { toSafeInteger } from '../../common/money';
import { inLockOrder, type EntryInput } from './journal';
import {
  AccountNotFoundError,
  InsufficientFundBalanceError,
  UnbalancedEntryError,
} from './ledger.errors';
import type {
  AccountSpec,
  JournalEntry,
  LedgerAccount,
  LedgerCheckReport,
  PostedPosting,
  StatementLine,
} from './ledger.types';

const ACCOUNT_COLUMNS = `id, code, name, type, currency, allow_negative AS "allowNegative",
  balance_slots AS "balanceSlots", closed_at AS "closedAt", created_at AS "createdAt"`;

type InsertedRow = Omit<JournalEntry, 'postings' | 'reversedByEntryId'> & {
  postingId: string;
  accountId: string;
  amountMinor: string;
  accountCode: string;
  accountName: string;
};

type EntryHead = Omit<JournalEntry, 'postings'> & { fingerprint: string };

interface StatementRow {
  postingId: string;
  entryId: string;
  kind: string;
  description: string;
  amountMinor: string;
  postedAt: Date;
  postedMicros: string;
  reversesEntryId: string | null;
}

export interface StatementPosition {
  postedMicros: string;
  postingId: number;
}

/**
 * The only place that queries ledger tables. Writes are plain SQL so each posting is one round
 * trip; the database triggers (see the first migration) keep balances and enforce the invariants,
 * and this class turns their SQLSTATEs into coded domain errors.
 */
@Injectable()
export class LedgerRepository {
  async insertAccount(manager: EntityManager, spec: AccountSpec): Promise<LedgerAccount> {
    const rows: LedgerAccount[] = await manager.query(
      `INSERT INTO ledger_accounts (code, name, type, currency, allow_negative, balance_slots)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ACCOUNT_COLUMNS}`,
      [spec.code, spec.name, spec.type, spec.currency, spec.allowNegative, spec.balanceSlots ?? 1],
    );
    return rows[0]!;
  }

  /** Creates the account if missing (concurrency-safe), then returns it. */
  async upsertAccount(manager: EntityManager, spec: AccountSpec): Promise<LedgerAccount> {
    await manager.query(
      `INSERT INTO ledger_accounts (code, name, type, currency, allow_negative, balance_slots)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING`,
      [spec.code, spec.name, spec.type, spec.currency, spec.allowNegative, spec.balanceSlots ?? 1],
    );
    const account = await this.findAccountByCode(manager, spec.code);
    if (!account) throw new AccountNotFoundError(`with code ${spec.code}`);
    return account;
  }

  async findAccount(manager: EntityManager, id: string): Promise<LedgerAccount | null> {
    const rows: LedgerAccount[] = await manager.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findAccountByCode(manager: EntityManager, code: string): Promise<LedgerAccount | null> {
    const rows: LedgerAccount[] = await manager.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE code = $1`,
      [code],
    );
    return rows[0] ?? null;
  }

  async findAccounts(manager: EntityManager, ids: readonly string[]): Promise<LedgerAccount[]> {
    if (ids.length === 0) return [];
    return manager.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  async listAccounts(
    manager: EntityManager,
    opts: { type?: string; limit: number; afterCode?: string },
  ): Promise<LedgerAccount[]> {
    return manager.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts
       WHERE ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR code > $2)
       ORDER BY code LIMIT $3`,
      [opts.type ?? null, opts.afterCode ?? null, opts.limit],
    );
  }

  async closeAccount(manager: EntityManager, id: string): Promise<void> {
    await manager.query(
      `UPDATE ledger_accounts SET closed_at = now() WHERE id = $1 AND closed_at IS NULL`,
      [id],
    );
  }

  /**
   * The balance with every slot of the account locked (FOR UPDATE, in slot order, as the posting
   * trigger locks them): nothing can move money out of the account until this transaction ends.
   */
  async lockedBalance(manager: EntityManager, accountId: string): Promise<number> {
    const rows: { balance: string | null }[] = await manager.query(
      `SELECT sum(balance_minor) AS balance FROM (
         SELECT balance_minor FROM ledger_account_balances WHERE account_id = $1 ORDER BY slot FOR UPDATE
       ) locked`,
      [accountId],
    );
    return toSafeInteger(rows[0]?.balance ?? '0') ?? 0;
  }

  /** Balances of accounts by code; codes with no account are left out (their balance is 0). */
  async balancesByCode(
    manager: EntityManager,
    codes: readonly string[],
  ): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    if (codes.length === 0) return result;
    const rows: { code: string; balance: string }[] = await manager.query(
      `SELECT a.code, sum(b.balance_minor) AS balance
       FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
       WHERE a.code = ANY($1::text[]) GROUP BY a.code`,
      [codes],
    );
    for (const row of rows) result.set(row.code, toSafeInteger(row.balance) ?? 0);
    return result;
  }

  /** O(1) in the number of postings: the sum of the account's few balance slots. */
  async balances(
    manager: EntityManager,
    accountIds: readonly string[],
  ): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    if (accountIds.length === 0) return result;
    const rows: { accountId: string; balance: string }[] = await manager.query(
      `SELECT account_id AS "accountId", sum(balance_minor) AS balance
       FROM ledger_account_balances WHERE account_id = ANY($1::uuid[]) GROUP BY account_id`,
      [accountIds],
    );
    for (const row of rows) result.set(row.accountId, toSafeInteger(row.balance) ?? 0);
    return result;
  }

  /**
   * Inserts the entry and its postings in one statement and returns the new entry, or null when
   * the idempotency key already exists (ON CONFLICT DO NOTHING waits for a concurrent insert of
   * the same key to commit or roll back, so exactly one wins). One round trip matters: the
   * posting trigger holds the account's balance slot until commit.
   */
  async insertEntry(
    manager: EntityManager,
    input: EntryInput,
    fingerprint: string,
  ): Promise<JournalEntry | null> {
    const postings = inLockOrder(input.postings);
    let rows: InsertedRow[];
    try {
      rows = await manager.query(
        `WITH e AS (
           INSERT INTO journal_entries (idempotency_key, kind, description, currency, fingerprint, reverses_entry_id, metadata)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (idempotency_key) DO NOTHING
           RETURNING id, idempotency_key, kind, description, currency, reverses_entry_id, metadata, posted_at
         ), p AS (
           INSERT INTO postings (entry_id, account_id, amount_minor)
           SELECT e.id, x.account_id, x.amount_minor
           FROM e, unnest($8::uuid[], $9::bigint[]) WITH ORDINALITY AS x(account_id, amount_minor, n)
           ORDER BY x.n
           RETURNING id, entry_id, account_id, amount_minor
         )
         SELECT e.id, e.idempotency_key AS "idempotencyKey", e.kind, e.description, e.currency,
                e.reverses_entry_id AS "reversesEntryId", e.metadata, e.posted_at AS "postedAt",
                p.id AS "postingId", p.account_id AS "accountId", p.amount_minor AS "amountMinor",
                a.code AS "accountCode", a.name AS "accountName"
         FROM e JOIN p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
         ORDER BY p.id`,
        [
          input.idempotencyKey,
          input.kind,
          input.description ?? '',
          input.currency,
          fingerprint,
          input.reversesEntryId ?? null,
          JSON.stringify(input.metadata ?? {}),
          postings.map((p) => p.accountId),
          postings.map((p) => p.amountMinor),
        ],
      );
    } catch (error) {
      throw translateLedgerError(error);
    }
    const [first] = rows;
    if (!first) return null;
    return {
      id: first.id,
      idempotencyKey: first.idempotencyKey,
      kind: first.kind,
      description: first.description,
      currency: first.currency,
      reversesEntryId: first.reversesEntryId,
      reversedByEntryId: null,
      metadata: first.metadata,
      postedAt: first.postedAt,
      postings: rows.map((r) => ({
        id: Number(r.postingId),
        accountId: r.accountId,
        accountCode: r.accountCode,
        accountName: r.accountName,
        amountMinor: toSafeInteger(r.amountMinor) ?? 0,
      })),
    };
  }

  async findEntryHead(
    manager: EntityManager,
    by: { id: string } | { idempotencyKey: string },
  ): Promise<EntryHead | null> {
    const rows = await this.entryHeads(
      manager,
      'id' in by ? 'e.id = $1' : 'e.idempotency_key = $1',
      ['id' in by ? by.id : by.idempotencyKey],
    );
    return rows[0] ?? null;
  }

  findEntryHeadsByKeys(manager: EntityManager, keys: readonly string[]): Promise<EntryHead[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.entryHeads(manager, 'e.idempotency_key = ANY($1::text[])', [keys]);
  }

  private entryHeads(
    manager: EntityManager,
    where: string,
    params: unknown[],
  ): Promise<EntryHead[]> {
    return manager.query(
      `SELECT e.id, e.idempotency_key AS "idempotencyKey", e.kind, e.description, e.currency,
              e.fingerprint, e.reverses_entry_id AS "reversesEntryId", e.metadata, e.posted_at AS "postedAt",
              r.id AS "reversedByEntryId"
       FROM journal_entries e LEFT JOIN journal_entries r ON r.reverses_entry_id = e.id
       WHERE ${where}`,
      params,
    );
  }

  async entryPostings(manager: EntityManager, entryId: string): Promise<PostedPosting[]> {
    return (await this.postingsOfEntries(manager, [entryId])).get(entryId) ?? [];
  }

  async postingsOfEntries(
    manager: EntityManager,
    entryIds: readonly string[],
  ): Promise<Map<string, PostedPosting[]>> {
    const result = new Map<string, PostedPosting[]>();
    if (entryIds.length === 0) return result;
    const rows: {
      id: string;
      entryId: string;
      accountId: string;
      accountCode: string;
      accountName: string;
      amountMinor: string;
    }[] = await manager.query(
      `SELECT p.id, p.entry_id AS "entryId", p.account_id AS "accountId", a.code AS "accountCode",
                a.name AS "accountName", p.amount_minor AS "amountMinor"
         FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
         WHERE p.entry_id = ANY($1::uuid[]) ORDER BY p.id`,
      [entryIds],
    );
    for (const r of rows) {
      const list = result.get(r.entryId) ?? [];
      list.push({
        id: Number(r.id),
        accountId: r.accountId,
        accountCode: r.accountCode,
        accountName: r.accountName,
        amountMinor: toSafeInteger(r.amountMinor) ?? 0,
      });
      result.set(r.entryId, list);
    }
    return result;
  }

  /** Postings of one account, newest first, in (posted_at, id) order, strictly before `before`. */
  async statementRows(
    manager: EntityManager,
    accountId: string,
    opts: { from?: Date; to?: Date; before?: StatementPosition; limit: number },
  ): Promise<
    (Omit<StatementLine, 'balanceAfterMinor' | 'counterparties'> & { postedMicros: string })[]
  > {
    const rows: StatementRow[] = await manager.query(
      `SELECT p.id AS "postingId", p.entry_id AS "entryId", e.kind, e.description,
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
      postingId: Number(r.postingId),
      entryId: r.entryId,
      kind: r.kind,
      description: r.description,
      amountMinor: toSafeInteger(r.amountMinor) ?? 0,
      postedAt: r.postedAt,
      postedMicros: r.postedMicros,
      reversesEntryId: r.reversesEntryId,
    }));
  }

  /** Sum of the account's postings after a position: balance-after = balance now − this. */
  async sumAfter(
    manager: EntityManager,
    accountId: string,
    position: StatementPosition,
  ): Promise<number> {
    const rows: { total: string }[] = await manager.query(
      `SELECT coalesce(sum(amount_minor), 0) AS total FROM postings
       WHERE account_id = $1
         AND (posted_at, id) > (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::bigint)`,
      [accountId, position.postedMicros, position.postingId],
    );
    return toSafeInteger(rows[0]?.total ?? '0') ?? 0;
  }

  async counterparties(
    manager: EntityManager,
    entryIds: readonly string[],
    exceptAccountId: string,
  ): Promise<Map<string, { accountId: string; code: string; name: string }[]>> {
    const result = new Map<string, { accountId: string; code: string; name: string }[]>();
    if (entryIds.length === 0) return result;
    const rows: { entryId: string; accountId: string; code: string; name: string }[] =
      await manager.query(
        `SELECT p.entry_id AS "entryId", a.id AS "accountId", a.code, a.name
       FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
       WHERE p.entry_id = ANY($1::uuid[]) AND p.account_id <> $2 ORDER BY p.id`,
        [entryIds, exceptAccountId],
      );
    for (const r of rows) {
      const list = result.get(r.entryId) ?? [];
      list.push({ accountId: r.accountId, code: r.code, name: r.name });
      result.set(r.entryId, list);
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
    const rows: { month: string; inflow: string; outflow: string }[] = await manager.query(
      `SELECT to_char(posted_at AT TIME ZONE $4, 'YYYY-MM') AS month,
              coalesce(sum(amount_minor) FILTER (WHERE amount_minor > 0), 0) AS inflow,
              coalesce(-sum(amount_minor) FILTER (WHERE amount_minor < 0), 0) AS outflow
       FROM postings
       WHERE account_id = $1 AND posted_at >= $2 AND posted_at < $3
       GROUP BY 1 ORDER BY 1`,
      [accountId, opts.from, opts.to, opts.timeZone],
    );
    return rows.map((r) => ({
      month: r.month,
      inflowMinor: toSafeInteger(r.inflow) ?? 0,
      outflowMinor: toSafeInteger(r.outflow) ?? 0,
    }));
  }

  /** Sum of the account's postings at or after an instant: balance then = balance now − this. */
  async sumSince(manager: EntityManager, accountId: string, since: Date): Promise<number> {
    const rows: { total: string }[] = await manager.query(
      `SELECT coalesce(sum(amount_minor), 0) AS total FROM postings
       WHERE account_id = $1 AND posted_at >= $2`,
      [accountId, since],
    );
    return toSafeInteger(rows[0]?.total ?? '0') ?? 0;
  }

  /** What all accounts of a type hold in one currency: the sum of their balance slots. */
  async totalBalance(
    manager: EntityManager,
    opts: { type: string; currency: string },
  ): Promise<number> {
    const rows: { total: string }[] = await manager.query(
      `SELECT coalesce(sum(b.balance_minor), 0) AS total
       FROM ledger_account_balances b JOIN ledger_accounts a ON a.id = b.account_id
       WHERE a.type = $1 AND a.currency = $2`,
      [opts.type, opts.currency],
    );
    return toSafeInteger(rows[0]?.total ?? '0') ?? 0;
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
    const rows: { total: string }[] = await manager.query(
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
    return toSafeInteger(rows[0]?.total ?? '0') ?? 0;
  }

  /** The invariants, checked from scratch over the whole ledger (`npm run ledger:check`). */
  async check(manager: EntityManager): Promise<LedgerCheckReport> {
    const [counts] = await manager.query(
      `SELECT (SELECT count(*) FROM journal_entries) AS entries, (SELECT count(*) FROM postings) AS postings`,
    );
    const unbalanced: { id: string }[] = await manager.query(
      `SELECT e.id FROM journal_entries e LEFT JOIN postings p ON p.entry_id = e.id
       GROUP BY e.id HAVING count(p.id) < 2 OR coalesce(sum(p.amount_minor), 0) <> 0`,
    );
    const mismatches: { accountId: string; code: string; slots: string; postings: string }[] =
      await manager.query(
        `SELECT a.id AS "accountId", a.code, s.total AS slots, coalesce(p.total, 0) AS postings
       FROM ledger_accounts a
       JOIN (SELECT account_id, sum(balance_minor) AS total FROM ledger_account_balances GROUP BY account_id) s
         ON s.account_id = a.id
       LEFT JOIN (SELECT account_id, sum(amount_minor) AS total FROM postings GROUP BY account_id) p
         ON p.account_id = a.id
       WHERE s.total <> coalesce(p.total, 0)`,
      );
    const negative: { accountId: string; code: string; balance: string }[] = await manager.query(
      `SELECT a.id AS "accountId", a.code, sum(b.balance_minor) AS balance
       FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
       WHERE NOT a.allow_negative GROUP BY a.id, a.code HAVING sum(b.balance_minor) < 0`,
    );
    const report: LedgerCheckReport = {
      entries: Number(counts.entries),
      postings: Number(counts.postings),
      unbalancedEntries: unbalanced.map((r) => r.id),
      balanceMismatches: mismatches.map((m) => ({
        accountId: m.accountId,
        code: m.code,
        slotsMinor: Number(m.slots),
        postingsMinor: Number(m.postings),
      })),
      negativeAccounts: negative.map((n) => ({
        accountId: n.accountId,
        code: n.code,
        balanceMinor: Number(n.balance),
      })),
      ok: false,
    };
    report.ok =
      report.unbalancedEntries.length === 0 &&
      report.balanceMismatches.length === 0 &&
      report.negativeAccounts.length === 0;
    return report;
  }
}

/** Maps the ledger triggers' SQLSTATEs (class LX, see the first migration) to domain errors. */
export function translateLedgerError(error: unknown): unknown {
  const pg = error as { code?: string; message?: string; detail?: string; constraint?: string };
  switch (pg.code ?? '') {
    case 'LX001': {
      let details: Record<string, unknown> | undefined;
      try {
        details = pg.detail ? (JSON.parse(pg.detail) as Record<string, unknown>) : undefined;
      } catch {
        details = undefined;
      }
      return new InsufficientFundBalanceError(
        details
          ? `Account ${String(details.account)} holds ${String(details.balanceMinor)} (minor units) and cannot pay out ${String(details.amountMinor)}.`
          : (pg.message ?? 'Insufficient balance'),
        details,
      );
    }
    case 'LX003':
      return new UnbalancedEntryError(pg.message ?? 'Unbalanced journal entry');
    case 'LX005':
      return new DomainError(
        'ACCOUNT_CLOSED',
        `${pg.message ?? 'Account is closed'}; it takes no more postings.`,
      );
    case 'LX006':
      return new DomainError('CURRENCY_MISMATCH', pg.message ?? 'Currency mismatch');
    case 'LX007':
      return new AccountNotFoundError(
        pg.message?.replace(/^ledger account /, '').replace(/ does not exist$/, '') ?? '',
      );
    case '23505':
      if (pg.constraint === 'journal_entries_reverses_entry_id_key') {
        return new DomainError('ENTRY_ALREADY_REVERSED', 'This entry has already been reversed.');
      }
      return error;
    case '23503':
      return new AccountNotFoundError('with that id');
    default:
      return error;
  }
}
