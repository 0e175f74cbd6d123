import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { RequestContext } from '../../../common/context/request-context';
import { ForbiddenError } from '../../../common/errors';
import { type SupportedLocale, words } from '../../../common/i18n/i18n';
import { formatMoney } from '../../../common/money';
import { AppConfig } from '../../../config/app-config';
import { TransactionService } from '../../../database/transaction.service';
import { AuditService } from '../../audit/audit.service';
import { canMoveMoney } from '../../funds/fund-status';
import { FundClosedError } from '../../funds/funds.errors';
import { FundOutflowService } from '../../funds/fund-outflow.service';
import { transferPostings } from '../../ledger/journal';
import { LedgerService } from '../../ledger/ledger.service';
import type { JournalEntry } from '../../ledger/ledger.types';
import { OutboxService } from '../../notifications/outbox.service';
import {
  ExpenseNotFoundError,
  ExpenseNotRequestedError,
  ExpenseRefusedError,
  ExpenseRequestKeyReusedError,
} from '../grants.errors';
import { type AttachmentFile, GrantAttachmentsService } from '../attachments/attachments.service';
import type { RequestExpenseDto } from './dto/expenses.dto';
import {
  canReadExpense,
  checkExpenseAction,
  checkRequest,
  EXPENSE_PAYMENT_DAYS,
  EXPENSE_READER_ROLES,
  type ExpenseAction,
  type ExpensePerson,
  type ExpenseStatus,
  nextExpenseStatus,
} from './expense-rules';
import { type Expense, type ExpenseListItem, ExpensesRepository } from './expenses.repository';

export interface ExpenseRequestResult {
  expense: ExpenseListItem;
  /** True when the same request key was sent before: nothing new was recorded. */
  replayed: boolean;
}

