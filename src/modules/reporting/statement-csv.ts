/**
 * A fund statement as CSV rows for people. Pure: no Nest, no TypeORM.
 *
 * Headed in the reader's language (`report.csvColumns.<column>`), the time in Beijing time (the header
 * says so), what happened in words (statement-words.ts), amounts in yuan as plain decimals a
 * spreadsheet sums ("2000.00", never a count of fen). Text cells go through `csvCell`, so a
 * staff-typed description like "=HYPERLINK(…)" arrives as text, never as a formula.
 */
import { csvLine } from '../../common/csv';
import { beijingTimestamp } from '../../common/dates/beijing-time';
import { translate, type SupportedLocale } from '../../common/i18n/i18n';
import { toDecimalString } from '../../common/money';
import type { StatementLine } from '../ledger/ledger.types';

export const STATEMENT_CSV_COLUMNS = [
  'postedAt',
  'what',
  'amount',
  'balanceAfter',
  'currency',
  'entryId',
] as const;

/** Excel opens UTF-8 CSV as the local code page unless it starts with a byte-order mark. */
export const UTF8_BOM = '\uFEFF';

export function statementCsvHeader(locale: SupportedLocale): string {
  return (
    UTF8_BOM +
    csvLine(STATEMENT_CSV_COLUMNS.map((c) => translate(locale, `report.csvColumns.${c}`)))
  );
}

/** One line; `what` is the line in words ("捐赠 · 长者助餐 · 李明"). */
export function statementCsvRow(line: StatementLine, currency: string, what: string): string {
  return csvLine([
    beijingTimestamp(new Date(line.postedAt)),
    what,
    toDecimalString(line.amountMinor, currency),
    toDecimalString(line.balanceAfterMinor, currency),
    currency,
    line.entryId,
  ]);
}
