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
    description: 'year 2026',
    metadata: {},
    amountMinor: -123456,
    balanceAfterMinor: 5,
    postedAt: new Date('2026-03-01T17:03:04Z'),
    reversesEntryId: null,
    counterparties: [{ accountId: 'a', code: 'fund:C-001', name: '社区' }],
  };

  it('starts with a byte-order mark and the column names in the reader language', () => {
    expect(statementCsvHeader('zh-CN')).toBe(
      '\uFEFF记账时间（北京时间）,事项,金额（元）,余额（元）,币种,分录编号\r\n',
    );
    expect(statementCsvHeader('en').split(',')).toHaveLength(STATEMENT_CSV_COLUMNS.length);
  });

  it('has Beijing time, amounts in yuan only, and neutralises formulas in words', () => {
    expect(statementCsvRow(line, 'CNY', '=cmd|"/C calc"!A0, 拨付')).toBe(
      [
        '2026-03-02 01:03:04',
        `"'=cmd|""/C calc""!A0, 拨付"`,
        '-1234.56',
        '0.05',
        'CNY',
        line.entryId,
      ].join(',') + '\r\n',
    );
  });
});
