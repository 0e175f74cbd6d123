/**
 * How people read an instant: in Beijing time (the foundation's zone; no daylight saving), with
 * the zone stated where a time of day is shown. The one place pages, emails, CSV files and
 * messages format instants. Pure.
 */
export const BEIJING_TIME_ZONE = 'Asia/Shanghai';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = `${locale}|${JSON.stringify(options)}`;
  let f = formatters.get(id);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: BEIJING_TIME_ZONE, ...options });
    formatters.set(id, f);
  }
  return f;
}

/** "2026年12月3日" / "Dec 3, 2026": the Beijing calendar day of an instant. */
export function beijingDate(at: Date, locale: string): string {
  return formatter(locale, { dateStyle: 'medium' }).format(at);
}

/** "2026年12月3日 14:05" / "Dec 3, 2026, 14:05": date and 24-hour time, zone not stated. */
export function beijingDateTimeBare(at: Date, locale: string): string {
  return formatter(locale, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

/** "2026年12月3日 14:05（北京时间）" / "Dec 3, 2026, 14:05 (Beijing time)". */
export function beijingDateTime(at: Date, locale: string): string {
  const zone = locale === 'en' ? ' (Beijing time)' : '（北京时间）';
  return `${beijingDateTimeBare(at, locale)}${zone}`;
}

/** "2026-12-03 14:05:09": a sortable Beijing wall time for CSV files (header names the zone). */
export function beijingTimestamp(at: Date): string {
  const parts = Object.fromEntries(
    formatter('en-CA', {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}
