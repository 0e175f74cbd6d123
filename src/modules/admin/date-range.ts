/**
 * The date filters of back-office lists ("from" and "to" as HTML date inputs, both days
 * included) as instants in the reporting time zone. Pure: no Nest, no TypeORM.
 */
import type { FieldErrors } from '../../common/http/forms';
import { parseDateInput, REPORTING_TIME_ZONE, startOfLocalDay } from '../reporting/periods';

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
    const d = parseDateInput(fromText);
    if (d) range.from = startOfLocalDay(d.year, d.month, d.day, timeZone);
    else errors.from = 'admin.errors.date';
  }
  if (toText) {
    const d = parseDateInput(toText);
    if (d) range.to = startOfLocalDay(d.year, d.month, d.day + 1, timeZone);
    else errors.to = 'admin.errors.date';
  }
  if (range.from && range.to && range.from >= range.to) errors.to = 'admin.errors.dateOrder';
  return { range, errors };
}
