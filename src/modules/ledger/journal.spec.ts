import {
  checkEntry,
  entryFingerprint,
  inLockOrder,
  reversingPostings,
  transferPostings,
} from './journal';

const A = '00000000-0000-0000-0000-00000000000a';
const B = '00000000-0000-0000-0000-00000000000b';
const C = '00000000-0000-0000-0000-00000000000c';

describe('checkEntry', () => {
  it.each([
    [[], { problem: 'TOO_FEW_POSTINGS' }],
    [[{ accountId: A, amountMinor: 5 }], { problem: 'TOO_FEW_POSTINGS' }],
    [
      [
        { accountId: A, amountMinor: 5 },
        { accountId: B, amountMinor: -4 },
      ],
      { problem: 'UNBALANCED', sum: 1 },
    ],
    [
      [
        { accountId: A, amountMinor: 0 },
        { accountId: B, amountMinor: 0 },
      ],
      { problem: 'BAD_AMOUNT', index: 0 },
    ],
    [
      [
        { accountId: A, amountMinor: 1.5 },
        { accountId: B, amountMinor: -1.5 },
      ],
      { problem: 'BAD_AMOUNT', index: 0 },
    ],
    [
      [
        { accountId: A, amountMinor: 1 },
        { accountId: B, amountMinor: 2 ** 60 },
      ],
      { problem: 'BAD_AMOUNT', index: 1 },
    ],
    [
      [
        { accountId: A, amountMinor: 1 },
        { accountId: A, amountMinor: -1 },
      ],
      { problem: 'DUPLICATE_ACCOUNT', accountId: A },
    ],
  ])('rejects %j', (postings, problem) => {
    expect(checkEntry(postings)).toEqual(problem);
  });

  it('accepts a balanced entry of three postings', () => {
    expect(
      checkEntry([
        { accountId: A, amountMinor: -300 },
        { accountId: B, amountMinor: 200 },
        { accountId: C, amountMinor: 100 },
      ]),
    ).toBeNull();
  });
});

describe('entryFingerprint', () => {
  it('ignores posting order but not amounts', () => {
    const one = entryFingerprint({
      kind: 'ADJUSTMENT',
      currency: 'CNY',
      postings: transferPostings(A, B, 10),
    });
    const swapped = entryFingerprint({
      kind: 'ADJUSTMENT',
      currency: 'CNY',
      postings: transferPostings(A, B, 10).reverse(),
    });
    const other = entryFingerprint({
      kind: 'ADJUSTMENT',
      currency: 'CNY',
      postings: transferPostings(A, B, 11),
    });
    expect(swapped).toBe(one);
    expect(other).not.toBe(one);
  });
});

describe('reversal and lock order', () => {
  it('negates every posting and sorts by account id', () => {
    expect(reversingPostings(transferPostings(B, A, 7))).toEqual([
      { accountId: B, amountMinor: 7 },
      { accountId: A, amountMinor: -7 },
    ]);
    expect(inLockOrder(transferPostings(C, A, 1)).map((p) => p.accountId)).toEqual([A, C]);
  });
});
