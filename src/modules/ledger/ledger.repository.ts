import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CurrencyMismatchError } from '../../common/errors';
import { inLockOrder, type EntryInput } from './journal';
import {
  AccountClosedError,
  AccountNotFoundError,
  EntryAlreadyReversedError,
  InsufficientFundBalanceError,
  UnbalancedEntryError,
} from './ledger.errors';
import {
  JOURNAL_ENTRIES,
  LEDGER_ACCOUNTS,
  LEDGER_ACCOUNT_BALANCES,
  POSTINGS,
} from './ledger.tables';
import type { AccountSpec, JournalEntry, LedgerAccount, PostedPosting } from './ledger.types';
import { words } from '../../common/i18n/i18n';

type Row = Record<string, unknown>;

const ACCOUNT_COLUMNS = LEDGER_ACCOUNTS.select();

const toAccount = (row: Row): LedgerAccount => LEDGER_ACCOUNTS.map(row);

const ENTRY_FIELDS = [
  'id',
  'idempotencyKey',
  'kind',
  'description',
  'currency',
  'reversesEntryId',
  'metadata',
  'postedAt',
] as const;

export type EntryHead = Omit<JournalEntry, 'postings'> & { fingerprint: string };

/** See LedgerRepository.insertEntryIf. */
export interface GuardedEntry {
  /** The account paying out, from one of its slots. */
  payer: string;
  amountMinor: number;
  /**
   * `UPDATE … WHERE …` (no RETURNING): the entry is posted only if it changes a row. `param`
   * adds a parameter and answers its placeholder.
   */
  when: (param: (value: unknown) => string) => string;
}

/** A posting with its account's code and name, from `p` joined to `a` (see POSTING_COLUMNS). */
const POSTING_COLUMNS = `p.id AS "postingId", p.entry_id AS "entryId", p.account_id AS "accountId",
  p.amount_minor AS "amountMinor", a.code AS "accountCode", a.name AS "accountName"`;

function toPosting(row: Row): PostedPosting {
  return {
    id: POSTINGS.value('id', row.postingId),
    accountId: POSTINGS.value('accountId', row.accountId),
    accountCode: LEDGER_ACCOUNTS.value('code', row.accountCode),
    accountName: LEDGER_ACCOUNTS.value('name', row.accountName),
    amountMinor: POSTINGS.value('amountMinor', row.amountMinor),
  };
}

/** The sum of some balance slots (NULL when there are none: 0). */
function sumOf(raw: unknown): number {
  return raw === null || raw === undefined ? 0 : LEDGER_ACCOUNT_BALANCES.value('balanceMinor', raw);
}

/**
 * Accounts, balances and posting: the ledger's write path and the reads it needs. Writes are plain
 * SQL so each posting is one round trip; the database triggers (see the first migration) keep
 * balances and enforce the invariants, and this class turns their SQLSTATEs into coded domain
 * errors. Statements and reports are read by LedgerStatementsRepository, the from-scratch check by
 * LedgerCheckRepository.
 */
@Injectable()
export class LedgerRepository {
  async insertAccount(manager: EntityManager, spec: AccountSpec): Promise<LedgerAccount> {
    const rows: Row[] = await manager.query(
      `INSERT INTO ledger_accounts (code, name, type, currency, allow_negative, balance_slots)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ACCOUNT_COLUMNS}`,
      [spec.code, spec.name, spec.type, spec.currency, spec.allowNegative, spec.balanceSlots ?? 1],
    );
    return toAccount(rows[0]!);
  }

  /** Creates the account if missing (concurrency-safe), then returns it. */
  async upsertAccount(manager: EntityManager, spec: AccountSpec): Promise<LedgerAccount> {
    await manager.query(
      `INSERT INTO ledger_accounts (code, name, type, currency, allow_negative, balance_slots)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING`,
      [spec.code, spec.name, spec.type, spec.currency, spec.allowNegative, spec.balanceSlots ?? 1],
    );
    const account = await this.findAccountByCode(manager, spec.code);
    if (!account) throw new AccountNotFoundError(spec.code);
    return account;
  }

