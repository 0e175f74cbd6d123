import { csvCell } from '../../common/csv';
import type { StatementLine } from '../ledger/ledger.types';
import { STATEMENT_CSV_COLUMNS, statementCsvHeader, statementCsvRow } from './statement-csv';

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['-1234.50', '-1234.50'],
    ['42', '42'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1+2', "'+1+2"],
    ['-1+cmd', "'-1+cmd"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
    ['a,b', '"a,b"'],
    ['line\nbreak', '"line\nbreak"'],
    ['社区基金', '社区基金'],
  ])('%j → %j', (value, cell) => expect(csvCell(value)).toBe(cell));
});

describe('statement rows', () => {
  const line: StatementLine = {
    postingId: 7,
    entryId: '0b5e8a8e-0000-4000-8000-000000000001',
    kind: 'ALLOCATION',
    description: '=cmd|"/C calc"!A0, 拨付',
    amountMinor: -123456,
    balanceAfterMinor: 5,
    postedAt: new Date('2026-03-01T02:03:04Z'),
    reversesEntryId: null,
    counterparties: [{ accountId: 'a', code: 'fund:C-001', name: '社区' }],
  };

  it('starts with a byte-order mark and the column names', () => {
    expect(statementCsvHeader()).toBe(`\uFEFF${STATEMENT_CSV_COLUMNS.join(',')}\r\n`);
  });

  it('has amounts in yuan and in fen, and neutralises formulas', () => {
    expect(statementCsvRow(line, 'CNY')).toBe(
      [
        '2026-03-01T02:03:04.000Z',
        line.entryId,
        'ALLOCATION',
        `"'=cmd|""/C calc""!A0, 拨付"`,
        'fund:C-001',
        '-1234.56',
        '-123456',
        '0.05',
        '5',
        'CNY',
      ].join(',') + '\r\n',
    );
  });
});
