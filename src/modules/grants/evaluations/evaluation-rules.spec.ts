import {
  checkOpening,
  CODE_ALPHABET,
  codeLabels,
  defaultClosesAt,
  displayCode,
  evaluationResult,
  meanScore,
  newEvaluatorCode,
  normalizeCode,
  type OpeningFacts,
  projectStatusAfter,
  satisfiedPercent,
} from './evaluation-rules';

describe('evaluation result', () => {
  const rule = { thresholdPct: 80, minResponses: 10 };
  it.each([
    [0, 0, 'PENDING'],
    [9, 9, 'PENDING'],
    [10, 8, 'PASSED'],
    [10, 7, 'FAILED'],
    [11, 9, 'PASSED'], // 81.8 %
    [12, 9, 'FAILED'], // 75 %
    [15, 12, 'PASSED'], // exactly 80 %
    [16, 12, 'FAILED'], // 75 %
    [50, 40, 'PASSED'],
    [50, 39, 'FAILED'],
  ] as const)('%i responses, %i satisfied → %s', (responses, satisfied, expected) => {
    expect(evaluationResult({ responses, satisfied }, rule)).toBe(expected);
  });

  it('uses integers: a threshold of 67 % against 2 of 3 (66.67 %) fails, 1 of 1 passes', () => {
    expect(
      evaluationResult({ responses: 3, satisfied: 2 }, { thresholdPct: 67, minResponses: 1 }),
    ).toBe('FAILED');
    expect(
      evaluationResult({ responses: 3, satisfied: 2 }, { thresholdPct: 66, minResponses: 1 }),
    ).toBe('PASSED');
    expect(
      evaluationResult({ responses: 1, satisfied: 1 }, { thresholdPct: 100, minResponses: 1 }),
    ).toBe('PASSED');
  });

  it('satisfied percent is rounded down to one decimal; none without responses', () => {
    expect(satisfiedPercent({ responses: 3, satisfied: 2 })).toBe(66.6);
    expect(satisfiedPercent({ responses: 12, satisfied: 9 })).toBe(75);
    expect(satisfiedPercent({ responses: 0, satisfied: 0 })).toBeNull();
  });

  it('mean score to two decimals, half up', () => {
    expect(meanScore(4 + 5 + 3, 3)).toBe(4);
    expect(meanScore(5 + 4 + 4, 3)).toBe(4.33);
    expect(meanScore(5 + 5 + 4, 3)).toBe(4.67);
    expect(meanScore(1 + 2, 8)).toBe(0.38); // 0.375 → 0.38
    expect(meanScore(0, 0)).toBeNull();
  });

  it('a pass makes the project EVALUATED, a failure RECTIFICATION_REQUIRED', () => {
    expect(projectStatusAfter('PASSED').to).toBe('EVALUATED');
    expect(projectStatusAfter('FAILED').to).toBe('RECTIFICATION_REQUIRED');
    expect(projectStatusAfter('FAILED').from).toContain('COMPLETED');
  });
});

describe('when an evaluation may open', () => {
  const at = (iso: string) => new Date(iso);
  const facts = (over: Partial<OpeningFacts>): OpeningFacts => ({
    projectStatus: 'COMPLETED',
    hasOpen: false,
    lastFailedClosedAt: null,
    lastRectificationAcceptedAt: null,
    ...over,
  });
  it.each<[string, Partial<OpeningFacts>, string | null]>([
    ['a completed project', {}, null],
    ['one already open', { hasOpen: true }, 'EVALUATION_ALREADY_OPEN'],
    ['a project in progress', { projectStatus: 'IN_PROGRESS' }, 'EVALUATION_NOT_ALLOWED'],
    ['an evaluated project', { projectStatus: 'EVALUATED' }, 'EVALUATION_NOT_ALLOWED'],
    [
      'rectification without an accepted report',
      { projectStatus: 'RECTIFICATION_REQUIRED', lastFailedClosedAt: at('2026-05-01T00:00Z') },
      'EVALUATION_NOT_ALLOWED',
    ],
    [
      'rectification accepted before the failure (an old report)',
      {
        projectStatus: 'RECTIFICATION_REQUIRED',
        lastFailedClosedAt: at('2026-05-01T00:00Z'),
        lastRectificationAcceptedAt: at('2026-04-01T00:00Z'),
      },
      'EVALUATION_NOT_ALLOWED',
    ],
    [
      'rectification accepted after the failure',
      {
        projectStatus: 'RECTIFICATION_REQUIRED',
        lastFailedClosedAt: at('2026-05-01T00:00Z'),
        lastRectificationAcceptedAt: at('2026-05-02T00:00Z'),
      },
      null,
    ],
  ])('%s', (_what, over, code) => {
    const verdict = checkOpening(facts(over));
    expect(verdict.allowed ? null : verdict.code).toBe(code);
  });
});

describe('evaluator codes', () => {
  it('has 32 symbols without 0, O, 1 and I', () => {
    expect(CODE_ALPHABET).toHaveLength(32);
    expect(new Set(CODE_ALPHABET).size).toBe(32);
    expect(CODE_ALPHABET).not.toMatch(/[01OI]/);
  });

  it('draws 10 symbols of the alphabet, without bias (byte % 32)', () => {
    const bytes = Uint8Array.from([0, 31, 32, 255, 8, 9, 10, 23, 24, 30]);
    expect(newEvaluatorCode(() => bytes)).toBe('A9A9JKLZ28');
    const code = newEvaluatorCode();
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{10}$/);
    expect(new Set(Array.from({ length: 200 }, () => newEvaluatorCode())).size).toBe(200);
  });

  it('reads a typed code (lower case, spaces, dashes) and refuses what cannot be one', () => {
    expect(normalizeCode(' abcde-fghjk ')).toBe('ABCDEFGHJK');
    expect(normalizeCode('ABC')).toBeNull();
    expect(normalizeCode("ABCDE'--FGH")).toBeNull();
    expect(normalizeCode(42)).toBeNull();
    expect(displayCode('ABCDEFGHJK')).toBe('ABCDE-FGHJK');
  });

  it('labels residents then stakeholders', () => {
    expect(codeLabels(2, 1)).toEqual([
      { panel: 'RESIDENT', label: '居民代表 1 / Resident 1' },
      { panel: 'RESIDENT', label: '居民代表 2 / Resident 2' },
      { panel: 'STAKEHOLDER', label: '利益相关方 1 / Stakeholder 1' },
    ]);
  });

  it('closes 14 days after opening by default', () => {
    expect(defaultClosesAt(new Date('2026-05-01T00:00:00Z')).toISOString()).toBe(
      '2026-05-15T00:00:00.000Z',
    );
  });
});