  async findAccount(manager: EntityManager, id: string): Promise<LedgerAccount | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = $1`,
      [id],
    );
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async findAccountByCode(manager: EntityManager, code: string): Promise<LedgerAccount | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE code = $1`,
      [code],
    );
    return rows[0] ? toAccount(rows[0]) : null;
  }

  async findAccounts(manager: EntityManager, ids: readonly string[]): Promise<LedgerAccount[]> {
    if (ids.length === 0) return [];
    const rows: Row[] = await manager.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map(toAccount);
  }

  async listAccounts(
    manager: EntityManager,
    opts: { type?: string; limit: number; afterCode?: string },
  ): Promise<LedgerAccount[]> {
    const rows: Row[] = await manager.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts
       WHERE ($1::text IS NULL OR type = $1) AND ($2::text IS NULL OR code > $2)
       ORDER BY code LIMIT $3`,
      [opts.type ?? null, opts.afterCode ?? null, opts.limit],
    );
    return rows.map(toAccount);
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
    const rows: Row[] = await manager.query(
      `SELECT sum(balance_minor) AS balance FROM (
         SELECT balance_minor FROM ledger_account_balances WHERE account_id = $1 ORDER BY slot FOR UPDATE
       ) locked`,
      [accountId],
    );
    return sumOf(rows[0]?.balance);
  }

  /** Balances of accounts by code; codes with no account are left out (their balance is 0). */
  async balancesByCode(
    manager: EntityManager,
    codes: readonly string[],
  ): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    if (codes.length === 0) return result;
    const rows: Row[] = await manager.query(
      `SELECT a.code, sum(b.balance_minor) AS balance
       FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
       WHERE a.code = ANY($1::text[]) GROUP BY a.code`,
      [codes],
    );
    for (const row of rows) result.set(LEDGER_ACCOUNTS.value('code', row.code), sumOf(row.balance));
    return result;
  }

  /** O(1) in the number of postings: the sum of the account's few balance slots. */
  async balances(
    manager: EntityManager,
    accountIds: readonly string[],
  ): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    if (accountIds.length === 0) return result;
    const rows: Row[] = await manager.query(
      `SELECT account_id AS "accountId", sum(balance_minor) AS balance
       FROM ledger_account_balances WHERE account_id = ANY($1::uuid[]) GROUP BY account_id`,
      [accountIds],
    );
    for (const row of rows) {
      result.set(LEDGER_ACCOUNT_BALANCES.value('accountId', row.accountId), sumOf(row.balance));
    }
    return result;
  }

  /**
   * Inserts the entry and its postings in one statement and returns the new entry, or null when
   * the idempotency key already exists (ON CONFLICT DO NOTHING waits for a concurrent insert of
   * the same key to commit or roll back, so exactly one wins). One round trip matters: the
   * posting trigger holds the account's balance slot until commit.
   */
  insertEntry(
    manager: EntityManager,
    input: EntryInput,
    fingerprint: string,
  ): Promise<JournalEntry | null> {
    return this.insertEntryIf(manager, input, fingerprint, null);
  }

  /**
   * The same, in the same one statement, only if `condition.payer` has a balance slot that holds
   * `amountMinor` and that no other transaction holds (locked here, FOR UPDATE SKIP LOCKED, in the
   * order the posting trigger looks for one, so its outflow takes that slot) and `condition.when`
   * (a data-modifying statement of the caller's module, e.g. raising a counter within its cap)
   * returns a row. It never waits for another transaction's slot and never fails for want of
   * money: null when any condition is not met (or the key exists), and nothing is written.
   */
  insertEntryIf(
    manager: EntityManager,
    input: EntryInput,
    fingerprint: string,
    condition: GuardedEntry | null,
  ): Promise<JournalEntry | null> {
    const postings = inLockOrder(input.postings);
    const params: unknown[] = [
      input.idempotencyKey,
      input.kind,
      input.description ?? '',
      input.currency,
      fingerprint,
      input.reversesEntryId ?? null,
      JSON.stringify(input.metadata ?? {}),
      postings.map((p) => p.accountId),
      postings.map((p) => p.amountMinor),
      input.occurredAt ?? null,
    ];
    let guard = '';
    let from = '';
    if (condition) {
      const param = (value: unknown) => `$${params.push(value)}`;
      const payer = param(condition.payer);
      const amount = param(condition.amountMinor);
      guard = `slot AS (
           SELECT slot FROM ledger_account_balances
           WHERE account_id = ${payer} AND balance_minor >= ${amount}
           ORDER BY (slot + pg_backend_pid()) % (SELECT balance_slots FROM ledger_accounts WHERE id = ${payer})
           FOR UPDATE SKIP LOCKED LIMIT 1
         ), guard AS (
           ${condition.when(param)}
             AND EXISTS (SELECT 1 FROM slot)
             AND NOT EXISTS (SELECT 1 FROM journal_entries WHERE idempotency_key = $1)
           RETURNING 1
         ), `;
      from = ' FROM guard';
    }
    return this.runInsert(
      manager,
      `WITH ${guard}e AS (
           INSERT INTO journal_entries (idempotency_key, kind, description, currency, fingerprint, reverses_entry_id, metadata, occurred_at)
           SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::uuid, $7::jsonb, CASE WHEN $10::timestamptz IS NULL THEN NULL ELSE least($10::timestamptz, now()) END${from}
           ON CONFLICT (idempotency_key) DO NOTHING
           RETURNING id, idempotency_key, kind, description, currency, reverses_entry_id, metadata, posted_at
         ), p AS (
           INSERT INTO postings (entry_id, account_id, amount_minor)
           SELECT e.id, x.account_id, x.amount_minor
           FROM e, unnest($8::uuid[], $9::bigint[]) WITH ORDINALITY AS x(account_id, amount_minor, n)
           ORDER BY x.n
           RETURNING id, entry_id, account_id, amount_minor
         )
         SELECT ${JOURNAL_ENTRIES.selectSome(ENTRY_FIELDS, 'e')}, ${POSTING_COLUMNS}
         FROM e JOIN p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
         ORDER BY p.id`,
      params,
    );
  }

  private async runInsert(
    manager: EntityManager,
    sql: string,
    params: unknown[],
  ): Promise<JournalEntry | null> {
    let rows: Row[];
    try {
      rows = await manager.query(sql, params);
    } catch (error) {
      throw translateLedgerError(error);
    }
    const [first] = rows;
    if (!first) return null;
    return {
      ...JOURNAL_ENTRIES.mapSome(first, ENTRY_FIELDS),
      reversedByEntryId: null,
      postings: rows.map(toPosting),
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

  private async entryHeads(
    manager: EntityManager,
    where: string,
    params: unknown[],
  ): Promise<EntryHead[]> {
    const rows: Row[] = await manager.query(
      `SELECT ${JOURNAL_ENTRIES.selectSome([...ENTRY_FIELDS, 'fingerprint'], 'e')},
              r.id AS "reversedByEntryId"
       FROM journal_entries e LEFT JOIN journal_entries r ON r.reverses_entry_id = e.id
       WHERE ${where}`,
      params,
    );
    return rows.map((row) => ({
      ...JOURNAL_ENTRIES.mapSome(row, [...ENTRY_FIELDS, 'fingerprint']),
      reversedByEntryId:
        row.reversedByEntryId === null ? null : JOURNAL_ENTRIES.value('id', row.reversedByEntryId),
    }));
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
    const rows: Row[] = await manager.query(
      `SELECT ${POSTING_COLUMNS}
         FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
         WHERE p.entry_id = ANY($1::uuid[]) ORDER BY p.id`,
      [entryIds],
    );
    for (const r of rows) {
      const entryId = POSTINGS.value('entryId', r.entryId);
      const list = result.get(entryId) ?? [];
      list.push(toPosting(r));
      result.set(entryId, list);
    }
    return result;
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
          ? words('errors.ledger.accountShort', { account: String(details.account) })
          : words('errors.code.INSUFFICIENT_FUND_BALANCE'),
        details,
      );
    }
    case 'LX003':
      return new UnbalancedEntryError(words('errors.code.UNBALANCED_ENTRY'));
    case 'LX005':
      return new AccountClosedError();
    case 'LX006':
      return new CurrencyMismatchError(words('errors.ledger.currencyMismatch'));
    case 'LX007':
      return new AccountNotFoundError(
        pg.message?.replace(/^ledger account /, '').replace(/ does not exist$/, ''),
      );
    case '23505':
      if (pg.constraint === 'journal_entries_reverses_entry_id_key') {
        return new EntryAlreadyReversedError();
      }
      return error;
    case '23503':
      return new AccountNotFoundError();
    default:
      return error;
  }
}
