/**
 * Calendar periods in the foundation's time zone: month and year boundaries as instants, months
 * as `YYYY-MM` keys, and their labels. Pure: no Nest, no TypeORM.
 */

/**
 * The time zone reports count days and months in. The foundation profile has no time-zone setting
 * yet; Lianxin serves mainland foundations, which all keep China Standard Time.
 */
export const REPORTING_TIME_ZONE = 'Asia/Shanghai';

export interface LocalDate {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
}

const partFormatters = new Map<string, Intl.DateTimeFormat>();

function partsIn(instant: Date, timeZone: string) {
  let f = partFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partFormatters.set(timeZone, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(instant)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
}

/** How far the zone's wall clock is ahead of UTC at an instant, in milliseconds. */
function offsetMs(instant: number, timeZone: string): number {
  const p = partsIn(new Date(instant), timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The calendar date of an instant in a time zone. */
export function localDate(instant: Date, timeZone = REPORTING_TIME_ZONE): LocalDate {
  const p = partsIn(instant, timeZone);
  return { year: p.year, month: p.month, day: p.day };
}

/**
 * The instant a local day starts (00:00 wall-clock time). Day and month overflow roll over like
 * Date.UTC: (2026, 13, 1) is 2027-01-01 and (2026, 3, 0) is 2026-02-28.
 */
export function startOfLocalDay(
  year: number,
  month: number,
  day: number,
  timeZone = REPORTING_TIME_ZONE,
): Date {
  const wall = Date.UTC(year, month - 1, day);
  // Two rounds settle the offset even when the guess lands on the other side of a DST change.
  const first = wall - offsetMs(wall, timeZone);
  return new Date(wall - offsetMs(first, timeZone));
}

/** `YYYY-MM` of a year and month, rolling over like Date.UTC. */
export function monthKey(year: number, month: number): string {
  const d = new Date(Date.UTC(year, month - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export interface MonthWindow {
  /** `YYYY-MM`, oldest first, ending with the month `now` falls in. */
  months: string[];
  /** Start of the oldest month (inclusive). */
  from: Date;
  /** Start of the month after the current one (exclusive). */
  to: Date;
}

/** The last `count` calendar months up to and including the current one. */
export function lastMonths(now: Date, count: number, timeZone = REPORTING_TIME_ZONE): MonthWindow {
  const { year, month } = localDate(now, timeZone);
  const months = Array.from({ length: count }, (_, i) => monthKey(year, month - count + 1 + i));
  return {
    months,
    from: startOfLocalDay(year, month - count + 1, 1, timeZone),
    to: startOfLocalDay(year, month + 1, 1, timeZone),
  };
}

/** Start of the current month and of the current year, and the start of the next month. */
export function monthAndYearToDate(now: Date, timeZone = REPORTING_TIME_ZONE) {
  const { year, month } = localDate(now, timeZone);
  return {
    monthStart: startOfLocalDay(year, month, 1, timeZone),
    yearStart: startOfLocalDay(year, 1, 1, timeZone),
    end: startOfLocalDay(year, month + 1, 1, timeZone),
  };
}

const monthFormatters = new Map<string, Intl.DateTimeFormat>();

function monthFormatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = `${locale}|${JSON.stringify(options)}`;
  let f = monthFormatters.get(id);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...options });
    monthFormatters.set(id, f);
  }
  return f;
}

function firstDay(key: string): Date {
  const [year, month] = key.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month - 1, 1));
}

/** "2026年3月" / "Mar 2026" for a `YYYY-MM` key. */
export function monthLabel(key: string, locale: string): string {
  return monthFormatter(locale, { year: 'numeric', month: 'short' }).format(firstDay(key));
}

/**
 * Labels for a chart's month axis: the month alone ("3月" / "Mar"), and the year ("2026年" /
 * "2026") under the first month and under every January, so twelve months read unambiguously.
 */
export function monthAxisLabels(
  keys: readonly string[],
  locale: string,
): { months: string[]; years: (string | null)[] } {
  return {
    months: keys.map((k) => monthFormatter(locale, { month: 'short' }).format(firstDay(k))),
    years: keys.map((k, i) =>
      i === 0 || k.endsWith('-01')
        ? monthFormatter(locale, { year: 'numeric' }).format(firstDay(k))
        : null,
    ),
  };
}

/** An HTML date input value (`2026-03-01`) for the local date of an instant. */
export function dateInputValue(instant: Date, timeZone = REPORTING_TIME_ZONE): string {
  const { year, month, day } = localDate(instant, timeZone);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
