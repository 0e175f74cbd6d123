import request from 'supertest';
import { FundOutflowService } from '../../src/modules/funds/fund-outflow.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { createUser } from '../factories/accounts.factory';
import {
  createCommunity,
  createFoundation,
  createFund,
  fundFromOutside,
} from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

type User = Awaited<ReturnType<typeof createUser>>;
type Body = Record<string, unknown>;

const DAY = 86_400_000;
const FUND_MINOR = 2_000_000;
const TITLE = '老旧小区口袋公园改造';
/** Tiers 300,000 × 1 + 100,000 × 2, construction 1,000,000. */
const BUDGET = 300_000 + 2 * 100_000 + 1_000_000;
const DESIGN = 300_000;
const CONSTRUCTION = 600_000;
/** 40 % / 40 % / 20 % of the construction funding. */
const TRANCHES = [240_000, 240_000, 120_000];

/**
 * Issue 10's whole lifecycle over HTTP, with real users and no SQL shortcuts: a round is defined,
 * opened (its budget reserved), applied to by planners and a leader of three communities, reviewed
 * (one reviewer recused for a named relation), ranked, shortlisted and declined, awarded above
 * the second-approval threshold by two approvers, its design award and construction tranches
 * paid by FINANCE (ledger, statement and balance checked at each payment), its reports accepted
 * and inspection passed, evaluated below 80 % (rectification blocks the last tranche), rectified,
 * evaluated again and passed, the last tranche paid and the project CLOSED, the round closed; the
 * ledger checks pass, the audit log holds every step and the public project page shows it.
 * Money comes into the fund from outside with the factory (the way in is not under test).
 */
