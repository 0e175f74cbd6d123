import {
  allowedMatch,
  matchableMinor,
  matchToReverse,
  offeredMatch,
  type MatchRule,
} from './match-amount';

const rule = (overrides: Partial<MatchRule> = {}): MatchRule => ({
  mode: 'RATIO',
  ratioBp: 10_000,
  randomMinMinor: null,
  randomMaxMinor: null,
  minGiftMinor: 100,
  capPerGiftMinor: null,
  capPerDonorDayMinor: null,
  totalCapMinor: null,
  matchedMinor: 0,
  startsAt: null,
  endsAt: null,
  active: true,
  ...overrides,
});
const now = new Date('2026-09-09T10:00:00Z');
const half = () => 0.5;

describe('offeredMatch', () => {
  it.each([
    ['1:1', rule(), 5_000, 5_000],
    ['1:0.5 rounds down', rule({ ratioBp: 5_000 }), 333, 166],
    ['cap per gift', rule({ capPerGiftMinor: 2_000 }), 5_000, 2_000],
    ['below minimum', rule({ minGiftMinor: 1_000 }), 999, 0],
    ['inactive', rule({ active: false }), 5_000, 0],
    ['before the window', rule({ startsAt: new Date('2026-09-10T00:00:00Z') }), 5_000, 0],
    ['after the window', rule({ endsAt: new Date('2026-09-09T10:00:00Z') }), 5_000, 0],
    [
      'random within range',
      rule({ mode: 'RANDOM', ratioBp: null, randomMinMinor: 100, randomMaxMinor: 300 }),
      5_000,
      200,
    ],
    [
      'huge gift stays exact',
      rule({ ratioBp: 30_000 }),
      900_000_000_000_000,
      2_700_000_000_000_000,
    ],
  ])('%s', (_name, r, gift, expected) => {
    expect(offeredMatch(r, gift, now, half).amountMinor).toBe(expected);
  });

  it('draws random matches over the whole range, ends included', () => {
    const r = rule({ mode: 'RANDOM', ratioBp: null, randomMinMinor: 1, randomMaxMinor: 3 });
    expect([0, 0.34, 0.999999].map((x) => offeredMatch(r, 500, now, () => x).amountMinor)).toEqual([
      1, 2, 3,
    ]);
  });
});

describe('allowedMatch', () => {
  it.each([
    ['no limits', 500, rule(), 0, 10_000, 500, undefined],
    [
      'donor cap left 200',
      500,
      rule({ capPerDonorDayMinor: 1_000 }),
      800,
      10_000,
      200,
      'DONOR_CAP',
    ],
    ['donor cap used up', 500, rule({ capPerDonorDayMinor: 1_000 }), 1_000, 10_000, 0, 'DONOR_CAP'],
    [
      'total cap left 50',
      500,
      rule({ totalCapMinor: 10_000, matchedMinor: 9_950 }),
      0,
      10_000,
      50,
      'TOTAL_CAP',
    ],
    ['pool nearly empty', 500, rule(), 0, 120, 120, 'POOL_EMPTY'],
    ['pool empty', 500, rule(), 0, 0, 0, 'POOL_EMPTY'],
  ])('%s', (_name, offered, r, donorToday, pool, amount, reason) => {
    expect(
      allowedMatch(offered, {
        rule: r,
        donorMatchedTodayMinor: donorToday,
        poolBalanceMinor: pool,
      }),
    ).toEqual(
      reason ? { amountMinor: amount, ...(amount > 0 ? {} : { reason }) } : { amountMinor: amount },
    );
  });
});

describe('matchToReverse', () => {
  it.each([
    // [case, original match, gift, returned before, refunded total, give back]
    ['a full refund at once', 500, 1_000, 0, 1_000, 500],
    ['¥50 of a ¥100 gift matched ¥100', 10_000, 10_000, 0, 5_000, 5_000],
    ['then the other ¥50: the rest of the match', 10_000, 10_000, 5_000, 10_000, 5_000],
    ['¥200 of ¥509.30 matched ¥500 (rounded down)', 50_000, 50_930, 0, 20_000, 19_634],
    ['then the rest of ¥509.30', 50_000, 50_930, 19_634, 50_930, 30_366],
    ['a total no higher than before gives nothing', 10_000, 10_000, 5_000, 5_000, 0],
    ['a stale, lower total gives nothing', 10_000, 10_000, 5_000, 2_000, 0],
    ['a total above the gift counts as the gift', 10_000, 10_000, 0, 12_000, 10_000],
    ['no match, nothing back', 0, 10_000, 0, 10_000, 0],
    ['large amounts stay exact (BigInt)', 9_000_000_000_000, 9_000_000_000_001, 0, 3, 2],
  ])('%s', (_case, match, gift, before, refunded, back) => {
    expect(matchToReverse(match, gift, before, refunded)).toBe(back);
  });

  it('adds up to floor(match × refunded / gift) over any sequence of partial refunds', () => {
    const match = 999;
    const gift = 1_000;
    for (const totals of [
      [333, 700, 1_000],
      [1, 2, 3, 999],
      [500, 501],
      [10, 999, 1_000],
    ]) {
      let returned = 0;
      for (const total of totals) returned += matchToReverse(match, gift, returned, total);
      expect(returned).toBe(Math.floor((match * totals.at(-1)!) / gift));
    }
  });
});

describe('matchableMinor', () => {
  it.each([
    ['no cover', {}, { amountMinor: 10_000 }, 10_000],
    ['cover not matched by default', {}, { amountMinor: 10_060, feeCoverMinor: 60 }, 10_000],
    [
      'cover not matched',
      { matchFeeCover: false },
      { amountMinor: 10_060, feeCoverMinor: 60 },
      10_000,
    ],
    ['cover matched', { matchFeeCover: true }, { amountMinor: 10_060, feeCoverMinor: 60 }, 10_060],
  ])('%s', (_name, r, gift, expected) => {
    expect(matchableMinor(r, gift)).toBe(expected);
  });

  it('decides the minimum on the gift without the cover', () => {
    const gift = matchableMinor({}, { amountMinor: 1_006, feeCoverMinor: 6 });
    expect(offeredMatch(rule({ minGiftMinor: 1_001 }), gift, now, half)).toEqual({
      amountMinor: 0,
      reason: 'BELOW_MINIMUM',
    });
  });
});
