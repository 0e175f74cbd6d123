import { shanghaiYear } from '../receipt-number';

/** The first and last years a statement can be issued for (receipt_counters' CHECK). */
const FIRST_YEAR = 2000;
const LAST_YEAR = 9999;

/** `"2026"` → 2026; anything but four digits within the counters' range → null. */
export function parseStatementYear(text: string): number | null {
  if (!/^\d{4}$/.test(text.trim())) return null;
  const year = Number(text.trim());
  return year >= FIRST_YEAR && year <= LAST_YEAR ? year : null;
}

/**
 * The instants a calendar year in Beijing time spans, [from, to): 2026 runs from
 * 2025-12-31T16:00:00Z up to (not including) 2026-12-31T16:00:00Z. China keeps no daylight saving.
 */
export function beijingYearBounds(year: number): { from: Date; to: Date } {
  const start = (y: number) => new Date(Date.UTC(y, 0, 1) - 8 * 3_600_000);
  return { from: start(year), to: start(year + 1) };
}

/** Whether `year` has ended in Beijing time at `now`. */
export function yearHasEnded(year: number, now: Date): boolean {
  return shanghaiYear(now) > year;
}

/** Whether `year` has begun in Beijing time at `now`. */
export function yearHasBegun(year: number, now: Date): boolean {
  return shanghaiYear(now) >= year;
}