describe('grants: the whole lifecycle over HTTP', () => {
  let t: TestApp;
  let admin: User;
  let officer: User;
  let finance: User;
  let finance2: User;
  let r1: User;
  let r2: User;
  /** Also FINANCE: still never approves an application they were assigned to review. */
  let r3: User;
  let plannerA: User;
  let leaderA: User;
  let leaderB: User;
  let plannerC: User;
  let communityA: { id: string };
  let communityB: { id: string };
  let communityC: { id: string };

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    communityA = await createCommunity(t);
    communityB = await createCommunity(t);
    communityC = await createCommunity(t);
    admin = await createUser(t, ['ADMIN']);
    officer = await createUser(t, ['GRANTS_OFFICER']);
    finance = await createUser(t, ['FINANCE']);
    finance2 = await createUser(t, ['FINANCE']);
    r1 = await createUser(t, ['REVIEWER']);
    r2 = await createUser(t, ['REVIEWER']);
    r3 = await createUser(t, ['REVIEWER', 'FINANCE']);
    plannerA = await createUser(t, ['PLANNER'], { communityIds: [communityA.id] });
    leaderA = await createUser(t, ['COMMUNITY_LEADER'], { communityIds: [communityA.id] });
    leaderB = await createUser(t, ['COMMUNITY_LEADER'], { communityIds: [communityB.id] });
    plannerC = await createUser(t, ['PLANNER'], { communityIds: [communityC.id] });
  });
  afterAll(() => t.close());

  const api = (who: User | null, method: 'get' | 'post' | 'patch', path: string, body?: Body) => {
    const req = request(t.server)[method](`/api/v1${path}`);
    if (who) void req.set(who.auth);
    return method === 'get' ? req : req.send(body ?? {});
  };
  const audit = async (entityType: string, entityId: string) =>
    (
      await t.dataSource.query<{ action: string; actor: string | null }[]>(
        `SELECT action, actor_user_id AS actor FROM audit_log
          WHERE entity_type = $1 AND entity_id = $2 ORDER BY id`,
        [entityType, entityId],
      )
    ).map((r) => [r.action, r.actor] as const);
  const actions = async (entityType: string, entityId: string) =>
    (await audit(entityType, entityId)).map(([a]) => a);
  const entriesByKey = async (key: string) =>
    t.dataSource.query<{ id: string; kind: string; description: string }[]>(
      `SELECT id, kind, description FROM journal_entries WHERE idempotency_key = $1`,
      [key],
    );

  it('round → applications → recusal → scores → ranking → award with two approvers → tranches → reports → evaluation below 80 % → rectification → passed re-evaluation → last tranche → closed', async () => {
    const fund = await createFund(t, { kind: 'PROGRAM' });
    await fundFromOutside(t, fund, FUND_MINOR);
    const outflow = t.get(FundOutflowService);
    /** Balance, reserved and available from the fund (read without locking). */
    const money = async () => {
      const s = await outflow.available(fund.id);
      return { balance: s.balanceMinor, reserved: s.reservedMinor, available: s.availableMinor };
    };
    /** The newest statement line, as FINANCE reads it over HTTP. */
    const lastStatementLine = async () =>
      (await api(finance, 'get', `/funds/${fund.id}/statement?limit=1`).expect(200)).body
        .lines[0] as {
        entryId: string;
        kind: string;
        description: string;
        amountMinor: number;
        balanceAfterMinor: number;
      };
    expect(await money()).toEqual({ balance: FUND_MINOR, reserved: 0, available: FUND_MINOR });

    // ── Round: defined as a DRAFT, opened (budget reserved), applications open now. ──
    const now = Date.now();
    const created = await api(officer, 'post', '/grants/rounds', {
      sourceFundId: fund.id,
      nameZh: '2026年度社区规划项目评审',
      nameEn: '2026 community project review',
      year: 2026,
      applicationsOpenAt: new Date(now - DAY).toISOString(),
      applicationsCloseAt: new Date(now + 10 * DAY).toISOString(),
      reviewCloseAt: new Date(now + 20 * DAY).toISOString(),
      tiers: [
        { key: 'first', nameZh: '一等奖', nameEn: 'First prize', amountMinor: 300_000, count: 1 },
        { key: 'second', nameZh: '二等奖', nameEn: 'Second prize', amountMinor: 100_000, count: 2 },
      ],
      constructionBudgetMinor: 1_000_000,
      rubric: [
        { key: 'need', nameZh: '社区需求', nameEn: 'Community need', weight: 3, min: 0, max: 10 },
        { key: 'design', nameZh: '设计质量', nameEn: 'Design quality', weight: 2, min: 0, max: 10 },
        { key: 'feasibility', nameZh: '可行性', nameEn: 'Feasibility', weight: 1, min: 0, max: 10 },
      ],
      satisfactionThresholdPct: 80,
      minEvaluators: 5,
      secondApprovalAboveMinor: 400_000,
      trancheSchedule: [
        { key: 'start', percent: 40, unlock: 'START' },
        { key: 'midterm', percent: 40, unlock: 'MIDTERM' },
        { key: 'final', percent: 20, unlock: 'COMPLETION' },
      ],
      targetDays: { review: 5, decision: 5, payment: 5, report: 5 },
    }).expect(201);
    const roundId = created.body.id as string;
    expect(created.body).toMatchObject({ status: 'DRAFT', budgetMinor: BUDGET });
    await api(plannerA, 'post', `/grants/rounds/${roundId}/open`).expect(403);
    await api(null, 'post', `/grants/rounds/${roundId}/open`).expect(401);
    const opened = await api(officer, 'post', `/grants/rounds/${roundId}/open`).expect(200);
    expect(opened.body.status).toBe('OPEN');
    // The budget is reserved: the fund's available money shrank by it, its balance did not.
    expect(await money()).toEqual({
      balance: FUND_MINOR,
      reserved: BUDGET,
      available: FUND_MINOR - BUDGET,
    });

    // ── Applications by a planner of A, a leader of B and a planner of C; submitted. ──
    const apply = (who: User, communityId: string, title: string, lines: [string, number][]) =>
      api(who, 'post', `/grants/rounds/${roundId}/applications`, {
        communityId,
        title,
        summary: `${title}：居民共同参与设计。`,
        budgetLines: lines.map(([item, amountMinor]) => ({ item, amountMinor })),
      });
    const notMine = await apply(leaderB, communityA.id, '别人的社区', [['x', 1]]).expect(403);
    expect(notMine.body.code).toBe('NOT_YOUR_COMMUNITY');
    const appA = (
      await apply(plannerA, communityA.id, TITLE, [
        ['座椅与遮阳棚', 250_000],
        ['绿化与步道', 550_000],
      ]).expect(201)
    ).body.id as string;
    const appB = (
      await apply(leaderB, communityB.id, '社区食堂', [['厨房设备', 400_000]]).expect(201)
    ).body.id as string;
    const appC = (
      await apply(plannerC, communityC.id, '儿童游乐角', [['游乐设施', 300_000]]).expect(201)
    ).body.id as string;
    for (const [who, id] of [
      [plannerA, appA],
      [leaderB, appB],
      [plannerC, appC],
    ] as const) {
      await api(leaderA, 'post', `/grants/applications/${id}/submit`).expect(403);
      const sub = await api(who, 'post', `/grants/applications/${id}/submit`).expect(200);
      expect(sub.body.status).toBe('SUBMITTED');
    }
    const locked = await api(plannerA, 'patch', `/grants/applications/${appA}`, {
      title: '改了',
    }).expect(409);
    expect(locked.body.code).toBe('APPLICATION_LOCKED');

    // ── Review starts early (the officer closes applications now). ──
    const stillOpen = await api(officer, 'post', `/grants/rounds/${roundId}/start-review`).expect(
      409,
    );
    expect(stillOpen.body.code).toBe('APPLICATIONS_STILL_OPEN');
    const reviewing = await api(officer, 'post', `/grants/rounds/${roundId}/start-review`, {
      early: true,
    }).expect(200);
    expect(reviewing.body.status).toBe('REVIEWING');
    const late = await apply(plannerA, communityA.id, '太晚了', [['x', 100]]).expect(422);
    expect(late.body.code).toBe('APPLICATIONS_CLOSED');

    // ── Reviewers assigned; r3 recuses on A for a named relation; scores. ──
    const sameCommunity = await createUser(t, ['REVIEWER', 'PLANNER'], {
      communityIds: [communityA.id],
    });
    const conflict = await api(officer, 'post', `/grants/applications/${appA}/reviewers`, {
      reviewerId: sameCommunity.id,
    }).expect(409);
    expect(conflict.body.code).toBe('CONFLICT_OF_INTEREST');
    const reviews: Record<string, Record<string, string>> = {};
    for (const app of [appA, appB, appC]) {
      reviews[app] = {};
      for (const reviewer of [r1, r2, r3]) {
        const res = await api(officer, 'post', `/grants/applications/${app}/reviewers`, {
          reviewerId: reviewer.id,
        }).expect(201);
        reviews[app][reviewer.id] = res.body.id as string;
      }
    }
    expect(
      (await api(officer, 'get', `/grants/applications/${appA}`).expect(200)).body.status,
    ).toBe('UNDER_REVIEW');
    const queue = await api(r3, 'get', '/grants/reviews').expect(200);
    expect(queue.body.items).toHaveLength(3);
    const recused = await api(r3, 'post', `/grants/reviews/${reviews[appA]![r3.id]}/recuse`, {
      reason: '申报人是我的表亲 / The applicant is my cousin',
    }).expect(200);
    expect(recused.body.status).toBe('RECUSED');
    const score = (who: User, app: string, need: number, design: number, feasibility: number) =>
      api(who, 'post', `/grants/reviews/${reviews[app]![who.id]}/scores`, {
        scores: { need, design, feasibility },
        comment: `评分 ${need}/${design}/${feasibility}`,
      });
    expect((await score(r3, appA, 10, 10, 10).expect(409)).body.code).toBe('REVIEW_CLOSED');
    expect((await score(r1, appA, 11, 8, 7).expect(422)).body.code).toBe('SCORE_OUT_OF_RANGE');
    // Weighted = (3 need + 2 design + 1 feasibility) / 6.
    // A: r1 (9,8,7) = 50/6 = 8.3333, r2 (8,9,8) = 50/6 = 8.3333, r3 recused → mean 8.3333.
    // B: r1 (6,6,6) = 6, r2 (7,6,3) = 36/6 = 6, r3 (6,3,3) = 27/6 = 4.5 → mean 5.5000.
    // C: r1 (8,8,8) = 8, r2 (7,7,7) = 7, r3 (9,6,6) = 45/6 = 7.5 → mean 7.5000.
    expect((await score(r1, appA, 9, 8, 7).expect(200)).body.weightedScore).toBe('8.3333');
    await score(r2, appA, 8, 9, 8).expect(200);
    await score(r1, appB, 6, 6, 6).expect(200);
    await score(r2, appB, 7, 6, 3).expect(200);
    expect((await score(r3, appB, 6, 3, 3).expect(200)).body.weightedScore).toBe('4.5000');
    await score(r1, appC, 8, 8, 8).expect(200);
    await score(r2, appC, 7, 7, 7).expect(200);
    await score(r3, appC, 9, 6, 6).expect(200);

    // ── Ranking. ──
    await api(r1, 'get', `/grants/rounds/${roundId}/ranking`).expect(403);
    const ranking = await api(officer, 'get', `/grants/rounds/${roundId}/ranking`).expect(200);
    expect(
      ranking.body.items.map((i: Body) => [
        i.title,
        i.rank,
        i.meanScore,
        i.minScore,
        i.reviewsCounted,
        i.reviewsRecused,
      ]),
    ).toEqual([
      [TITLE, 1, '8.3333', '8.3333', 2, 1],
      ['儿童游乐角', 2, '7.5000', '7.0000', 3, 0],
      ['社区食堂', 3, '5.5000', '4.5000', 3, 0],
    ]);

    // ── Shortlist A and C, decline B; awarding starts. ──
    await api(plannerA, 'post', `/grants/applications/${appA}/shortlist`).expect(403);
    for (const app of [appA, appC])
      expect(
        (await api(officer, 'post', `/grants/applications/${app}/shortlist`).expect(200)).body
          .status,
      ).toBe('SHORTLISTED');
    const declined = await api(officer, 'post', `/grants/applications/${appB}/decline`, {
      note: '预算与需求不匹配 / The budget does not fit the need',
    }).expect(200);
    expect(declined.body.status).toBe('DECLINED');
    const awarding = await api(officer, 'post', `/grants/rounds/${roundId}/start-awarding`).expect(
      200,
    );
    expect(awarding.body.status).toBe('AWARDING');

    // ── Award above the second-approval threshold; four eyes, twice. ──
    const proposed = await api(officer, 'post', `/grants/rounds/${roundId}/awards`, {
      applicationId: appA,
      tierKey: 'first',
      constructionMinor: CONSTRUCTION,
    }).expect(201);
    const awardId = proposed.body.id as string;
    expect(proposed.body).toMatchObject({
      status: 'PROPOSED',
      designAwardMinor: DESIGN,
      constructionMinor: CONSTRUCTION,
      needsSecondApproval: true,
    });
    const approve = (who: User | null) => api(who, 'post', `/grants/awards/${awardId}/approve`);
    for (const [who, status, code] of [
      [officer, 403, 'SELF_APPROVAL'],
      [r3, 403, 'GRANT_REVIEWER_APPROVAL'],
      [r1, 403, 'FORBIDDEN'],
      [plannerA, 403, 'FORBIDDEN'],
      [leaderB, 403, 'FORBIDDEN'],
    ] as const)
      expect((await approve(who).expect(status)).body.code).toBe(code);
    await approve(null).expect(401);
    const first = await approve(finance).expect(200);
    expect(first.body.award).toMatchObject({ status: 'PROPOSED', firstApprovedBy: finance.id });
    expect(first.body.entry).toBeNull();
    expect((await approve(finance).expect(403)).body.code).toBe('GRANT_SAME_APPROVER');
    expect(await entriesByKey(`grant-award:${awardId}:design`)).toHaveLength(0);
    expect((await money()).balance).toBe(FUND_MINOR);

    const second = await approve(admin).expect(200);
    expect(second.body.award).toMatchObject({
      status: 'APPROVED',
      firstApprovedBy: finance.id,
      secondApprovedBy: admin.id,
      projectStatus: 'NOT_STARTED',
    });
    expect((await approve(finance2).expect(409)).body.code).toBe('GRANT_AWARD_NOT_PROPOSED');
    const designDescription = `设计奖励：${TITLE} / Design award: ${TITLE}`;
    expect(second.body.entry).toMatchObject({
      kind: 'GRANT_AWARD',
      idempotencyKey: `grant-award:${awardId}:design`,
      description: designDescription,
    });
    expect(await entriesByKey(`grant-award:${awardId}:design`)).toHaveLength(1);
    let expectedBalance = FUND_MINOR - DESIGN;
    expect((await money()).balance).toBe(expectedBalance);
    expect(await lastStatementLine()).toMatchObject({
      entryId: second.body.entry.id,
      kind: 'GRANT_AWARD',
      description: designDescription,
      amountMinor: -DESIGN,
      balanceAfterMinor: expectedBalance,
    });
    expect(
      (await api(plannerA, 'get', `/grants/applications/${appA}`).expect(200)).body.status,
    ).toBe('AWARDED');
    const tranches = second.body.award.tranches as {
      id: string;
      seq: number;
      amountMinor: number;
      unlock: string;
      status: string;
    }[];
    expect(tranches.map((x) => [x.amountMinor, x.unlock, x.status])).toEqual([
      [TRANCHES[0], 'START', 'SCHEDULED'],
      [TRANCHES[1], 'MIDTERM', 'SCHEDULED'],
      [TRANCHES[2], 'COMPLETION', 'SCHEDULED'],
    ]);
    expect(TRANCHES.reduce((s, x) => s + x, 0)).toBe(CONSTRUCTION);
    const [t1, t2, t3] = tranches as [
      (typeof tranches)[0],
      (typeof tranches)[0],
      (typeof tranches)[0],
    ];

    const project = async () =>
      (await api(plannerA, 'get', `/grants/awards/${awardId}`).expect(200)).body as {
        projectStatus: string;
        tranches: { id: string; status: string }[];
        reports: unknown[];
      };
    const submitReport = (who: User, kind: string) =>
      api(who, 'post', `/grants/awards/${awardId}/reports`, {
        kind,
        body: `${kind} 报告正文（内部）`,
        publicSummary: `${kind}：公开摘要`,
      });
    const acceptReport = async (id: string, submitter: User) => {
      expect(
        (await api(submitter, 'post', `/grants/reports/${id}/accept`).expect(403)).body.code,
      ).toBe('FORBIDDEN');
      const res = await api(officer, 'post', `/grants/reports/${id}/accept`, { note: '' }).expect(
        200,
      );
      expect(res.body.status).toBe('ACCEPTED');
    };
    const trancheAction = (who: User, id: string, action: 'request' | 'pay' | 'reject') =>
      api(who, 'post', `/grants/tranches/${id}/${action}`);
    /** Pays a requested tranche by `payer`: one entry, the balance and the statement line exact. */
    const payTranche = async (tranche: (typeof tranches)[0], n: number, payer: User) => {
      const before = await money();
      const paid = await trancheAction(payer, tranche.id, 'pay').expect(200);
      const description = `建设资金第${n}笔：${TITLE} / Construction tranche ${n}: ${TITLE}`;
      expect(paid.body).toMatchObject({
        replayed: false,
        tranche: { status: 'PAID' },
        entry: {
          kind: 'GRANT_TRANCHE',
          idempotencyKey: `grant-tranche:${tranche.id}`,
          description,
        },
      });
      expect(await entriesByKey(`grant-tranche:${tranche.id}`)).toHaveLength(1);
      expectedBalance -= tranche.amountMinor;
      const after = await money();
      expect(after.balance).toBe(before.balance - tranche.amountMinor);
      expect(after.balance).toBe(expectedBalance);
      // Drawn from the round's reservation: what is available to others does not move.
      expect(after.available).toBe(before.available);
      expect(await lastStatementLine()).toMatchObject({
        entryId: paid.body.entry.id,
        kind: 'GRANT_TRANCHE',
        description,
        amountMinor: -tranche.amountMinor,
        balanceAfterMinor: expectedBalance,
      });
      // Paying again posts nothing.
      const replay = await trancheAction(payer, tranche.id, 'pay').expect(200);
      expect(replay.body).toMatchObject({ replayed: true, entry: null });
      expect((await money()).balance).toBe(expectedBalance);
    };

    // ── START report → first tranche requested by the grantee, paid by FINANCE. ──
    expect((await trancheAction(plannerA, t1.id, 'request').expect(422)).body.code).toBe(
      'GRANT_TRANCHE_LOCKED',
    );
    const start = (await submitReport(plannerA, 'START').expect(201)).body.id as string;
    await acceptReport(start, plannerA);
    expect((await project()).projectStatus).toBe('IN_PROGRESS');
    expect((await trancheAction(plannerA, t1.id, 'request').expect(200)).body.status).toBe(
      'REQUESTED',
    );
    await trancheAction(officer, t1.id, 'pay').expect(403);
    await trancheAction(plannerA, t1.id, 'pay').expect(403);
    await payTranche(t1, 1, finance);

    // ── MIDTERM report by the community's leader → second tranche requested by the officer. ──
    expect((await trancheAction(officer, t2.id, 'request').expect(422)).body.code).toBe(
      'GRANT_TRANCHE_LOCKED',
    );
    const mid = (await submitReport(leaderA, 'MIDTERM').expect(201)).body.id as string;
    await acceptReport(mid, leaderA);
    await trancheAction(officer, t2.id, 'request').expect(200);
    await payTranche(t2, 2, finance2);

    // ── COMPLETION report accepted and inspection PASSED → COMPLETED; last tranche still locked. ──
    const completion = (await submitReport(plannerA, 'COMPLETION').expect(201)).body.id as string;
    await acceptReport(completion, plannerA);
    expect((await project()).projectStatus).toBe('IN_PROGRESS');
    await api(plannerA, 'post', `/grants/awards/${awardId}/inspections`, {
      inspectingBody: '区住房和建设局',
      result: 'PASSED',
      inspectedOn: '2026-09-20',
    }).expect(403);
    await api(officer, 'post', `/grants/awards/${awardId}/inspections`, {
      inspectingBody: '区住房和建设局',
      result: 'PASSED',
      notes: '验收合格',
      inspectedOn: '2026-09-20',
    }).expect(201);
    expect((await project()).projectStatus).toBe('COMPLETED');
    expect((await trancheAction(plannerA, t3.id, 'request').expect(422)).body.code).toBe(
      'GRANT_TRANCHE_LOCKED',
    );

    // ── First evaluation: 6 residents and stakeholders, 4 satisfied = 66.7 % < 80 %. ──
    type Opened = { id: string; seq: number; codes: { code: string }[] };
    const openEvaluation = (residentCodes: number, stakeholderCodes: number) =>
      api(officer, 'post', `/grants/awards/${awardId}/evaluations`, {
        residentCodes,
        stakeholderCodes,
      });
    await api(plannerA, 'post', `/grants/awards/${awardId}/evaluations`, {
      residentCodes: 5,
      stakeholderCodes: 0,
    }).expect(403);
    const ev1 = (await openEvaluation(4, 2).expect(201)).body as Opened;
    expect(ev1).toMatchObject({ seq: 1, status: 'OPEN', thresholdPct: 80, minResponses: 5 });
    expect(ev1.codes).toHaveLength(6);
    const respond = (code: string, satisfied: boolean, score: number, comment = '') =>
      request(t.server)
        .post('/api/v1/evaluations/responses')
        .send({ code, satisfied, score, comment });
    const firstAnswers: [boolean, number, string][] = [
      [true, 4, ''],
      [true, 5, '孩子们很喜欢'],
      [false, 2, '晚上太暗了'],
      [true, 4, ''],
      [false, 1, '座椅太少'],
      [true, 3, ''],
    ];
    for (const [i, [satisfied, s, comment]] of firstAnswers.entries())
      await respond(ev1.codes[i]!.code, satisfied, s, comment).expect(201);
    expect((await respond(ev1.codes[0]!.code, true, 5).expect(409)).body.code).toBe(
      'EVALUATOR_CODE_USED',
    );
    const failed = await api(officer, 'post', `/grants/evaluations/${ev1.id}/close`).expect(200);
    expect(failed.body).toMatchObject({
      projectStatus: 'RECTIFICATION_REQUIRED',
      evaluation: { status: 'FAILED', resultResponses: 6, resultSatisfied: 4 },
    });
    expect((await project()).projectStatus).toBe('RECTIFICATION_REQUIRED');

    // ── Rectification: the last tranche is neither requested nor paid; no new evaluation yet. ──
    const blocked = await trancheAction(plannerA, t3.id, 'request').expect(422);
    expect(blocked.body.code).toBe('GRANT_PROJECT_IN_RECTIFICATION');
    expect(blocked.body.message).toMatch(/must be rectified: no tranche is requested or paid/);
    const blockedByOfficer = await trancheAction(officer, t3.id, 'request').expect(422);
    expect(blockedByOfficer.body.code).toBe('GRANT_PROJECT_IN_RECTIFICATION');
    // Never requested, so FINANCE has nothing to pay either.
    expect((await trancheAction(finance, t3.id, 'pay').expect(409)).body.code).toBe(
      'GRANT_TRANCHE_STATUS',
    );
    expect(await entriesByKey(`grant-tranche:${t3.id}`)).toHaveLength(0);
    expect((await money()).balance).toBe(expectedBalance);
    expect((await openEvaluation(5, 0).expect(409)).body.code).toBe('EVALUATION_NOT_ALLOWED');

    const fix = (await submitReport(plannerA, 'RECTIFICATION').expect(201)).body.id as string;
    await acceptReport(fix, plannerA);
    expect((await project()).projectStatus).toBe('RECTIFICATION_REQUIRED');

    // ── Second evaluation: 5 of 5 satisfied → PASSED → EVALUATED. ──
    const ev2 = (await openEvaluation(5, 0).expect(201)).body as Opened;
    expect(ev2.seq).toBe(2);
    // A code of the first evaluation does not answer the second.
    const mismatch = await request(t.server)
      .post('/api/v1/evaluations/responses')
      .send({ code: ev1.codes[5]!.code, evaluationId: ev2.id, satisfied: true, score: 5 });
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.code).toBe('EVALUATOR_CODE_MISMATCH');
    for (const [i, c] of ev2.codes.entries())
      await respond(c.code, true, i === 0 ? 4 : 5, i === 0 ? '整改后灯光很好' : '').expect(201);
    const passed = await api(officer, 'post', `/grants/evaluations/${ev2.id}/close`).expect(200);
    expect(passed.body).toMatchObject({
      projectStatus: 'EVALUATED',
      evaluation: { status: 'PASSED', resultResponses: 5, resultSatisfied: 5 },
    });

    // ── Last tranche: requested by the grantee, paid by FINANCE → project CLOSED. ──
    await trancheAction(plannerA, t3.id, 'request').expect(200);
    await payTranche(t3, 3, finance);
    const closedProject = await project();
    expect(closedProject.projectStatus).toBe('CLOSED');
    expect(closedProject.tranches.map((x) => x.status)).toEqual(['PAID', 'PAID', 'PAID']);
    expect(closedProject.reports).toHaveLength(4);
    expect(expectedBalance).toBe(FUND_MINOR - DESIGN - CONSTRUCTION);

    // ── Round closed: what was not awarded is available again, nothing is left reserved. ──
    const closedRound = await api(officer, 'post', `/grants/rounds/${roundId}/close`).expect(200);
    expect(closedRound.body.status).toBe('CLOSED');
    const reservation = (await outflow.findReservation(`round:${roundId}`))!;
    expect(reservation.drawnMinor).toBe(DESIGN + CONSTRUCTION);
    expect(reservation.drawnMinor).toBeLessThanOrEqual(reservation.reservedMinor);
    expect(await money()).toEqual({
      balance: FUND_MINOR - DESIGN - CONSTRUCTION,
      reserved: 0,
      available: FUND_MINOR - DESIGN - CONSTRUCTION,
    });

    // ── The ledger: `ledger:check` equivalent and the grantee account. ──
    const ledger = t.get(LedgerService);
    expect((await ledger.check()).ok).toBe(true);
    const across = await ledger.checkAcrossModules();
    expect(across.violations).toEqual([]);
    expect(across.ok).toBe(true);
    expect((await ledger.balancesByCode(['payees:grants'])).get('payees:grants')).toBe(
      DESIGN + CONSTRUCTION,
    );
    const statement = (
      await api(finance, 'get', `/funds/${fund.id}/statement?limit=10`).expect(200)
    ).body.lines as { kind: string; amountMinor: number; description: string }[];
    expect(
      statement.filter((l) => l.description.includes(TITLE)).map((l) => l.amountMinor),
    ).toEqual([-TRANCHES[2]!, -TRANCHES[1]!, -TRANCHES[0]!, -DESIGN]);

    // ── The audit log: every step, by whom. ──
    expect(await actions('grant_round', roundId)).toEqual([
      'grant.round.created',
      'grant.round.opened',
      'grant.round.review_started',
      'grant.round.awarding_started',
      ...((await actions('grant_round', roundId)).includes('grant.round.reservation_resized')
        ? ['grant.round.reservation_resized']
        : []),
      'grant.round.closed',
    ]);
    expect(await audit('grant_application', appA)).toEqual([
      ['grant.application.created', plannerA.id],
      ['grant.application.submitted', plannerA.id],
      ['grant.application.shortlisted', officer.id],
      ['grant.application.awarded', admin.id],
    ]);
    expect(await actions('grant_application', appB)).toEqual([
      'grant.application.created',
      'grant.application.submitted',
      'grant.application.declined',
    ]);
    expect(await audit('grant_review', reviews[appA]![r3.id]!)).toEqual([
      ['grant.review.assigned', officer.id],
      ['grant.review.recused', r3.id],
    ]);
    expect(await audit('grant_award', awardId)).toEqual(
      expect.arrayContaining([
        ['grant.award.proposed', officer.id],
        ['grant.award.first_approved', finance.id],
        ['grant.award.approved', admin.id],
      ]),
    );
    const projectSteps = await t.dataSource.query<{ s: string }[]>(
      `SELECT after->>'projectStatus' AS s FROM audit_log
        WHERE entity_type = 'grant_award' AND entity_id = $1 AND action = 'grant.award.project_status'
        ORDER BY id`,
      [awardId],
    );
    expect(projectSteps.map((r) => r.s)).toEqual(['IN_PROGRESS', 'COMPLETED', 'CLOSED']);
    expect(await actions('grant_award', awardId)).toEqual(
      expect.arrayContaining(['grant.project.rectification_required', 'grant.project.evaluated']),
    );
    expect(await audit('grant_tranche', t1.id)).toEqual([
      ['grant.tranche.requested', plannerA.id],
      ['grant.tranche.paid', finance.id],
    ]);
    expect(await audit('grant_tranche', t2.id)).toEqual([
      ['grant.tranche.requested', officer.id],
      ['grant.tranche.paid', finance2.id],
    ]);
    expect(await actions('grant_evaluation', ev1.id)).toEqual([
      'grant.evaluation.opened',
      ...Array<string>(6).fill('grant.evaluation.responded'),
      'grant.evaluation.closed',
    ]);

    // ── Emails went to the person who must act next, in the outbox. ──
    const emails = async (to: User, template: string) =>
      (
        await t.dataSource.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM outbox
            WHERE kind = 'EMAIL' AND payload->>'to' = $1 AND payload->>'template' = $2`,
          [to.email, template],
        )
      )[0]!.n;
    expect(await emails(r1, 'grant-reviewer-assigned')).toBe(3);
    expect(await emails(plannerA, 'grant-application-decided')).toBe(1);
    expect(await emails(leaderB, 'grant-application-decided')).toBe(1);
    expect(await emails(finance, 'grant-award-approval-needed')).toBe(1);
    expect(await emails(r3, 'grant-award-approval-needed')).toBe(0);
    expect(await emails(plannerA, 'grant-award-approved')).toBe(1);
    expect(await emails(finance, 'grant-tranche-requested')).toBe(3);
    expect(await emails(plannerA, 'grant-tranche-paid')).toBe(3);
    expect(await emails(plannerA, 'grant-evaluation-result')).toBe(2);

    // ── The public project page: paid tranches with dates, both evaluation results. ──
    const page = await request(t.server).get(`/projects/${awardId}?lang=zh-CN`).expect(200);
    const html = page.text;
    expect(html).toContain(TITLE);
    expect(html.match(/class="tranche-paid"/g)).toHaveLength(3);
    for (const amount of ['¥2,400.00', '¥1,200.00']) expect(html).toContain(amount);
    expect(html).toContain('¥9,000.00'); // awarded and paid: design 3,000 + construction 6,000
    expect(html).toContain('第 1 次评议');
    expect(html).toContain('第 2 次评议');
    expect(html).toContain('未达标准，责令整改');
    expect(html).toMatch(/满意度 66\.\d%（6 人中 4 人满意；标准 80%）/);
    expect(html).toMatch(/满意度 100%（5 人中 5 人满意；标准 80%）/);
    expect(html).toContain('晚上太暗了');
    expect(html).toContain('整改后灯光很好');
    expect(html).toContain('RECTIFICATION：公开摘要');
    expect(html).not.toContain('报告正文（内部）');
    for (const c of [...ev1.codes, ...ev2.codes]) expect(html).not.toContain(c.code);
    const en = await request(t.server).get(`/projects/${awardId}?lang=en`).expect(200);
    expect(en.text).toContain('Satisfaction 100%');
  }, 240_000);
});
