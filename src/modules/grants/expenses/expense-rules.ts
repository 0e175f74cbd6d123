/**
 * Fund expenses: their lifecycle and who may act on them. Pure: no Nest, no TypeORM.
 *
 * An expense is requested (REQUESTED) by a COMMUNITY_LEADER for a fund in their scope, or by a
 * GRANTS_OFFICER, ADMIN or FINANCE user for any fund. FINANCE pays it (PAID, in the transaction
 * that posts the ledger entry), never the person who asked; FINANCE or ADMIN rejects it (REJECTED,
 * nothing moves), again never its requester; the requester withdraws it (WITHDRAWN). PAID,
 * REJECTED and WITHDRAWN are final.
 */
import { words, type Words } from '../../../common/i18n/i18n';
import type { Role } from '../../../common/auth/roles';

export const EXPENSE_STATUSES = ['REQUESTED', 'PAID', 'REJECTED', 'WITHDRAWN'] as const;
export type ExpenseStatus = (typeof EXPENSE_STATUSES)[number];
export type ExpenseAction = 'pay' | 'reject' | 'withdraw';

/** Days FINANCE has to pay or reject a requested expense. */
export const EXPENSE_PAYMENT_DAYS = 5;

const TRANSITIONS: Record<ExpenseStatus, Partial<Record<ExpenseAction, ExpenseStatus>>> = {
  REQUESTED: { pay: 'PAID', reject: 'REJECTED', withdraw: 'WITHDRAWN' },
  PAID: {},
  REJECTED: {},
  WITHDRAWN: {},
};

export function nextExpenseStatus(
  current: ExpenseStatus,
  action: ExpenseAction,
): ExpenseStatus | null {
  return TRANSITIONS[current][action] ?? null;
}

/** Roles that may request an expense from any fund. */
export const EXPENSE_STAFF_ROLES = [
  'ADMIN',
  'FINANCE',
  'GRANTS_OFFICER',
] as const satisfies readonly Role[];
/** Roles that see every expense. */
export const EXPENSE_READER_ROLES = [
  'ADMIN',
  'FINANCE',
  'GRANTS_OFFICER',
] as const satisfies readonly Role[];

export interface ExpensePerson {
  userId: string;
  roles: readonly Role[];
  /** Funds a COMMUNITY_LEADER leads. */
  fundIds: readonly string[];
}

export interface ExpenseFacts {
  fundId: string;
  requestedBy: string;
}

export type ExpenseVerdict =
  | { allowed: true }
  | { allowed: false; code: 'EXPENSE_NOT_ALLOWED' | 'SELF_APPROVAL'; words: Words };

const has = (p: ExpensePerson, ...roles: Role[]) => roles.some((r) => p.roles.includes(r));
const ok: ExpenseVerdict = { allowed: true };
const no = (key: string): ExpenseVerdict => ({
  allowed: false,
  code: 'EXPENSE_NOT_ALLOWED',
  words: words(`errors.grants.expense.${key}`),
});

/** Whether `person` may ask for an expense to be paid from fund `fundId`. */
export function checkRequest(person: ExpensePerson, fundId: string): ExpenseVerdict {
  if (has(person, ...EXPENSE_STAFF_ROLES)) return ok;
  if (has(person, 'COMMUNITY_LEADER') && person.fundIds.includes(fundId)) return ok;
  return no('requesters');
}

/** Whether `person` may see an expense: its requester, staff, and the fund's leaders. */
export function canReadExpense(person: ExpensePerson, expense: ExpenseFacts): boolean {
  return (
    expense.requestedBy === person.userId ||
    has(person, ...EXPENSE_READER_ROLES) ||
    (has(person, 'COMMUNITY_LEADER') && person.fundIds.includes(expense.fundId))
  );
}

/** Whether `person` may take `action` on an expense (its status is checked separately). */
export function checkExpenseAction(
  person: ExpensePerson,
  expense: ExpenseFacts,
  action: ExpenseAction,
): ExpenseVerdict {
  const own = expense.requestedBy === person.userId;
  switch (action) {
    case 'pay':
      if (!has(person, 'FINANCE')) return no('payers');
      if (own) {
        return {
          allowed: false,
          code: 'SELF_APPROVAL',
          words: words('errors.grants.expense.selfPay'),
        };
      }
      return ok;
    case 'reject':
      if (!has(person, 'FINANCE', 'ADMIN')) return no('rejecters');
      if (own) {
        return {
          allowed: false,
          code: 'SELF_APPROVAL',
          words: words('errors.grants.expense.selfReject'),
        };
      }
      return ok;
    case 'withdraw':
      return own ? ok : no('withdrawer');
  }
}
