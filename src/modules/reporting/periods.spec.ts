import {
  dateInputValue,
  lastMonths,
  localDate,
  monthAndYearToDate,
  monthAxisLabels,
  monthKey,
  monthLabel,
  startOfLocalDay,
} from './periods';

describe('startOfLocalDay', () => {
  it.each([
    ['Asia/Shanghai', 2026, 3, 1, '2026-02-28T16:00:00.000Z'],
    ['Asia/Shanghai', 2026, 13, 1, '2026-12-31T16:00:00.000Z'],
    ['Asia/Shanghai', 2026, 1, 0, '2025-12-30T16:00:00.000Z'],
    ['UTC', 2026, 2, 29, '2026-03-01T00:00:00.000Z'],
    // Either side of a daylight-saving change.
    ['Europe/Berlin', 2026, 3, 29, '2026-03-28T23:00:00.000Z'],
    ['Europe/Berlin', 2026, 3, 30, '2026-03-29T22:00:00.000Z'],
    ['America/New_York', 2026, 11, 1, '2026-11-01T04:00:00.000Z'],
  ])('%s %i-%i-%i starts at %s', (zone, y, m, d, iso) => {
    expect(startOfLocalDay(y, m, d, zone).toISOString()).toBe(iso);
  });
});

describe('localDate', () => {
  it.each([
    ['2026-02-28T15:59:59Z', { year: 2026, month: 2, day: 28 }],
    ['2026-02-28T16:00:00Z', { year: 2026, month: 3, day: 1 }],
    ['2025-12-31T16:00:00Z', { year: 2026, month: 1, day: 1 }],
  ])('%s is %o in Shanghai', (iso, expected) => {
    expect(localDate(new Date(iso))).toEqual(expected);
  });
});

describe('monthKey', () => {
  it.each([
    [2026, 1, '2026-01'],
    [2026, 0, '2025-12'],
    [2026, -10, '2025-02'],
    [2026, 14, '2027-02'],
  ])('(%i, %i) → %s', (y, m, key) => expect(monthKey(y, m)).toBe(key));
});

describe('lastMonths', () => {
  it('ends with the current Shanghai month and spans whole months', () => {
    const w = lastMonths(new Date('2026-03-01T01:00:00+08:00'), 12);
    expect(w.months).toEqual([
      '2025-04',
      '2025-05',
      '2025-06',
      '2025-07',
      '2025-08',
      '2025-09',
      '2025-10',
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
    expect(w.from.toISOString()).toBe('2025-03-31T16:00:00.000Z');
    expect(w.to.toISOString()).toBe('2026-03-31T16:00:00.000Z');
  });

  it('counts by the local calendar, not UTC (23:30 UTC on Jan 31 is February in Shanghai)', () => {
    expect(lastMonths(new Date('2026-01-31T23:30:00Z'), 1).months).toEqual(['2026-02']);
  });
});

describe('monthAndYearToDate', () => {
  it('gives the month, the year and the end of the month', () => {
    const p = monthAndYearToDate(new Date('2026-07-15T12:00:00+08:00'));
    expect([p.yearStart, p.monthStart, p.end].map((d) => d.toISOString())).toEqual([
      '2025-12-31T16:00:00.000Z',
      '2026-06-30T16:00:00.000Z',
      '2026-07-31T16:00:00.000Z',
    ]);
  });
});

describe('labels', () => {
  it.each([
    ['2026-03', 'zh-CN', '2026年3月'],
    ['2026-03', 'en', 'Mar 2026'],
  ])('monthLabel(%s, %s) = %s', (key, locale, label) =>
    expect(monthLabel(key, locale)).toBe(label),
  );

  it('puts the year under the first month and under January only', () => {
    expect(monthAxisLabels(['2025-11', '2025-12', '2026-01', '2026-02'], 'en')).toEqual({
      months: ['Nov', 'Dec', 'Jan', 'Feb'],
      years: ['2025', null, '2026', null],
    });
    expect(monthAxisLabels(['2025-12', '2026-01'], 'zh-CN')).toEqual({
      months: ['12月', '1月'],
      years: ['2025年', '2026年'],
    });
  });

  it('writes date input values in the local calendar', () => {
    expect(dateInputValue(new Date('2026-02-28T16:30:00Z'))).toBe('2026-03-01');
  });
});
