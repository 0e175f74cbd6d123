import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CurrencyMismatchError, InvalidAmountError } from '../../common/errors';
import { TransactionService, type TransactionOptions } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { decodeCursor, encodeCursor } from '../../common/http/cursor';
import { checkEntry, entryFingerprint, reversingPostings, type EntryInput } from './journal';
import { LedgerCheckRepository } from './ledger-check.repository';
import {
  AccountNotFoundError,
  DuplicateAccountCodeError,
  EntryIsReversalError,
  EntryNotFoundError,
  IdempotencyKeyReusedError,
  ManualEntryBetweenFundsError,
  UnbalancedEntryError,
} from './ledger.errors';
import type { ManualEntryKind } from './dto/ledger.dto';
import { LedgerRepository, type GuardedEntry } from './ledger.repository';
import { LedgerStatementsRepository, type StatementPosition } from './ledger-statements.repository';
import type {
  AccountSpec,
  AccountType,
  CrossModuleCheckReport,
  JournalEntry,
  LedgerAccount,
  LedgerCheckReport,
  PostResult,
  StatementPage,
  StatementQuery,
} from './ledger.types';
import { words } from '../../common/i18n/i18n';

export interface MonthlyFlows {
  currency: string;
  /** The balance now. */
  balanceMinor: number;
  /** The balance at the end of the window (`to`). */
  balanceAtEndMinor: number;
  /** Months with postings only, oldest first; `month` is `YYYY-MM`. */
  months: { month: string; inflowMinor: number; outflowMinor: number }[];
}

/**
 * The ledger: accounts, append-only double-entry journal, O(1) balances. Depends on nothing but
 * the database. Every movement of money in Lianxin goes through `post`.
 */
