import { beijingYearBounds, parseStatementYear, yearHasBegun, yearHasEnded } from './annual-year';

describe('statement years', () => {
  it.each([
    ['2026', 2026],
    [' 2025 ', 2025],
    ['2000', 2000],
    ['1999', null],
    ['20x6', null],
    ['26', null],
    ['2026.0', null],
    ['', null],
    ['-2026', null],
  ])('parses %j as %j', (text, year) => {
    expect(parseStatementYear(text)).toBe(year);
  });

  it('spans the year in Beijing time', () => {
    const { from, to } = beijingYearBounds(2026);
    expect(from.toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(to.toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  it.each([
    ['2026-12-31T15:59:59Z', false, true],
    ['2026-12-31T16:00:00Z', true, true],
    ['2025-12-31T15:59:59Z', false, false],
  ])('at %s, 2026 has ended: %s, has begun: %s', (at, ended, begun) => {
    expect(yearHasEnded(2026, new Date(at))).toBe(ended);
    expect(yearHasBegun(2026, new Date(at))).toBe(begun);
  });
});