export interface ExpensePaymentResult {
  expense: ExpenseListItem;
  /** The ledger entry `expense:<id>`; null only when it could not be read back. */
  entry: JournalEntry | null;
  /** True when the expense was PAID already: nothing new was posted. */
  replayed: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The signed-in person acting; expenses are requested and decided by people. */
export function currentExpensePerson(): ExpensePerson & { name: string } {
  const actor = RequestContext.current()?.actor;
  if (actor?.kind !== 'user') {
    throw new ForbiddenError(words('errors.grants.forbidden.expenses'));
  }
  return { userId: actor.userId, roles: actor.roles, fundIds: actor.fundIds, name: actor.name };
}

/** The ledger description of an expense: bilingual, naming purpose and payee (≤ 500 chars). */
export function expenseDescription(purpose: string, payee: string): string {
  const p = purpose.length > 200 ? `${purpose.slice(0, 199)}…` : purpose;
  return `支出：${p}（${payee}） / Expense: ${p} (${payee})`.slice(0, 500);
}

/**
 * Fund expenses (smaller spending that is not a project): a community leader of the fund or
 * staff asks for a payment with payee, purpose and amount (and an invoice attached); FINANCE pays
 * it, never the requester, as one ledger entry `expense:<id>` from the fund to `payees:expenses`
 * under the fund's outflow lock (reserved money is not available); or FINANCE/ADMIN rejects it, or
 * its requester withdraws it. Each step is audited; FINANCE is emailed on a request, the requester
 * on the decision.
 */
@Injectable()
export class ExpensesService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: ExpensesRepository,
    private readonly outflow: FundOutflowService,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
    private readonly outbox: OutboxService,
    private readonly config: AppConfig,
    private readonly attachments: GrantAttachmentsService,
  ) {}

  /**
   * Records a request. With `invoice`, the file is checked and attached in the same transaction:
   * a file refused leaves no expense behind.
   */
  request(
    fundId: string,
    dto: RequestExpenseDto,
    opts: { invoice?: AttachmentFile } = {},
  ): Promise<ExpenseRequestResult> {
    const person = currentExpensePerson();
    const verdict = checkRequest(person, fundId);
    if (!verdict.allowed) throw new ExpenseRefusedError(verdict);
    return this.tx.run(async (m) => {
      const state = await this.outflow.available(fundId, { within: m });
      if (!canMoveMoney(state.fund.status)) throw new FundClosedError(state.fund.code);
      const requestKey = dto.idempotencyKey ?? null;
      if (requestKey) {
        const first = await this.repo.findByRequestKey(m, requestKey);
        if (first) return this.replay(m, first, fundId, dto, person.userId);
      }
      this.outflow.assertAvailable(state, dto.amountMinor);
      const inserted = await this.repo.insert(m, {
        fundId,
        payee: dto.payee,
        purpose: dto.purpose,
        amountMinor: dto.amountMinor,
        currency: state.fund.currency.trim(),
        requestKey,
        requestedBy: person.userId,
        paymentDueAt: new Date(Date.now() + EXPENSE_PAYMENT_DAYS * DAY_MS),
      });
      if (!inserted) {
        // A concurrent request with the same key committed between the look-up and the insert.
        const first = (await this.repo.findByRequestKey(m, requestKey!))!;
        return this.replay(m, first, fundId, dto, person.userId);
      }
      await this.audit.record(m, {
        action: 'grant.expense.requested',
        entityType: 'fund_expense',
        entityId: inserted.id,
        after: {
          fundId,
          payee: dto.payee,
          purpose: dto.purpose,
          amountMinor: dto.amountMinor,
          currency: inserted.currency,
          paymentDueAt: inserted.paymentDueAt,
        },
      });
      if (opts.invoice) {
        await this.attachments.add(
          m,
          { ownerType: 'EXPENSE', ownerId: inserted.id },
          opts.invoice,
          RequestContext.current()?.actor,
        );
      }
      const expense = (await this.repo.get(inserted.id, { within: m }))!;
      await this.emailFinance(m, expense, person.name);
      return { expense, replayed: false };
    });
  }

  /**
   * Pays a requested expense. The expense row is locked first, so of two payments at once the
   * second waits and then finds it PAID (and answers with it, posting nothing); the fund's outflow
   * lock makes payments from one fund check and post one after the other.
   */
  pay(id: string, note = ''): Promise<ExpensePaymentResult> {
    const person = currentExpensePerson();
    return this.tx.run(async (m) => {
      const expense = await this.repo.lock(m, id);
      if (!expense) throw new ExpenseNotFoundError(id);
      this.assertAllowed(person, expense, 'pay');
      if (expense.status === 'PAID') {
        const entry = await this.ledger.getEntry(expense.entryId!, { within: m }).catch(() => null);
        return { expense: (await this.repo.get(id, { within: m }))!, entry, replayed: true };
      }
      this.assertStatus(expense, 'pay');
      const state = await this.outflow.lockOutflow(m, expense.fundId);
      this.outflow.assertAvailable(state, expense.amountMinor);
      const payee = await this.ledger.ensureAccount(
        {
          code: 'payees:expenses',
          name: '费用收款方 / Expense payees',
          type: 'EXTERNAL',
          currency: expense.currency,
          allowNegative: true,
        },
        { within: m },
      );
      const { entry } = await this.ledger.post(
        {
          idempotencyKey: `expense:${expense.id}`,
          kind: 'EXPENSE',
          description: expenseDescription(expense.purpose, expense.payee),
          currency: expense.currency,
          postings: transferPostings(state.fund.accountId, payee.id, expense.amountMinor),
          metadata: { expenseId: expense.id, fundId: expense.fundId },
        },
        { within: m },
      );
      await this.repo.decide(m, expense.id, {
        status: 'PAID',
        decidedBy: person.userId,
        note,
        entryId: entry.id,
      });
      await this.audit.record(m, {
        action: 'grant.expense.paid',
        entityType: 'fund_expense',
        entityId: expense.id,
        before: { status: expense.status },
        after: { status: 'PAID', entryId: entry.id, amountMinor: expense.amountMinor },
      });
      const paid = (await this.repo.get(expense.id, { within: m }))!;
      await this.emailRequester(m, paid);
      return { expense: paid, entry, replayed: false };
    });
  }

  /** Rejects a requested expense (FINANCE or ADMIN, not its requester): nothing moves. */
  reject(id: string, note = ''): Promise<ExpenseListItem> {
    return this.close(id, 'reject', note);
  }

  /** The requester takes back a requested expense: nothing moves. */
  withdraw(id: string, note = ''): Promise<ExpenseListItem> {
    return this.close(id, 'withdraw', note);
  }

  /** One expense, for someone who may see it (404 for anyone else: it is not theirs to know). */
  async get(id: string): Promise<ExpenseListItem> {
    const person = currentExpensePerson();
    const expense = await this.repo.get(id);
    if (!expense || !canReadExpense(person, expense)) throw new ExpenseNotFoundError(id);
    return expense;
  }

  /** Expenses the viewer may see (staff: all; a leader: their funds' and their own). */
  list(
    filter: { fundId?: string; status?: ExpenseStatus; limit?: number } = {},
  ): Promise<ExpenseListItem[]> {
    const person = currentExpensePerson();
    const all = person.roles.some((r) => (EXPENSE_READER_ROLES as readonly string[]).includes(r));
    return this.repo.list({
      fundId: filter.fundId,
      status: filter.status,
      scope: all ? undefined : { fundIds: person.fundIds, requestedBy: person.userId },
      limit: Math.min(filter.limit ?? 200, 500),
    });
  }

  private async close(
    id: string,
    action: 'reject' | 'withdraw',
    note: string,
  ): Promise<ExpenseListItem> {
    const person = currentExpensePerson();
    return this.tx.run(async (m) => {
      const expense = await this.repo.lock(m, id);
      if (!expense) throw new ExpenseNotFoundError(id);
      this.assertAllowed(person, expense, action);
      const status = this.assertStatus(expense, action);
      await this.repo.decide(m, expense.id, {
        status,
        decidedBy: person.userId,
        note,
        entryId: null,
      });
      await this.audit.record(m, {
        action: action === 'reject' ? 'grant.expense.rejected' : 'grant.expense.withdrawn',
        entityType: 'fund_expense',
        entityId: expense.id,
        before: { status: expense.status },
        after: { status, note },
      });
      const closed = (await this.repo.get(expense.id, { within: m }))!;
      if (action === 'reject') await this.emailRequester(m, closed);
      return closed;
    });
  }

  private async replay(
    m: EntityManager,
    first: Expense,
    fundId: string,
    dto: RequestExpenseDto,
    userId: string,
  ): Promise<ExpenseRequestResult> {
    const same =
      first.fundId === fundId &&
      first.amountMinor === dto.amountMinor &&
      first.payee === dto.payee &&
      first.purpose === dto.purpose &&
      first.requestedBy === userId;
    if (!same) throw new ExpenseRequestKeyReusedError(first.requestKey!);
    return { expense: (await this.repo.get(first.id, { within: m }))!, replayed: true };
  }

  private assertAllowed(person: ExpensePerson, expense: Expense, action: ExpenseAction): void {
    if (!canReadExpense(person, expense)) throw new ExpenseNotFoundError(expense.id);
    const verdict = checkExpenseAction(person, expense, action);
    if (!verdict.allowed) throw new ExpenseRefusedError(verdict);
  }

  private assertStatus(expense: Expense, action: ExpenseAction): ExpenseStatus {
    const next = nextExpenseStatus(expense.status, action);
    if (!next) {
      throw new ExpenseNotRequestedError(expense.status, action);
    }
    return next;
  }

  private url(id: string): string {
    return `${this.config.publicUrl.replace(/\/$/, '')}/admin/expenses/${id}`;
  }

  /** Tells FINANCE (everyone but the requester) that an expense waits for payment. */
  private async emailFinance(m: EntityManager, e: ExpenseListItem, requesterName: string) {
    const recipients = (await this.repo.financeRecipients(m)).filter(
      (r) => r.email !== e.requester.email,
    );
    for (const r of recipients) {
      const locale = r.locale as SupportedLocale;
      await this.outbox.enqueue(m, {
        template: 'expense-requested',
        to: r.email,
        locale,
        data: {
          requesterName,
          fundName: locale === 'en' ? e.fund.nameEn : e.fund.nameZh,
          amount: formatMoney(e.amountMinor, e.currency, locale),
          payee: e.payee,
          purpose: e.purpose,
          dueAt: e.paymentDueAt,
          url: this.url(e.id),
        },
        dedupeKey: `expense:${e.id}:requested:${r.email}`,
      });
    }
  }

  /** Tells the requester their expense was paid or rejected. */
  private async emailRequester(m: EntityManager, e: ExpenseListItem) {
    const locale = e.requester.locale as SupportedLocale;
    await this.outbox.enqueue(m, {
      template: 'expense-decided',
      to: e.requester.email,
      locale,
      data: {
        requesterName: e.requester.name,
        status: e.status,
        amount: formatMoney(e.amountMinor, e.currency, locale),
        payee: e.payee,
        purpose: e.purpose,
        note: e.decisionNote,
        url: this.url(e.id),
      },
      dedupeKey: `expense:${e.id}:${e.status}`,
    });
  }
}
