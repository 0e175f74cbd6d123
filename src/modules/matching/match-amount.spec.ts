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
  it('gives back the whole match over several partial refunds, exactly', () => {
    const parts = [
      matchToReverse(999, 1_000, 0, 333),
      matchToReverse(999, 1_000, 333, 700),
      matchToReverse(999, 1_000, 700, 1_000),
    ];
    expect(parts.reduce((a, b) => a + b, 0)).toBe(999);
    expect(matchToReverse(500, 1_000, 0, 1_000)).toBe(500);
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
