import { dateRange } from './date-range';

describe('dateRange', () => {
  it.each([
    [undefined, undefined, {}, {}],
    ['2026-03-01', undefined, { from: '2026-02-28T16:00:00.000Z' }, {}],
    [undefined, '2026-03-31', { to: '2026-03-31T16:00:00.000Z' }, {}],
    [
      '2026-03-01',
      '2026-03-01',
      { from: '2026-02-28T16:00:00.000Z', to: '2026-03-01T16:00:00.000Z' },
      {},
    ],
    [
      '2026-03-02',
      '2026-03-01',
      { from: '2026-03-01T16:00:00.000Z', to: '2026-03-01T16:00:00.000Z' },
      { to: 'admin.errors.dateOrder' },
    ],
    ['2026-02-30', 'x', {}, { from: 'admin.errors.date', to: 'admin.errors.date' }],
    [
      '1900-01-01',
      '9999-12-31',
      {},
      { from: 'admin.errors.dateYears', to: 'admin.errors.dateYears' },
    ],
    ['-271821-04-20', '12345', {}, { from: 'admin.errors.date', to: 'admin.errors.date' }],
  ])('%j – %j', (from, to, range, errors) => {
    const r = dateRange(from, to);
    expect(
      Object.fromEntries(Object.entries(r.range).map(([k, v]) => [k, v.toISOString()])),
    ).toEqual(range);
    expect(r.errors).toEqual(errors);
  });
});
