/**
 * The date filters of back-office lists ("from" and "to" as HTML date inputs, both days
 * included) as instants in the reporting time zone. Pure: no Nest, no TypeORM.
 */
import { type DateProblem, parseCalendarDate } from '../../common/dates/strict-date';
import type { FieldErrors } from '../../common/http/forms';
import { REPORTING_TIME_ZONE, startOfLocalDay } from '../reporting/periods';

export interface DateRange {
  /** Inclusive: the start of the "from" day. */
  from?: Date;
  /** Exclusive: the start of the day after the "to" day. */
  to?: Date;
}

export function dateRange(
  fromText: string | undefined,
  toText: string | undefined,
  timeZone = REPORTING_TIME_ZONE,
): { range: DateRange; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const range: DateRange = {};
  if (fromText) {
    const d = parseCalendarDate(fromText);
    if (d.ok) range.from = startOfLocalDay(d.date.year, d.date.month, d.date.day, timeZone);
    else errors.from = dateError(d.problem);
  }
  if (toText) {
    const d = parseCalendarDate(toText);
    if (d.ok) range.to = startOfLocalDay(d.date.year, d.date.month, d.date.day + 1, timeZone);
    else errors.to = dateError(d.problem);
  }
  if (range.from && range.to && range.from >= range.to) errors.to = 'admin.errors.dateOrder';
  return { range, errors };
}

/** The message key for a date the strict parser refused (out of range, or no date at all). */
export function dateError(problem: DateProblem): string {
  return problem === 'range' ? 'admin.errors.dateYears' : 'admin.errors.date';
}
