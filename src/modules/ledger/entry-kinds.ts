/**
 * Every kind of journal entry the code posts, in one list: the statement pages, CSV files and the
 * completeness test (src/common/i18n/status-words.spec.ts) read it, so a new kind cannot ship
 * without words (`entryKind.<KIND>` in templates/locales). Pure.
 */
export const ENTRY_KINDS = [
  'DONATION',
  'MATCH',
  'MATCH_REVERSAL',
  'REFUND',
  'PROCESSOR_FEE',
  'DISPUTE_HOLD',
  'DISPUTE_ADVANCE',
  'DISPUTE_RELEASE',
  'OFFLINE_CONTRIBUTION',
  'OPENING_BALANCE',
  'ADJUSTMENT',
  'ALLOCATION',
  'RELEASE',
  'GRANT_AWARD',
  'GRANT_TRANCHE',
  'EXPENSE',
  'REVERSAL',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export function isEntryKind(value: unknown): value is EntryKind {
  return typeof value === 'string' && (ENTRY_KINDS as readonly string[]).includes(value);
}
