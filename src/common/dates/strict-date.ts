/**
 * The one date parser for what people and clients send (JSON bodies, forms, query strings).
 * Pure: no Nest, no TypeORM.
 *
 * Accepted, and nothing else (JavaScript's `new Date()` would take `true`, `12345`, `2026-02-30`
 * rolled into March, or year -271821):
 * - a calendar date, `2026-09-07`: the start of that day in Beijing time;
 * - an ISO 8601 date-time, `2026-09-07T09:30`, `…T09:30:15`, `…T09:30:15.123`, with `Z` or an
 *   offset such as `+08:00`; without one it is Beijing time (the foundation's time zone, which
 *   has no daylight saving).
 * The date must exist in the calendar and its year lie in DATE_YEAR_MIN…DATE_YEAR_MAX, so every
 * accepted value is one PostgreSQL, Intl and `toISOString()` handle.
 */
export const DATE_YEAR_MIN = 2000;
export const DATE_YEAR_MAX = 2100;
/** Beijing time, the reading of a date or date-time written without an offset. */
export const DEFAULT_OFFSET_MINUTES = 8 * 60;

/** The instants a written date in the accepted years can name, whatever its offset (±14 h). */
const EARLIEST = Date.UTC(DATE_YEAR_MIN, 0, 1) - 14 * 3_600_000;
const LATEST = Date.UTC(DATE_YEAR_MAX + 1, 0, 1) + 14 * 3_600_000;

export type DateProblem = 'format' | 'calendar' | 'time' | 'range';

export type StrictDate = { ok: true; date: Date } | { ok: false; problem: DateProblem };

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/;

/** A real calendar date in the accepted years, or the reason it is not one. */
export function parseCalendarDate(
  text: string,
): { ok: true; date: CalendarDate } | { ok: false; problem: DateProblem } {
  const m = DATE.exec(text);
  if (!m) return { ok: false, problem: 'format' };
  return calendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

function calendarDate(
  year: number,
  month: number,
  day: number,
): { ok: true; date: CalendarDate } | { ok: false; problem: DateProblem } {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return { ok: false, problem: 'calendar' };
  if (year < DATE_YEAR_MIN || year > DATE_YEAR_MAX) return { ok: false, problem: 'range' };
  return { ok: true, date: { year, month, day } };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses a submitted date or date-time (see the file comment); a Date passes if in range. */
export function parseStrictDate(value: unknown): StrictDate {
  if (value instanceof Date) {
    const at = value.getTime();
    if (Number.isNaN(at)) return { ok: false, problem: 'format' };
    return at >= EARLIEST && at <= LATEST
      ? { ok: true, date: value }
      : { ok: false, problem: 'range' };
  }
  if (typeof value !== 'string' || value.length > 40) return { ok: false, problem: 'format' };
  const dateOnly = DATE.exec(value);
  const m = dateOnly ?? DATE_TIME.exec(value);
  if (!m) return { ok: false, problem: 'format' };
  const calendar = calendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
  if (!calendar.ok) return calendar;
  const { year, month, day } = calendar.date;
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, problem: 'time' };
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = offsetMinutes(m[8]);
  if (offset === null) return { ok: false, problem: 'time' };
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset * 60_000;
  return { ok: true, date: new Date(utc) };
}

/** Minutes east of UTC for `Z`, `+08:00`, `-05:30`; Beijing time when absent; null when impossible. */
function offsetMinutes(text: string | undefined): number | null {
  if (text === undefined) return DEFAULT_OFFSET_MINUTES;
  if (text === 'Z') return 0;
  const hours = Number(text.slice(1, 3));
  const minutes = Number(text.slice(4, 6));
  if (hours > 14 || minutes > 59) return null;
  return (text.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/** What is wrong, as the locale key of its words (`validation.date.<problem>`, with `{field}`). */
export function dateProblemKey(problem: DateProblem): string {
  return `validation.date.${problem}`;
}
