import { rankApplications, scoreProblems, weightedScore, type RankingInput } from './ranking';
import type { RubricCriterion } from './round-rules';

const rubric: RubricCriterion[] = [
  { key: 'need', nameZh: '需求', nameEn: 'Need', weight: 3, min: 0, max: 10 },
  { key: 'design', nameZh: '设计', nameEn: 'Design', weight: 2, min: 0, max: 10 },
  { key: 'feasibility', nameZh: '可行性', nameEn: 'Feasibility', weight: 1, min: 0, max: 10 },
];

describe('weighted score: Σ weight × score / Σ weight, 4 dp half up', () => {
  it.each([
    [{ need: 8, design: 8, feasibility: 8 }, '8.0000'], // 48 / 6
    [{ need: 8, design: 7, feasibility: 9 }, '7.8333'], // 47 / 6 = 7.83333…
    [{ need: 7, design: 8, feasibility: 7 }, '7.3333'], // 44 / 6 = 7.33333…
    [{ need: 9, design: 9, feasibility: 8 }, '8.8333'], // 53 / 6 = 8.83333…
    [{ need: 10, design: 10, feasibility: 9 }, '9.8333'], // 59 / 6
    [{ need: 0, design: 0, feasibility: 1 }, '0.1667'], // 1 / 6 = 0.16666… → up
    [{ need: 10, design: 10, feasibility: 10 }, '10.0000'],
  ])('%j → %s', (scores, expected) => {
    expect(weightedScore(rubric, scores)).toBe(expected);
  });

  it('rounds half up at the fifth decimal: weights 1 and 7, scores 1 and 0 → 1/8 = 0.125 exactly', () => {
    const r = [
      { ...rubric[0]!, weight: 1 },
      { ...rubric[1]!, weight: 7 },
    ];
    expect(weightedScore(r, { need: 1, design: 0 })).toBe('0.1250');
    // 1 / 16 = 0.0625 exactly; 1 / 32 = 0.03125 → 0.0313 (half up)
    expect(
      weightedScore(
        [
          { ...rubric[0]!, weight: 1 },
          { ...rubric[1]!, weight: 31 },
        ],
        { need: 1, design: 0 },
      ),
    ).toBe('0.0313');
  });
});

describe('score problems', () => {
  it('names missing, extra, fractional and out-of-range scores', () => {
    expect(scoreProblems(rubric, { need: 11, design: 2.5, bonus: 3 })).toEqual([
      '"bonus" is not a criterion of this round\'s rubric',
      'Need (need) must be a whole number from 0 to 10, not 11',
      'Design (design) must be a whole number from 0 to 10, not 2.5',
      'Feasibility (feasibility) has no score',
    ]);
    expect(scoreProblems(rubric, { need: 0, design: 10, feasibility: 5 })).toEqual([]);
    expect(scoreProblems(rubric, { need: -1, design: '5', feasibility: 5 })).toHaveLength(2);
  });
});

describe('ranking (hand-computed)', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 8, 1, 0, minute));
  const sub = (weightedScore: string) => ({ status: 'SUBMITTED' as const, weightedScore });
  const recused = { status: 'RECUSED' as const, weightedScore: null };
  const pending = { status: 'ASSIGNED' as const, weightedScore: null };

  /*
   * P: 8.0000, 7.0000 (+ one recused)          → mean 7.5000, min 7.0000, submitted 1st
   * Q: 7.8333, 7.3333                          → mean (7.8333 + 7.3333) / 2 = 7.5833
   * R: 7.5000, 7.5000                          → mean 7.5000, min 7.5000 (beats P on min)
   * T: 7.5000, 7.5000, submitted before R      → ties R on mean and min: earlier submission wins
   * U: 7.5000, 7.5000, same time as T, id 'u'  → ties T entirely: lower id wins (t < u)
   * S: only an unfinished review              → unranked, last
   * V: 9.9999 recused only                    → unranked (recused scores never count)
   */
  const inputs: RankingInput[] = [
    { applicationId: 'p', submittedAt: at(1), reviews: [sub('8.0000'), sub('7.0000'), recused] },
    { applicationId: 'q', submittedAt: at(2), reviews: [sub('7.8333'), sub('7.3333')] },
    { applicationId: 'r', submittedAt: at(5), reviews: [sub('7.5000'), sub('7.5000')] },
    { applicationId: 's', submittedAt: at(0), reviews: [pending] },
    { applicationId: 'u', submittedAt: at(3), reviews: [sub('7.5000'), sub('7.5000')] },
    { applicationId: 't', submittedAt: at(3), reviews: [sub('7.5000'), sub('7.5000')] },
    { applicationId: 'v', submittedAt: at(0), reviews: [recused] },
  ];

  it('ranks by mean, then the higher lowest score, then the earlier submission, then id', () => {
    expect(
      rankApplications(inputs).map((r) => [r.applicationId, r.rank, r.meanScore, r.minScore]),
    ).toEqual([
      ['q', 1, '7.5833', '7.3333'],
      ['t', 2, '7.5000', '7.5000'],
      ['u', 3, '7.5000', '7.5000'],
      ['r', 4, '7.5000', '7.5000'],
      ['p', 5, '7.5000', '7.0000'],
      ['s', null, null, null],
      ['v', null, null, null],
    ]);
  });

  it('counts submitted, recused and pending reviews; excludes recused from the mean', () => {
    const p = rankApplications(inputs).find((r) => r.applicationId === 'p')!;
    expect(p).toMatchObject({ reviewsCounted: 2, reviewsRecused: 1, reviewsPending: 0 });
  });

  it('rounds the mean half up to 4 dp: 7.8333 and 7.3334 → 7.58335 → 7.5834', () => {
    const [one] = rankApplications([
      { applicationId: 'x', submittedAt: at(0), reviews: [sub('7.8333'), sub('7.3334')] },
    ]);
    expect(one!.meanScore).toBe('7.5834');
  });
});
