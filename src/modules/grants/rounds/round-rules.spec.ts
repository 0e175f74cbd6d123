import { say, type Words } from '../../../common/i18n/i18n';
import {
  applicationWindowProblem,
  beijingTime,
  checkRoundTransition,
  roundBudget,
  roundProblems,
  type RoundDefinition,
} from './round-rules';

const inEnglish = (w: Words | null) => (w ? say('en', w) : null);

const valid = (): RoundDefinition => ({
  applicationsOpenAt: new Date('2026-03-01T00:00:00+08:00'),
  applicationsCloseAt: new Date('2026-04-01T00:00:00+08:00'),
  reviewCloseAt: new Date('2026-04-30T00:00:00+08:00'),
  tiers: [
    { key: 'first', nameZh: '一等奖', nameEn: 'First', amountMinor: 30_000_000, count: 3 },
    { key: 'second', nameZh: '二等奖', nameEn: 'Second', amountMinor: 20_000_000, count: 5 },
    { key: 'third', nameZh: '三等奖', nameEn: 'Third', amountMinor: 10_000_000, count: 10 },
  ],
  constructionBudgetMinor: 500_000_000,
  rubric: [{ key: 'need', nameZh: '需求', nameEn: 'Need', weight: 1, min: 0, max: 100 }],
  satisfactionThresholdPct: 80,
  minEvaluators: 10,
  secondApprovalAboveMinor: 50_000_000,
  trancheSchedule: [
    { key: 'start', percent: 40, unlock: 'START' },
    { key: 'mid', percent: 40, unlock: 'MIDTERM' },
    { key: 'end', percent: 20, unlock: 'COMPLETION' },
  ],
  targetDays: { review: 5, decision: 5, payment: 5, report: 5 },
});

describe('round definition', () => {
  it('accepts the district’s example and computes its budget', () => {
    const def = valid();
    expect(roundProblems(def)).toEqual([]);
    // ¥300,000 × 3 + ¥200,000 × 5 + ¥100,000 × 10 + ¥5,000,000 construction = ¥7,900,000
    expect(roundBudget(def.tiers, def.constructionBudgetMinor)).toBe(790_000_000);
  });

  it.each<[string, (d: RoundDefinition) => void, string]>([
    ['no tiers', (d) => (d.tiers = []), 'tiers must list 1 to 10 tiers'],
    [
      '11 tiers',
      (d) => (d.tiers = Array.from({ length: 11 }, (_, i) => ({ ...d.tiers[0]!, key: `t${i}` }))),
      'tiers must list 1 to 10 tiers',
    ],
    [
      'duplicate tier keys',
      (d) => (d.tiers[1]!.key = 'first'),
      'tier keys must be unique: first repeats',
    ],
    [
      'zero amount',
      (d) => (d.tiers[0]!.amountMinor = 0),
      'tiers[0].amountMinor must be a whole number of fen greater than zero',
    ],
    [
      'count 101',
      (d) => (d.tiers[0]!.count = 101),
      'tiers[0].count must be a whole number from 1 to 100',
    ],
    ['no criteria', (d) => (d.rubric = []), 'rubric must list 1 to 20 criteria'],
    [
      'weight 0',
      (d) => (d.rubric[0]!.weight = 0),
      'rubric[0].weight must be a whole number from 1 to 1000',
    ],
    [
      'weight 1.5',
      (d) => (d.rubric[0]!.weight = 1.5),
      'rubric[0].weight must be a whole number from 1 to 1000',
    ],
    [
      'min = max',
      (d) => (d.rubric[0]!.min = 100),
      'rubric[0] needs whole-number scores with 0 ≤ min < max ≤ 100',
    ],
    [
      'max 101',
      (d) => (d.rubric[0]!.max = 101),
      'rubric[0] needs whole-number scores with 0 ≤ min < max ≤ 100',
    ],
    [
      'duplicate criteria',
      (d) => d.rubric.push({ ...d.rubric[0]! }),
      'rubric keys must be unique: need repeats',
    ],
    [
      'percents 90',
      (d) => (d.trancheSchedule[2]!.percent = 10),
      'trancheSchedule percents must add up to 100 (they add up to 90)',
    ],
    [
      '7 tranches',
      (d) =>
        (d.trancheSchedule = Array.from({ length: 7 }, (_, i) => ({
          key: `k${i}`,
          percent: 1,
          unlock: 'AWARD' as const,
        }))),
      'trancheSchedule must list 1 to 6 tranches',
    ],
    [
      'unlock out of order',
      (d) => (d.trancheSchedule[0]!.unlock = 'COMPLETION'),
      'trancheSchedule must unlock in order',
    ],
    [
      'bad unlock',
      (d) => ((d.trancheSchedule[0] as { unlock: string }).unlock = 'LATER'),
      'trancheSchedule[0].unlock must be one of AWARD, START, MIDTERM, COMPLETION',
    ],
    [
      'close before open',
      (d) => (d.applicationsCloseAt = d.applicationsOpenAt),
      'applicationsCloseAt must be after applicationsOpenAt',
    ],
    [
      'review before close',
      (d) => (d.reviewCloseAt = d.applicationsOpenAt),
      'reviewCloseAt must not be before applicationsCloseAt',
    ],
    [
      'review 0 days',
      (d) => (d.targetDays.review = 0),
      'targetDays.review must be a whole number of days from 1 to 60',
    ],
    [
      'payment 61 days',
      (d) => (d.targetDays.payment = 61),
      'targetDays.payment must be a whole number of days from 1 to 60',
    ],
    [
      'threshold 0',
      (d) => (d.satisfactionThresholdPct = 0),
      'satisfactionThresholdPct must be a whole number from 1 to 100',
    ],
    [
      'threshold 101',
      (d) => (d.satisfactionThresholdPct = 101),
      'satisfactionThresholdPct must be a whole number from 1 to 100',
    ],
    [
      'no evaluators',
      (d) => (d.minEvaluators = 0),
      'minEvaluators must be a whole number from 1 to 1000',
    ],
  ])('refuses %s', (_what, change, message) => {
    const def = valid();
    change(def);
    expect(roundProblems(def).join('\n')).toContain(message);
  });
});

