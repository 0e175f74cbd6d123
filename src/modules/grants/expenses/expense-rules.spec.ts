import type { Role } from '../../../common/auth/roles';
import {
  canReadExpense,
  checkExpenseAction,
  checkRequest,
  type ExpensePerson,
  nextExpenseStatus,
} from './expense-rules';

const person = (userId: string, roles: Role[], fundIds: string[] = []): ExpensePerson => ({
  userId,
  roles,
  fundIds,
});
const expense = { fundId: 'f1', requestedBy: 'asker' };

describe('expense lifecycle', () => {
  it('moves a requested expense to paid, rejected or withdrawn, and nothing after', () => {
    expect(nextExpenseStatus('REQUESTED', 'pay')).toBe('PAID');
    expect(nextExpenseStatus('REQUESTED', 'reject')).toBe('REJECTED');
    expect(nextExpenseStatus('REQUESTED', 'withdraw')).toBe('WITHDRAWN');
    for (const done of ['PAID', 'REJECTED', 'WITHDRAWN'] as const) {
      for (const action of ['pay', 'reject', 'withdraw'] as const) {
        expect(nextExpenseStatus(done, action)).toBeNull();
      }
    }
  });
});

describe('who may request', () => {
  it.each([
    [['ADMIN'], true],
    [['FINANCE'], true],
    [['GRANTS_OFFICER'], true],
    [['REVIEWER'], false],
    [['PLANNER'], false],
  ] as [Role[], boolean][])('%j from any fund: %s', (roles, allowed) => {
    expect(checkRequest(person('u', roles), 'f1').allowed).toBe(allowed);
  });

  it('lets a community leader request from their own fund only', () => {
    expect(checkRequest(person('u', ['COMMUNITY_LEADER'], ['f1']), 'f1').allowed).toBe(true);
    const other = checkRequest(person('u', ['COMMUNITY_LEADER'], ['f2']), 'f1');
    expect(other).toMatchObject({ allowed: false, code: 'EXPENSE_NOT_ALLOWED' });
  });
});

describe('who may decide', () => {
  it('pays by FINANCE, never the requester', () => {
    expect(checkExpenseAction(person('f', ['FINANCE']), expense, 'pay').allowed).toBe(true);
    expect(checkExpenseAction(person('asker', ['FINANCE']), expense, 'pay')).toMatchObject({
      allowed: false,
      code: 'SELF_APPROVAL',
    });
    for (const role of ['ADMIN', 'GRANTS_OFFICER', 'COMMUNITY_LEADER'] as Role[]) {
      expect(checkExpenseAction(person('x', [role], ['f1']), expense, 'pay')).toMatchObject({
        allowed: false,
        code: 'EXPENSE_NOT_ALLOWED',
      });
    }
  });

  it('rejects by FINANCE or ADMIN, never the requester', () => {
    expect(checkExpenseAction(person('f', ['FINANCE']), expense, 'reject').allowed).toBe(true);
    expect(checkExpenseAction(person('a', ['ADMIN']), expense, 'reject').allowed).toBe(true);
    expect(checkExpenseAction(person('o', ['GRANTS_OFFICER']), expense, 'reject').allowed).toBe(
      false,
    );
    expect(checkExpenseAction(person('asker', ['ADMIN']), expense, 'reject')).toMatchObject({
      code: 'SELF_APPROVAL',
    });
  });

  it('withdraws by the requester only', () => {
    expect(
      checkExpenseAction(person('asker', ['COMMUNITY_LEADER']), expense, 'withdraw').allowed,
    ).toBe(true);
    expect(checkExpenseAction(person('a', ['ADMIN']), expense, 'withdraw').allowed).toBe(false);
  });
});

describe('who may read', () => {
  it('shows an expense to its requester, staff and the fund leaders only', () => {
    expect(canReadExpense(person('asker', ['COMMUNITY_LEADER']), expense)).toBe(true);
    expect(canReadExpense(person('f', ['FINANCE']), expense)).toBe(true);
    expect(canReadExpense(person('o', ['GRANTS_OFFICER']), expense)).toBe(true);
    expect(canReadExpense(person('l', ['COMMUNITY_LEADER'], ['f1']), expense)).toBe(true);
    expect(canReadExpense(person('l', ['COMMUNITY_LEADER'], ['f2']), expense)).toBe(false);
    expect(canReadExpense(person('r', ['REVIEWER']), expense)).toBe(false);
  });
});