@Injectable()
export class LedgerService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: LedgerRepository,
    private readonly audit: AuditService,
    private readonly statements: LedgerStatementsRepository,
    private readonly checks: LedgerCheckRepository,
  ) {}

  openAccount(spec: AccountSpec, opts: TransactionOptions = {}): Promise<LedgerAccount> {
    return this.tx.run((m) => this.repo.insertAccount(m, spec), opts);
  }

  /**
   * An account for an outside party. Outside accounts may go negative: their balance is what the
   * foundation's funds received from (negative) or paid to (positive) that party.
   */
  openOutsideAccount(dto: {
    code: string;
    name: string;
    type: AccountType;
    currency: string;
  }): Promise<LedgerAccount> {
    return this.tx.run(async (m) => {
      if (await this.repo.findAccountByCode(m, dto.code)) {
        throw new DuplicateAccountCodeError(dto.code);
      }
      const account = await this.repo.insertAccount(m, {
        ...dto,
        allowNegative: true,
        balanceSlots: 4,
      });
      await this.audit.record(m, {
        action: 'ledger.account_opened',
        entityType: 'ledger_account',
        entityId: account.id,
        after: account,
      });
      return account;
    });
  }

  /** System accounts (processor clearing, opening balances…) are created on first use. */
  ensureAccount(spec: AccountSpec, opts: TransactionOptions = {}): Promise<LedgerAccount> {
    return this.tx.run((m) => this.repo.upsertAccount(m, spec), opts);
  }

  closeAccount(accountId: string, opts: TransactionOptions = {}): Promise<void> {
    return this.tx.run((m) => this.repo.closeAccount(m, accountId), opts);
  }

  async hasAccounts(opts: TransactionOptions = {}): Promise<boolean> {
    return this.tx.run(
      async (m) => (await this.repo.listAccounts(m, { limit: 1 })).length > 0,
      opts,
    );
  }

  async getAccount(
    id: string,
    opts: TransactionOptions = {},
  ): Promise<LedgerAccount & { balanceMinor: number }> {
    return this.tx.run(async (m) => {
      const account = await this.repo.findAccount(m, id);
      if (!account) throw new AccountNotFoundError(id);
      const balances = await this.repo.balances(m, [id]);
      return { ...account, balanceMinor: balances.get(id) ?? 0 };
    }, opts);
  }

  async listAccounts(query: { type?: string; limit: number; cursor?: string }) {
    return this.tx.run(async (m) => {
      const afterCode = query.cursor
        ? decodeCursor<{ code: string }>(query.cursor, (c) => typeof c.code === 'string').code
        : undefined;
      const accounts = await this.repo.listAccounts(m, {
        type: query.type,
        limit: query.limit + 1,
        afterCode,
      });
      const page = accounts.slice(0, query.limit);
      const balances = await this.repo.balances(
        m,
        page.map((a) => a.id),
      );
      return {
        items: page.map((a) => ({ ...a, balanceMinor: balances.get(a.id) ?? 0 })),
        nextCursor:
          accounts.length > query.limit ? encodeCursor({ code: page.at(-1)!.code }) : null,
      };
    });
  }

  async balance(accountId: string, opts: TransactionOptions = {}): Promise<number> {
    const map = await this.balances([accountId], opts);
    return map.get(accountId) ?? 0;
  }

  /** The balance, with the account locked against outflows until the caller's transaction ends. */
  lockedBalance(manager: EntityManager, accountId: string): Promise<number> {
    return this.repo.lockedBalance(manager, accountId);
  }

  balancesByCode(
    codes: readonly string[],
    opts: TransactionOptions = {},
  ): Promise<Map<string, number>> {
    return this.tx.read((m) => this.repo.balancesByCode(m, codes), opts);
  }

  balances(
    accountIds: readonly string[],
    opts: TransactionOptions = {},
  ): Promise<Map<string, number>> {
    return this.tx.read((m) => this.repo.balances(m, accountIds), opts);
  }

  /**
   * Posts a balanced entry exactly once per idempotency key. A replay with the same effect returns
   * the first entry (`replayed: true`); the same key with a different effect is refused. Outflows
   * that would take a non-negative account below zero fail with INSUFFICIENT_FUND_BALANCE, checked
   * by the database under a lock, so concurrent outflows cannot overdraw.
   */
  async post(input: EntryInput, opts: TransactionOptions = {}): Promise<PostResult> {
    const problem = checkEntry(input.postings);
    if (problem) {
      switch (problem.problem) {
        case 'TOO_FEW_POSTINGS':
          throw new UnbalancedEntryError(words('errors.ledger.tooFewPostings'));
        case 'BAD_AMOUNT':
          throw new InvalidAmountError(
            words('errors.ledger.badPostingAmount', { number: problem.index + 1 }),
          );
        case 'UNBALANCED':
          throw new UnbalancedEntryError(words('errors.ledger.unbalanced'));
        case 'DUPLICATE_ACCOUNT':
          throw new UnbalancedEntryError(
            words('errors.ledger.duplicateAccount', { account: problem.accountId }),
          );
      }
    }
    const fingerprint = entryFingerprint(input);
    return this.tx.run(async (m) => {
      const entry = await this.repo.insertEntry(m, input, fingerprint);
      if (entry) return { entry, replayed: false };
      const head = await this.repo.findEntryHead(m, { idempotencyKey: input.idempotencyKey });
      if (!head) throw new EntryNotFoundError(input.idempotencyKey);
      if (head.fingerprint !== fingerprint)
        throw new IdempotencyKeyReusedError(input.idempotencyKey);
      const { fingerprint: _ignored, ...replayed } = head;
      return {
        entry: { ...replayed, postings: await this.repo.entryPostings(m, head.id) },
        replayed: true,
      };
    }, opts);
  }

  /**
   * Posts a new entry in one statement only if `condition` holds (LedgerRepository.insertEntryIf):
   * its payer has a free balance slot holding the amount, and the caller's own guarded update
   * changes a row. Null when not (nothing written, no lock waited for, no error): the caller then
   * takes the slow way, under locks. For a hot payer (a matching pool), where holding every slot
   * would make concurrent transactions queue.
   */
  async postIf(
    input: EntryInput,
    condition: GuardedEntry,
    opts: TransactionOptions & { within: EntityManager },
  ): Promise<JournalEntry | null> {
    const problem = checkEntry(input.postings);
    if (problem) throw new UnbalancedEntryError(words('errors.ledger.unbalanced'));
    return this.repo.insertEntryIf(opts.within, input, entryFingerprint(input), condition);
  }

  /**
   * A manual entry by finance staff (adjustment, opening balance, offline contribution, expense).
   * The entry takes the currency of its accounts, which must all exist and agree.
   */
  async postManual(dto: {
    idempotencyKey: string;
    kind: ManualEntryKind;
    description: string;
    postings: { accountId: string; amountMinor: number }[];
  }): Promise<PostResult> {
    return this.tx.run(async (m) => {
      const ids = dto.postings.map((p) => p.accountId);
      const accounts = await this.repo.findAccounts(m, ids);
      const missing = ids.filter((id) => !accounts.some((a) => a.id === id));
      if (missing.length > 0) throw new AccountNotFoundError(missing.join(', '));
      const currencies = new Set(accounts.map((a) => a.currency));
      if (currencies.size > 1) {
        throw new CurrencyMismatchError(
          words('errors.ledger.mixedCurrencies', { currencies: [...currencies].join(', ') }),
        );
      }
      // Money moves between funds only by allocation or release, which follow the movement rules
      // (restricted money never flows back): a manual entry may not take from one fund for another.
      const fundIds = new Set(accounts.filter((a) => a.type === 'FUND').map((a) => a.id));
      const fundSide = (sign: number) =>
        dto.postings.some((p) => fundIds.has(p.accountId) && Math.sign(p.amountMinor) === sign);
      if (fundSide(-1) && fundSide(1)) {
        throw new ManualEntryBetweenFundsError();
      }
      const result = await this.post(
        {
          idempotencyKey: `manual:${dto.idempotencyKey}`,
          kind: dto.kind,
          description: dto.description,
          currency: accounts[0]!.currency,
          postings: dto.postings,
        },
        { within: m },
      );
      if (!result.replayed) await this.auditEntry(m, 'ledger.entry_posted', result.entry);
      return result;
    });
  }

  /** Posts the mirror image of an entry. An entry is reversed at most once; reversals are final. */
  async reverse(
    entryId: string,
    reason: string,
    opts: TransactionOptions = {},
  ): Promise<PostResult> {
    return this.tx.run(async (m) => {
      const original = await this.getEntry(entryId, { within: m });
      if (original.reversesEntryId) {
        throw new EntryIsReversalError();
      }
      // A fixed key makes a repeated reversal request a replay, not a second reversal.
      const result = await this.post(
        this.reversalInput(original, reason, `reversal:${original.id}`),
        {
          within: m,
        },
      );
      if (!result.replayed) await this.auditEntry(m, 'ledger.entry_reversed', result.entry);
      return result;
    }, opts);
  }

  private auditEntry(
    m: EntityManager,
    action: 'ledger.entry_posted' | 'ledger.entry_reversed',
    entry: JournalEntry,
  ): Promise<void> {
    return this.audit.record(m, {
      action,
      entityType: 'journal_entry',
      entityId: entry.id,
      after: {
        kind: entry.kind,
        description: entry.description,
        reversesEntryId: entry.reversesEntryId,
        postings: entry.postings.map((p) => ({
          account: p.accountCode,
          amountMinor: p.amountMinor,
        })),
      },
    });
  }

  private reversalInput(original: JournalEntry, reason: string, key: string): EntryInput {
    return {
      idempotencyKey: key,
      kind: 'REVERSAL',
      description: reason || `Reversal of ${original.kind.toLowerCase()} ${original.id}`,
      currency: original.currency,
      postings: reversingPostings(original.postings),
      reversesEntryId: original.id,
      metadata: { reversedKind: original.kind },
    };
  }

  async getEntry(id: string, opts: TransactionOptions = {}): Promise<JournalEntry> {
    return this.tx.run(async (m) => {
      const head = await this.repo.findEntryHead(m, { id });
      if (!head) throw new EntryNotFoundError(id);
      const { fingerprint: _ignored, ...entry } = head;
      return { ...entry, postings: await this.repo.entryPostings(m, id) };
    }, opts);
  }

  async findEntryByKey(
    idempotencyKey: string,
    opts: TransactionOptions = {},
  ): Promise<JournalEntry | null> {
    return this.tx.run(async (m) => {
      const head = await this.repo.findEntryHead(m, { idempotencyKey });
      if (!head) return null;
      const { fingerprint: _ignored, ...entry } = head;
      return { ...entry, postings: await this.repo.entryPostings(m, head.id) };
    }, opts);
  }

  /** Entries by idempotency key, in two queries whatever the number of keys. */
  async findEntriesByKeys(
    keys: readonly string[],
    opts: TransactionOptions = {},
  ): Promise<Map<string, JournalEntry>> {
    return this.tx.run(async (m) => {
      const heads = await this.repo.findEntryHeadsByKeys(m, keys);
      const postings = await this.repo.postingsOfEntries(
        m,
        heads.map((h) => h.id),
      );
      return new Map(
        heads.map(({ fingerprint: _ignored, ...head }) => [
          head.idempotencyKey,
          { ...head, postings: postings.get(head.id) ?? [] },
        ]),
      );
    }, opts);
  }

  /**
   * Postings of one account, newest first, each with the balance after it. Read in one
   * REPEATABLE READ snapshot so the running balance agrees with the page. Cost is the page plus
   * an index-only sum of the postings newer than the page.
   */
  async statement(accountId: string, query: StatementQuery): Promise<StatementPage> {
    const before = query.cursor
      ? decodeCursor<StatementPosition>(
          query.cursor,
          (c) =>
            typeof c.postedMicros === 'string' &&
            /^\d{1,17}$/.test(c.postedMicros) &&
            Number.isSafeInteger(c.postingId),
        )
      : undefined;
    return this.tx.run(
      async (m) => {
        const account = await this.repo.findAccount(m, accountId);
        if (!account) throw new AccountNotFoundError(accountId);
        const balanceMinor = (await this.repo.balances(m, [accountId])).get(accountId) ?? 0;
        const rows = await this.statements.statementRows(m, accountId, {
          from: query.from,
          to: query.to,
          before,
          limit: query.limit + 1,
        });
        const page = rows.slice(0, query.limit);
        const first = page[0];
        let running = first
          ? balanceMinor -
            (await this.statements.sumAfter(m, accountId, {
              postedMicros: first.postedMicros,
              postingId: first.postingId,
            }))
          : balanceMinor;
        const counterparties = await this.statements.counterparties(
          m,
          page.map((r) => r.entryId),
          accountId,
        );
        const lines = page.map(({ postedMicros: _micros, ...row }) => {
          const line = {
            ...row,
            balanceAfterMinor: running,
            counterparties: counterparties.get(row.entryId) ?? [],
          };
          running -= row.amountMinor;
          return line;
        });
        const last = page.at(-1);
        return {
          accountId,
          currency: account.currency,
          balanceMinor,
          lines,
          nextCursor:
            rows.length > query.limit && last
              ? encodeCursor({ postedMicros: last.postedMicros, postingId: last.postingId })
              : null,
        };
      },
      { isolation: 'REPEATABLE READ' },
    );
  }

  /**
   * One account's inflow and outflow per calendar month of `timeZone` over [from, to), with the
   * balance now and at `to`, read in one REPEATABLE READ snapshot so they agree.
   */
  async monthlyFlows(
    accountId: string,
    query: { from: Date; to: Date; timeZone: string },
  ): Promise<MonthlyFlows> {
    return this.tx.run(
      async (m) => {
        const account = await this.repo.findAccount(m, accountId);
        if (!account) throw new AccountNotFoundError(accountId);
        const balanceMinor = (await this.repo.balances(m, [accountId])).get(accountId) ?? 0;
        const months = await this.statements.monthlyFlows(m, accountId, query);
        const after = await this.statements.sumSince(m, accountId, query.to);
        return {
          currency: account.currency,
          balanceMinor,
          balanceAtEndMinor: balanceMinor - after,
          months,
        };
      },
      { isolation: 'REPEATABLE READ' },
    );
  }

  /**
   * What FUND accounts hold now, and what came into them from outside in each period (see
   * LedgerStatementsRepository.inflowsFromOutside for the exact rule), in one snapshot.
   */
  async fundTotals(query: {
    currency: string;
    periods: readonly { from: Date; to: Date }[];
  }): Promise<{ heldMinor: number; raisedMinor: number[] }> {
    return this.tx.run(
      async (m) => {
        const heldMinor = await this.statements.totalBalance(m, {
          type: 'FUND',
          currency: query.currency,
        });
        const raisedMinor: number[] = [];
        for (const period of query.periods) {
          raisedMinor.push(
            await this.statements.inflowsFromOutside(m, { ...period, currency: query.currency }),
          );
        }
        return { heldMinor, raisedMinor };
      },
      { isolation: 'REPEATABLE READ' },
    );
  }

  /** The ledger's own invariants, from scratch, in one snapshot. */
  check(): Promise<LedgerCheckReport> {
    return this.tx.run((m) => this.checks.check(m), { isolation: 'REPEATABLE READ' });
  }

  /**
   * Gifts, matches and campaign totals against the ledger (LedgerCheckRepository.crossModule), in
   * one snapshot: `npm run ledger:check` runs it after `check`.
   */
  checkAcrossModules(): Promise<CrossModuleCheckReport> {
    return this.tx.run((m) => this.checks.crossModule(m), { isolation: 'REPEATABLE READ' });
  }
}