describe('round transitions', () => {
  const now = new Date('2026-03-15T00:00:00Z');
  const closeLater = new Date('2026-04-01T00:00:00Z');
  const closedBefore = new Date('2026-03-01T00:00:00Z');

  it.each([
    ['DRAFT', 'open', 'OPEN'],
    ['REVIEWING', 'start-awarding', 'AWARDING'],
    ['AWARDING', 'close', 'CLOSED'],
  ] as const)('%s --%s--> %s', (from, action, to) => {
    expect(checkRoundTransition(from, action, { now, applicationsCloseAt: closedBefore })).toEqual({
      allowed: true,
      next: to,
      closesApplicationsEarly: false,
    });
  });

  it.each([
    ['OPEN', 'open'],
    ['DRAFT', 'start-review'],
    ['OPEN', 'start-awarding'],
    ['REVIEWING', 'close'],
    ['CLOSED', 'close'],
  ] as const)('refuses %s --%s--> (wrong status)', (from, action) => {
    expect(
      checkRoundTransition(from, action, { now, applicationsCloseAt: closedBefore }),
    ).toMatchObject({
      allowed: false,
      code: 'INVALID_ROUND_TRANSITION',
    });
  });

  it('starts the review after the deadline, or before it only when the officer closes applications early', () => {
    expect(
      checkRoundTransition('OPEN', 'start-review', { now, applicationsCloseAt: closedBefore }),
    ).toMatchObject({
      allowed: true,
      next: 'REVIEWING',
      closesApplicationsEarly: false,
    });
    const refused = checkRoundTransition('OPEN', 'start-review', {
      now,
      applicationsCloseAt: closeLater,
    });
    expect(refused).toMatchObject({ allowed: false, code: 'APPLICATIONS_STILL_OPEN' });
    expect(refused.allowed || say('en', refused.words)).toContain(
      'Apr 1, 2026, 08:00 (Beijing time)',
    );
    expect(refused.allowed || say('zh-CN', refused.words)).toContain(
      '2026年4月1日 08:00（北京时间）',
    );
    expect(
      checkRoundTransition('OPEN', 'start-review', {
        now,
        applicationsCloseAt: closeLater,
        early: true,
      }),
    ).toMatchObject({ allowed: true, closesApplicationsEarly: true });
  });

  it('closes only when no award is still PROPOSED', () => {
    expect(
      checkRoundTransition('AWARDING', 'close', {
        now,
        applicationsCloseAt: closedBefore,
        proposedAwards: 2,
      }),
    ).toMatchObject({ allowed: false, code: 'AWARDS_PENDING' });
  });
});

describe('application window (Asia/Shanghai)', () => {
  const round = {
    status: 'OPEN' as const,
    applicationsOpenAt: new Date('2026-03-01T00:00:00+08:00'),
    applicationsCloseAt: new Date('2026-04-01T00:00:00+08:00'),
  };
  it('is open from the opening instant up to (not including) the deadline', () => {
    expect(
      inEnglish(applicationWindowProblem(round, new Date('2026-03-31T23:59:59+08:00'))),
    ).toBeNull();
    expect(
      inEnglish(applicationWindowProblem(round, new Date('2026-03-01T00:00:00+08:00'))),
    ).toBeNull();
    expect(inEnglish(applicationWindowProblem(round, new Date('2026-04-01T00:00:00+08:00')))).toBe(
      'The application deadline was Apr 1, 2026, 00:00 (Beijing time); applications are closed.',
    );
    // 16:30 UTC on 31 March is already 00:30 on 1 April in Beijing.
    expect(inEnglish(applicationWindowProblem(round, new Date('2026-03-31T16:30:00Z')))).toMatch(
      /deadline was/,
    );
    expect(
      inEnglish(applicationWindowProblem(round, new Date('2026-02-28T23:00:00+08:00'))),
    ).toContain('Applications open at Mar 1, 2026, 00:00');
    expect(
      inEnglish(
        applicationWindowProblem(
          { ...round, status: 'REVIEWING' },
          new Date('2026-03-10T00:00:00+08:00'),
        ),
      ),
    ).toBe('Applications are taken only while the round is open.');
  });
  it('formats Beijing time', () => {
    expect(beijingTime(new Date('2026-12-31T16:05:00Z'))).toBe('2027-01-01 00:05');
  });
});
