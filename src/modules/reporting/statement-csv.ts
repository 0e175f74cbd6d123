/**
 * A fund statement as CSV rows. Pure: no Nest, no TypeORM.
 *
 * Amounts appear twice: in major units with the currency's decimals ("2000.00", for people and
 * spreadsheets) and in minor units ("200000", exact, for machines). Text cells go through
 * `csvCell`, so a description like "=HYPERLINK(…)" arrives as text, never as a formula.
 */
import { csvLine } from '../../common/csv';
import { toDecimalString } from '../../common/money';
import type { StatementLine } from '../ledger/ledger.types';

export const STATEMENT_CSV_COLUMNS = [
  'posted_at',
  'entry_id',
  'kind',
  'description',
  'counterparties',
  'amount',
  'amount_minor',
  'balance_after',
  'balance_after_minor',
  'currency',
] as const;

/** Excel opens UTF-8 CSV as the local code page unless it starts with a byte-order mark. */
export const UTF8_BOM = '\uFEFF';

export function statementCsvHeader(): string {
  return UTF8_BOM + csvLine(STATEMENT_CSV_COLUMNS);
}

export function statementCsvRow(line: StatementLine, currency: string): string {
  return csvLine([
    new Date(line.postedAt).toISOString(),
    line.entryId,
    line.kind,
    line.description,
    line.counterparties.map((c) => c.code).join(' / '),
    toDecimalString(line.amountMinor, currency),
    String(line.amountMinor),
    toDecimalString(line.balanceAfterMinor, currency),
    String(line.balanceAfterMinor),
    currency,
  ]);
}
