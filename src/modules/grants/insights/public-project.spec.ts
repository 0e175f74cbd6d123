import { type ProjectRecord, toPublicProject } from './public-project';

const d = (s: string) => new Date(s);

function record(over: Partial<ProjectRecord['award']> = {}): ProjectRecord {
  return {
    award: {
      id: 'aw1',
      status: 'APPROVED',
      tierKey: 'first',
      designAwardMinor: 30_000_000,
      constructionMinor: 100_000_00,
      currency: 'CNY',
      projectStatus: 'EVALUATED',
      projectStatusAt: d('2026-05-01T00:00:00Z'),
      designPaid: true,
      proposedBy: 'secret-proposer-id',
      decisionNote: 'SECRET NOTE',
      ...over,
    },
    application: {
      title: '口袋公园',
      summary: 'SECRET SUMMARY',
      applicantEmail: 'planner@example.org',
    },
    round: {
      id: 'r1',
      year: 2025,
      nameZh: '2025年度',
      nameEn: '2025 round',
      tiers: [{ key: 'first', nameZh: '一等奖', nameEn: 'First prize' }],
      rubric: 'SECRET RUBRIC',
    },
    community: { id: 'c1', nameZh: '社区', nameEn: 'Community' },
    subdistrict: { id: 's1', nameZh: '街道', nameEn: 'Subdistrict' },
    fund: { id: 'f1', code: 'F-1', nameZh: '基金', nameEn: 'Fund' },
    tranches: [
      { seq: 2, status: 'REQUESTED', amountMinor: 4_000_00, decidedAt: null, requestedBy: 'x' },
      {
        seq: 1,
        status: 'PAID',
        amountMinor: 4_000_00,
        decidedAt: d('2026-02-01T00:00:00Z'),
        decisionNote: 'SECRET PAY NOTE',
      },
    ],
    reports: [
      {
        kind: 'START',
        status: 'ACCEPTED',
        publicSummary: '开工了',
        decidedAt: d('2026-01-10T00:00:00Z'),
        body: 'SECRET BODY',
      },
      {
        kind: 'MIDTERM',
        status: 'SUBMITTED',
        publicSummary: 'not yet accepted',
        decidedAt: null,
        body: 'x',
      },
    ],
    inspections: [
      {
        inspectingBody: '区住建局',
        result: 'FAILED',
        inspectedOn: '2026-03-01',
        recordedAt: d('2026-03-01T00:00:00Z'),
        notes: 'SECRET',
      },
      {
        inspectingBody: '区住建局',
        result: 'PASSED',
        inspectedOn: '2026-04-01',
        recordedAt: d('2026-04-01T00:00:00Z'),
        notes: 'SECRET',
      },
    ],
    evaluations: [
      {
        seq: 2,
        status: 'OPEN',
        thresholdPct: 80,
        resultResponses: null,
        resultSatisfied: null,
        resultMeanScore: null,
        closedAt: null,
        comments: ['open one'],
      },
      {
        seq: 1,
        status: 'PASSED',
        thresholdPct: 80,
        resultResponses: 10,
        resultSatisfied: 9,
        resultMeanScore: 4.3,
        closedAt: d('2026-04-20T00:00:00Z'),
        comments: ['很好', ' '],
        codes: ['ABCDEFGH'],
      },
    ],
  };
}

describe('public project rule', () => {
  it('shows the public facts: amounts, paid tranches, accepted summaries, latest inspection, closed evaluations', () => {
    const p = toPublicProject(record())!;
    expect(p).toMatchObject({
      id: 'aw1',
      title: '口袋公园',
      tier: { nameZh: '一等奖' },
      awardedMinor: 30_000_000 + 100_000_00,
      paidMinor: 30_000_000 + 4_000_00,
      fund: { code: 'F-1', nameZh: '基金' },
      status: 'EVALUATED',
      inspection: { result: 'PASSED', inspectedOn: '2026-04-01' },
    });
    expect(p.tranchesPaid).toEqual([
      { seq: 1, amountMinor: 4_000_00, paidAt: d('2026-02-01T00:00:00Z') },
    ]);
    expect(p.reports).toEqual([
      { kind: 'START', summary: '开工了', acceptedAt: d('2026-01-10T00:00:00Z') },
    ]);
    expect(p.evaluations).toEqual([
      expect.objectContaining({
        seq: 1,
        passed: true,
        responses: 10,
        satisfied: 9,
        satisfaction: 0.9,
        meanScore: 4.3,
        comments: ['很好'],
      }),
    ]);
  });

  it('never carries private fields', () => {
    const json = JSON.stringify(toPublicProject(record()));
    for (const secret of [
      'SECRET',
      'planner@example.org',
      'secret-proposer-id',
      'ABCDEFGH',
      'not yet accepted',
      'open one',
    ]) {
      expect(json).not.toContain(secret);
    }
  });

  it('shows nothing of an award that is not approved', () => {
    expect(toPublicProject(record({ status: 'PROPOSED' }))).toBeNull();
    expect(toPublicProject(record({ status: 'REJECTED' }))).toBeNull();
  });
});
