import { knownKindKey, rowWords, type PublicLedgerRow } from './public-ledger';

const other = { code: 'GENERAL', nameZh: '统筹基金', nameEn: 'General Fund' };
const item = (over: Partial<Extract<PublicLedgerRow, { type: 'item' }>>): PublicLedgerRow => ({
  type: 'item',
  day: '2026-03-01',
  at: new Date('2026-03-01T02:00:00Z'),
  kind: 'ADJUSTMENT',
  otherFund: null,
  inMinor: 0,
  outMinor: 0,
  project: null,
  expense: null,
  reversedKind: null,
  ...over,
});
const daily = (over: Partial<Extract<PublicLedgerRow, { type: 'daily' }>>): PublicLedgerRow => ({
  type: 'daily',
  day: '2026-03-01',
  group: 'GIFTS',
  otherFund: null,
  entries: 3,
  inMinor: 300,
  outMinor: 0,
  names: [],
  namedCount: 0,
  ...over,
});

describe('what a public ledger row says', () => {
  it.each<[string, PublicLedgerRow, string, Record<string, string | number>]>([
    ['gifts of a day', daily({}), 'publicFunds.row.gifts', { count: 3 }],
    [
      'matched money in',
      daily({ group: 'MATCHED', otherFund: other }),
      'publicFunds.row.matchedFrom',
      { fund: 'General Fund', count: 3 },
    ],
    [
      'matched money out (the pool)',
      daily({ group: 'MATCHED', otherFund: other, inMinor: 0, outMinor: 300 }),
      'publicFunds.row.matchedFor',
      { fund: 'General Fund', count: 3 },
    ],
    [
      'an allocation in',
      item({ kind: 'ALLOCATION', otherFund: other, inMinor: 100 }),
      'publicFunds.row.allocationFrom',
      { fund: 'General Fund' },
    ],
    [
      'a release out',
      item({ kind: 'RELEASE', otherFund: other, outMinor: 100 }),
      'publicFunds.row.releaseTo',
      { fund: 'General Fund' },
    ],
    [
      'a tranche',
      item({
        kind: 'GRANT_TRANCHE',
        outMinor: 100,
        project: { title: 'Garden', awardId: 'a', isPublic: true, trancheSeq: 2 },
      }),
      'publicFunds.row.tranche',
      { project: 'Garden', seq: 2 },
    ],
    [
      'an expense of the workflow',
      item({ kind: 'EXPENSE', outMinor: 100, expense: { purpose: 'Paint', payee: 'Shop' } }),
      'publicFunds.row.expense',
      { purpose: 'Paint', payee: 'Shop' },
    ],
    ['a manual expense: its kind only', item({ kind: 'EXPENSE' }), 'entryKind.EXPENSE', {}],
    ['an adjustment: its kind only', item({}), 'entryKind.ADJUSTMENT', {}],
    ['an unknown kind', item({ kind: 'SOMETHING_NEW' }), 'entryKind.OTHER', {}],
  ])('%s', (_, row, key, vars) => {
    expect(rowWords(row, 'en')).toEqual({ key, vars });
  });

  it('names what a reversal corrects by its kind, never by its description', () => {
    expect(rowWords(item({ kind: 'REVERSAL', reversedKind: 'EXPENSE' }), 'zh-CN')).toEqual({
      key: 'publicFunds.row.reversal',
      vars: {},
      nestedKey: { name: 'kind', key: 'entryKind.EXPENSE' },
    });
    expect(knownKindKey('')).toBe('entryKind.OTHER');
  });

  it("uses the reader's language for the other fund", () => {
    const row = item({ kind: 'ALLOCATION', otherFund: other, inMinor: 1 });
    expect(rowWords(row, 'zh-CN').vars).toEqual({ fund: '统筹基金' });
  });
});
