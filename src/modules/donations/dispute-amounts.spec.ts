import { holdAmount, lossAdvance, splitFromFund, unusedAdvance } from './dispute-amounts';

describe('dispute amounts', () => {
  it.each([
    ['the fund holds it all', 10_000, 25_000, 10_000],
    ['exactly enough', 10_000, 10_000, 10_000],
    ['granted out in part', 10_000, 2_000, 2_000],
    ['nothing left', 10_000, 0, 0],
    ['nothing disputed', 0, 5_000, 0],
  ])('holdAmount: %s', (_name, disputed, available, held) => {
    expect(holdAmount(disputed, available)).toBe(held);
  });

  it.each([
    ['the fund pays it', 1_500, 8_500, { fromFundMinor: 1_500, advancedMinor: 0 }],
    ['the fund pays part', 1_500, 500, { fromFundMinor: 500, advancedMinor: 1_000 }],
    ['an empty fund', 1_500, 0, { fromFundMinor: 0, advancedMinor: 1_500 }],
  ])('splitFromFund: %s', (_name, cost, available, split) => {
    expect(splitFromFund(cost, available)).toEqual(split);
  });

  it.each([
    // lost, still matched, fund before (after the hold came back) → advance
    ['a fund with enough', 10_000, 10_000, 23_500, 0],
    ['a fund short of the match', 10_000, 10_000, 18_500, 1_500],
    ['a granted-out fund, unmatched gift', 10_000, 0, 500, 9_500],
    ['an empty fund', 10_000, 0, 0, 10_000],
  ])('lossAdvance: %s', (_name, lostMinor, matchedMinor, fundBeforeMinor, advance) => {
    expect(lossAdvance({ lostMinor, matchedMinor, fundBeforeMinor })).toBe(advance);
  });

  it.each([
    // advance, lost, match given back, fund before → unused
    ['all of it needed', 1_500, 10_000, 10_000, 18_500, 0],
    ['the give-back was smaller', 1_500, 10_000, 9_000, 18_500, 1_000],
    ['no match went back', 10_000, 10_000, 0, 5_000, 5_000],
    ['no advance', 0, 10_000, 10_000, 23_500, 0],
  ])(
    'unusedAdvance: %s',
    (_name, advanceMinor, lostMinor, matchBackMinor, fundBeforeMinor, unused) => {
      expect(unusedAdvance({ advanceMinor, lostMinor, matchBackMinor, fundBeforeMinor })).toBe(
        unused,
      );
    },
  );
});
