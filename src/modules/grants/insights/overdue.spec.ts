import {
  beijingDate,
  daysOverdue,
  type OverdueItem,
  type Person,
  recipientsFor,
  reminderKey,
} from './overdue';

const person = (id: string, roles: Person['roles']): Person => ({
  id,
  email: `${id}@example.org`,
  name: id,
  locale: 'zh-CN',
  roles,
});
const item = (over: Partial<OverdueItem>): OverdueItem => ({
  kind: 'tranche',
  id: 'x',
  title: 'T',
  seq: null,
  dueAt: new Date('2026-03-01T00:00:00Z'),
  roundId: null,
  fundId: null,
  assigneeId: null,
  excludedUserIds: [],
  ...over,
});

describe('overdue items', () => {
  const people = [
    person('fin1', ['FINANCE']),
    person('fin2', ['FINANCE']),
    person('off', ['GRANTS_OFFICER']),
    person('adm', ['ADMIN']),
    person('rev', ['REVIEWER']),
  ];

  it('reminds the assigned reviewer of a review', () => {
    expect(
      recipientsFor(item({ kind: 'review', assigneeId: 'rev' }), people).map((p) => p.id),
    ).toEqual(['rev']);
  });

  it('reminds FINANCE of a tranche, never its requester', () => {
    expect(recipientsFor(item({ excludedUserIds: ['fin1'] }), people).map((p) => p.id)).toEqual([
      'fin2',
    ]);
  });

  it('reminds officers of reports and evaluations', () => {
    expect(recipientsFor(item({ kind: 'report' }), people).map((p) => p.id)).toEqual(['off']);
    expect(recipientsFor(item({ kind: 'evaluation' }), people).map((p) => p.id)).toEqual(['off']);
  });

  it('falls back to ADMINs when nobody else may act', () => {
    expect(
      recipientsFor(item({ kind: 'expense', excludedUserIds: ['fin1', 'fin2'] }), people).map(
        (p) => p.id,
      ),
    ).toEqual(['adm']);
  });

  it('counts whole days overdue and keys reminders by Beijing date', () => {
    const due = new Date('2026-03-01T00:00:00Z');
    expect(daysOverdue(due, new Date('2026-03-01T01:00:00Z'))).toBe(0);
    expect(daysOverdue(due, new Date('2026-03-03T23:00:00Z'))).toBe(2);
    expect(daysOverdue(due, new Date('2026-03-03T00:00:00Z'))).toBe(2);
    expect(beijingDate(new Date('2026-03-01T16:30:00Z'))).toBe('2026-03-02');
    expect(reminderKey('tranche', 't1', '2026-03-02', 'u1')).toBe(
      'reminder:tranche:t1:2026-03-02:u1',
    );
  });
});
