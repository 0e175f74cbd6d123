import {
  ruleProblems,
  ruleStatus,
  sameRule,
  type RuleContext,
  type RuleDraft,
} from './matching-rule';

const draft = (overrides: Partial<RuleDraft> = {}): RuleDraft => ({
  poolFundId: 'pool-1',
  mode: 'RATIO',
  ratioBp: 10_000,
  randomMinMinor: null,
  randomMaxMinor: null,
  minGiftMinor: 1,
  capPerGiftMinor: null,
  capPerDonorDayMinor: null,
  totalCapMinor: null,
  startsAt: null,
  endsAt: null,
  ...overrides,
});

const at = (iso: string) => new Date(iso);
const context = (overrides: Partial<RuleContext> = {}): RuleContext => ({
  campaign: {
    status: 'LIVE',
    startsAt: at('2026-09-07T00:00:00Z'),
    endsAt: at('2026-09-10T00:00:00Z'),
    currency: 'CNY',
  },
  pool: { kind: 'MATCHING', status: 'ACTIVE', currency: 'CNY', balanceMinor: 100_000 },
  current: null,
  ...overrides,
});
const pool = (overrides: Partial<NonNullable<RuleContext['pool']>>) => ({
  pool: {
    kind: 'MATCHING',
    status: 'ACTIVE',
    currency: 'CNY',
    balanceMinor: 100_000,
    ...overrides,
  },
});

describe('ruleProblems', () => {
  it.each<[string, Partial<RuleDraft>, Partial<RuleContext>, [string, string][]]>([
    ['a valid 1:1 rule', {}, {}, []],
    [
      'a valid random rule',
      { mode: 'RANDOM', ratioBp: null, randomMinMinor: 100, randomMaxMinor: 100 },
      {},
      [],
    ],
    [
      'the campaign ended',
      {},
      { campaign: { ...context().campaign, status: 'ENDED' } },
      [['campaign', 'campaignEnded']],
    ],
    ['no such pool', {}, { pool: null }, [['poolFundId', 'poolNotFound']]],
    ['not a matching fund', {}, pool({ kind: 'COMMUNITY' }), [['poolFundId', 'poolNotMatching']]],
    ['another currency', {}, pool({ currency: 'USD' }), [['poolFundId', 'poolCurrency']]],
    ['a preparing pool', {}, pool({ status: 'PREPARING' }), [['poolFundId', 'poolNotActive']]],
    ['an empty pool', {}, pool({ balanceMinor: 0 }), [['poolFundId', 'poolEmpty']]],
    [
      'the empty pool the rule already has',
      {},
      { ...pool({ balanceMinor: 0 }), current: { poolFundId: 'pool-1', matchedMinor: 0 } },
      [],
    ],
    ['no ratio', { ratioBp: null }, {}, [['ratioBp', 'ratioMissing']]],
    ['ratio zero', { ratioBp: 0 }, {}, [['ratioBp', 'ratioRange']]],
    ['ratio above 1:10', { ratioBp: 100_001 }, {}, [['ratioBp', 'ratioRange']]],
    ['ratio 1:10', { ratioBp: 100_000 }, {}, []],
    ['fractional basis points', { ratioBp: 1.5 }, {}, [['ratioBp', 'ratioRange']]],
    [
      'random without a range',
      { mode: 'RANDOM', ratioBp: null },
      {},
      [
        ['randomMinMinor', 'randomMinMissing'],
        ['randomMaxMinor', 'randomMaxMissing'],
      ],
    ],
    [
      'random min above max',
      { mode: 'RANDOM', ratioBp: null, randomMinMinor: 300, randomMaxMinor: 200 },
      {},
      [['randomMaxMinor', 'randomOrder']],
    ],
    [
      'random min zero',
      { mode: 'RANDOM', ratioBp: null, randomMinMinor: 0, randomMaxMinor: 200 },
      {},
      [['randomMinMinor', 'positive']],
    ],
    ['minimum zero', { minGiftMinor: 0 }, {}, [['minGiftMinor', 'positive']]],
    [
      'caps zero or below',
      { capPerGiftMinor: 0, capPerDonorDayMinor: -1, totalCapMinor: 0 },
      {},
      [
        ['capPerGiftMinor', 'positive'],
        ['capPerDonorDayMinor', 'positive'],
        ['totalCapMinor', 'positive'],
      ],
    ],
    [
      'total cap below what is matched',
      { totalCapMinor: 4_999 },
      { current: { poolFundId: 'pool-1', matchedMinor: 5_000 } },
      [['totalCapMinor', 'totalCapBelowMatched']],
    ],
    [
      'window the wrong way round',
      { startsAt: at('2026-09-09T00:00:00Z'), endsAt: at('2026-09-08T00:00:00Z') },
      {},
      [['endsAt', 'windowOrder']],
    ],
    [
      'window before the campaign',
      { startsAt: at('2026-09-06T00:00:00Z') },
      {},
      [['startsAt', 'startsBeforeCampaign']],
    ],
    [
      'window after the campaign',
      { endsAt: at('2026-09-10T00:00:01Z') },
      {},
      [['endsAt', 'endsAfterCampaign']],
    ],
    [
      'starting when the campaign ends',
      { startsAt: at('2026-09-10T00:00:00Z') },
      {},
      [['startsAt', 'startsAfterCampaign']],
    ],
    [
      'ending when the campaign starts',
      { endsAt: at('2026-09-07T00:00:00Z') },
      {},
      [['endsAt', 'endsBeforeCampaign']],
    ],
    [
      'the campaign’s own window',
      { startsAt: at('2026-09-07T00:00:00Z'), endsAt: at('2026-09-10T00:00:00Z') },
      {},
      [],
    ],
    [
      'any window in a campaign without dates',
      { startsAt: at('2020-01-01T00:00:00Z'), endsAt: at('2099-01-01T00:00:00Z') },
      { campaign: { status: 'LIVE', startsAt: null, endsAt: null, currency: 'CNY' } },
      [],
    ],
  ])('%s', (_name, d, c, expected) => {
    expect(ruleProblems(draft(d), context(c)).map((p) => [p.field, p.key])).toEqual(expected);
  });

  it('names the amount already matched', () => {
    const [problem] = ruleProblems(draft({ totalCapMinor: 100 }), {
      ...context(),
      current: { poolFundId: 'pool-1', matchedMinor: 5_000 },
    });
    expect(problem?.amounts).toEqual({ matched: 5_000 });
  });
});

describe('ruleStatus and sameRule', () => {
  it.each([
    [true, null, 'ACTIVE'],
    [false, null, 'PAUSED'],
    [false, at('2026-09-08T00:00:00Z'), 'ENDED'],
  ] as const)('active %s, ended %s → %s', (active, endedAt, status) => {
    expect(ruleStatus({ active, endedAt })).toBe(status);
  });

  it('sees a resubmitted rule as the same, and any changed field as a change', () => {
    const base = { ...draft({ startsAt: at('2026-09-08T00:00:00Z') }), matchFeeCover: false };
    expect(sameRule(base, { ...base, startsAt: at('2026-09-08T00:00:00Z') })).toBe(true);
    expect(sameRule(base, { ...base, matchFeeCover: true })).toBe(false);
    expect(sameRule(base, { ...base, ratioBp: 5_000 })).toBe(false);
    expect(sameRule(base, { ...base, startsAt: null })).toBe(false);
    expect(sameRule(base, { ...base, totalCapMinor: 1 })).toBe(false);
  });
});
