import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { col, defineTable } from '../../../database/table-map';
import type { TransactionOptions } from '../../../database/transaction.service';
import type { ExpenseStatus } from './expense-rules';

/** The fund_expenses table, mapped once: SELECT list and typed rows. */
export const FUND_EXPENSES = defineTable('fund_expenses', {
  id: col.uuid('id'),
  fundId: col.uuid('fund_id'),
  payee: col.text('payee'),
  purpose: col.text('purpose'),
  amountMinor: col.bigint('amount_minor'),
  currency: col.char('currency'),
  status: col.text<ExpenseStatus>('status'),
  requestKey: col.text.nullable('request_key'),
  requestedBy: col.uuid('requested_by'),
  requestedAt: col.timestamptz('requested_at'),
  paymentDueAt: col.timestamptz('payment_due_at'),
  decidedBy: col.uuid.nullable('decided_by'),
  decidedAt: col.timestamptz.nullable('decided_at'),
  decisionNote: col.text('decision_note'),
  entryId: col.uuid.nullable('entry_id'),
});

export interface Expense {
  id: string;
  fundId: string;
  payee: string;
  purpose: string;
  amountMinor: number;
  currency: string;
  status: ExpenseStatus;
  requestKey: string | null;
  requestedBy: string;
  requestedAt: Date;
  paymentDueAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string;
  entryId: string | null;
}

/** An expense with the names a person reads: its fund and the people who asked and decided. */
export interface ExpenseListItem extends Expense {
  fund: { code: string; nameZh: string; nameEn: string; kind: string };
  requester: { name: string; email: string; locale: string };
  decider: { name: string; email: string } | null;
  attachmentCount: number;
}

const COLUMNS = FUND_EXPENSES.select('e');

const LIST_COLUMNS = `${COLUMNS},
  json_build_object('code', f.code, 'nameZh', f.name_zh, 'nameEn', f.name_en, 'kind', f.kind) AS fund,
  json_build_object('name', ru.name, 'email', ru.email, 'locale', ru.locale) AS requester,
  CASE WHEN du.id IS NULL THEN NULL ELSE json_build_object('name', du.name, 'email', du.email) END AS decider,
  (SELECT count(*)::int FROM grant_attachments a
     WHERE a.owner_type = 'EXPENSE' AND a.owner_id = e.id) AS "attachmentCount"`;

const LIST_FROM = `fund_expenses e
  JOIN funds f ON f.id = e.fund_id
  JOIN users ru ON ru.id = e.requested_by
  LEFT JOIN users du ON du.id = e.decided_by`;

type Row = Record<string, unknown>;

const toExpense = (row: Row): Expense => FUND_EXPENSES.map(row);

function toListItem(row: Row): ExpenseListItem {
  return {
    ...toExpense(row),
    fund: row.fund as ExpenseListItem['fund'],
    requester: row.requester as ExpenseListItem['requester'],
    decider: row.decider as ExpenseListItem['decider'],
    attachmentCount: Number(row.attachmentCount ?? 0),
  };
}

export interface ExpenseFilter {
  fundId?: string;
  status?: ExpenseStatus;
  /** Only these funds, or these people's own requests (a leader's view); unset: everything. */
  scope?: { fundIds: readonly string[]; requestedBy: string };
  limit: number;
}

/** The only place that queries fund_expenses. */
@Injectable()
export class ExpensesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts a REQUESTED expense; null when its request key is taken (a resubmitted form). */
  async insert(
    manager: EntityManager,
    e: Pick<
      Expense,
      | 'fundId'
      | 'payee'
      | 'purpose'
      | 'amountMinor'
      | 'currency'
      | 'requestKey'
      | 'requestedBy'
      | 'paymentDueAt'
    >,
  ): Promise<Expense | null> {
    const rows: Row[] = await manager.query(
      `INSERT INTO fund_expenses AS e (fund_id, payee, purpose, amount_minor, currency,
         request_key, requested_by, payment_due_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (request_key) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        e.fundId,
        e.payee,
        e.purpose,
        e.amountMinor,
        e.currency,
        e.requestKey,
        e.requestedBy,
        e.paymentDueAt,
      ],
    );
    return rows[0] ? toExpense(rows[0]) : null;
  }

  async findByRequestKey(manager: EntityManager, key: string): Promise<Expense | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${COLUMNS} FROM fund_expenses e WHERE e.request_key = $1`,
      [key],
    );
    return rows[0] ? toExpense(rows[0]) : null;
  }

  /** Locks an expense for a decision; a concurrent decision waits here, then sees this one's. */
  async lock(manager: EntityManager, id: string): Promise<Expense | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${COLUMNS} FROM fund_expenses e WHERE e.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? toExpense(rows[0]) : null;
  }

  async decide(
    manager: EntityManager,
    id: string,
    decision: { status: ExpenseStatus; decidedBy: string; note: string; entryId: string | null },
  ): Promise<void> {
    await manager.query(
      `UPDATE fund_expenses SET status = $2, decided_by = $3, decided_at = now(),
         decision_note = $4, entry_id = $5
       WHERE id = $1 AND status = 'REQUESTED'`,
      [id, decision.status, decision.decidedBy, decision.note, decision.entryId],
    );
  }

  async get(id: string, opts: TransactionOptions = {}): Promise<ExpenseListItem | null> {
    const rows: Row[] = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM} WHERE e.id = $1`,
      [id],
    );
    return rows[0] ? toListItem(rows[0]) : null;
  }

  /** Expenses by filter: requested ones oldest due first, decided ones newest first. */
  async list(filter: ExpenseFilter): Promise<ExpenseListItem[]> {
    const params: unknown[] = [filter.limit];
    const where: string[] = [];
    if (filter.fundId) {
      params.push(filter.fundId);
      where.push(`e.fund_id = $${params.length}`);
    }
    if (filter.status) {
      params.push(filter.status);
      where.push(`e.status = $${params.length}`);
    }
    if (filter.scope) {
      params.push(filter.scope.fundIds, filter.scope.requestedBy);
      where.push(
        `(e.fund_id = ANY($${params.length - 1}::uuid[]) OR e.requested_by = $${params.length})`,
      );
    }
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${LIST_COLUMNS} FROM ${LIST_FROM}
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY e.status = 'REQUESTED' DESC,
         CASE WHEN e.status = 'REQUESTED' THEN e.payment_due_at END ASC,
         e.requested_at DESC, e.id DESC
       LIMIT $1`,
      params,
    );
    return rows.map(toListItem);
  }

  /** Emails of active FINANCE users (who pay expenses), with their locale. */
  async financeRecipients(
    manager: EntityManager,
  ): Promise<{ email: string; locale: string; name: string }[]> {
    return manager.query(
      `SELECT DISTINCT u.email, u.locale, u.name FROM users u
         JOIN user_roles r ON r.user_id = u.id
       WHERE r.role = 'FINANCE' AND u.status = 'ACTIVE'
       ORDER BY u.email LIMIT 50`,
    );
  }
}
