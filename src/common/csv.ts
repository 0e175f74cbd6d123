/**
 * One CSV cell: RFC 4180 quoting, and a leading apostrophe for text a spreadsheet would run as a
 * formula (starting with = + - @, tab or carriage return), so an exported value can never
 * execute. Plain decimal numbers ("-1234.50", "42") are left as they are: a signed number is not
 * a formula, and amounts must stay numeric in the spreadsheet.
 */
export function csvCell(value: string): string {
  if (/^-?\d+(\.\d+)?$/.test(value)) return value;
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line (CRLF-terminated, as RFC 4180 has it). */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
