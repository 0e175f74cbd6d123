import { translate } from '../i18n/i18n';
import { dateProblemKey, parseCalendarDate, parseStrictDate } from './strict-date';

describe('parseStrictDate', () => {
  it.each([
    ['2026-09-07', '2026-09-06T16:00:00.000Z'],
    ['2026-09-07T09:30', '2026-09-07T01:30:00.000Z'],
    ['2026-09-07T09:30:15', '2026-09-07T01:30:15.000Z'],
    ['2026-09-07T09:30:15.5Z', '2026-09-07T09:30:15.500Z'],
    ['2026-09-07T09:30:15.123456789Z', '2026-09-07T09:30:15.123Z'],
    ['2026-09-07T00:00:00+08:00', '2026-09-06T16:00:00.000Z'],
    ['2026-09-07T00:00:00-05:30', '2026-09-07T05:30:00.000Z'],
    ['2024-02-29', '2024-02-28T16:00:00.000Z'],
    ['2000-02-29T12:00:00Z', '2000-02-29T12:00:00.000Z'],
    ['2000-01-01', '1999-12-31T16:00:00.000Z'],
    ['2100-12-31T23:59:59Z', '2100-12-31T23:59:59.000Z'],
  ])('%s is %s', (text, iso) => {
    const parsed = parseStrictDate(text);
    expect(parsed.ok && parsed.date.toISOString()).toBe(iso);
  });

  it.each([
    [true, 'format'],
    [12345, 'format'],
    [null, 'format'],
    [{}, 'format'],
    ['12345', 'format'],
    ['', 'format'],
    ['tomorrow', 'format'],
    ['2026-9-7', 'format'],
    ['2026-09-07 09:30', 'format'],
    ['2026-09-07T09', 'format'],
    ['2026-09-07T09:30+0800', 'format'],
    ['-271821-04-20T00:00:00Z', 'format'],
    ['+275760-09-13T00:00:00Z', 'format'],
    ['2026-09-07T09:30:00Z'.padEnd(41, ' '), 'format'],
    ['2026-02-30', 'calendar'],
    ['2026-02-29', 'calendar'],
    ['2100-02-29', 'calendar'],
    ['2026-13-01', 'calendar'],
    ['2026-00-10', 'calendar'],
    ['2026-04-31T10:00:00Z', 'calendar'],
    ['2026-06-01T24:00:00Z', 'time'],
    ['2026-06-01T23:60:00Z', 'time'],
    ['2026-06-01T23:59:60Z', 'time'],
    ['2026-06-01T10:00:00+15:00', 'time'],
    ['2026-06-01T10:00:00+08:60', 'time'],
    ['1970-01-01T00:00:00Z', 'range'],
    ['1999-12-31', 'range'],
    ['2101-01-01', 'range'],
    ['9999-12-31', 'range'],
    [new Date('1970-01-01T00:00:00Z'), 'range'],
    [new Date(Number.NaN), 'format'],
  ])('%j is refused (%s)', (value, problem) => {
    expect(parseStrictDate(value)).toEqual({ ok: false, problem });
  });

  it.each([
    '2026-01-02T03:04:05.006Z',
    // What the parser itself makes of 2000-01-01 and 2100-12-31T23:59:59-14:00 passes again.
    '1999-12-31T16:00:00.000Z',
    '2101-01-01T13:59:59.000Z',
  ])('takes the Date %s as it is', (iso) => {
    const at = new Date(iso);
    expect(parseStrictDate(at)).toEqual({ ok: true, date: at });
  });

  it('every date-time it accepts passes again as a Date (the validator re-checks it)', () => {
    for (const text of ['2000-01-01', '2000-01-01T00:00:00+14:00', '2100-12-31T23:59:59-14:00']) {
      const parsed = parseStrictDate(text);
      expect(parsed.ok && parseStrictDate(parsed.date).ok).toBe(true);
    }
  });
});

describe('parseCalendarDate', () => {
  it.each([
    ['2026-03-01', { ok: true, date: { year: 2026, month: 3, day: 1 } }],
    ['2026-02-30', { ok: false, problem: 'calendar' }],
    ['1900-01-01', { ok: false, problem: 'range' }],
    ['2026-03-01T00:00', { ok: false, problem: 'format' }],
    ['0000-01-01', { ok: false, problem: 'range' }],
  ])('%s → %j', (text, expected) => {
    expect(parseCalendarDate(text)).toEqual(expected);
  });
});

describe('dateProblemKey', () => {
  it.each([
    ['format', /^Start must be a date such as 2026-09-07/, /^开始须是日期（如 2026-09-07）/],
    ['calendar', /^Start must be a real calendar date/, /^开始须是真实存在的日期/],
    ['time', /^Start must have a time of day/, /^开始的时间须在/],
    [
      'range',
      /^Start must be a date between 2000 and 2100\.$/,
      /^开始须是 2000 年到 2100 年之间的日期。$/,
    ],
  ] as const)('%s', (problem, en, zh) => {
    expect(translate('en', dateProblemKey(problem), { field: 'Start' })).toMatch(en);
    expect(translate('zh-CN', dateProblemKey(problem), { field: '开始' })).toMatch(zh);
  });
});
