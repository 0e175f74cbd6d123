import request from 'supertest';
import type { FundView } from '../../src/modules/funds/funds.service';
import { createUser } from '../factories/accounts.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import {
  addGrantReview,
  createGrantApplication,
  createGrantRound,
  type GrantApplicationStatus,
  type GrantRoundStatus,
} from '../factories/grants.factory';
import { createCompletedProject } from '../factories/grants-evaluation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);

type User = Awaited<ReturnType<typeof createUser>>;
type Body = Record<string, unknown>;

const ACTORS = [
  'planner A',
  'leader A',
  'leader B',
  'reviewer',
  'officer',
  'finance',
  'admin',
  'anonymous',
] as const;
type Actor = (typeof ACTORS)[number];

/** A 2xx status, or a refusal with its code. */
type Outcome = number | [status: number, code: string];

interface Fixture {
  path: string;
  body?: Body;
  /** A file sent as the raw body (application/pdf) instead of JSON. */
  pdf?: Buffer;
  /** What the action changes (a status), read before and after: a refusal changes nothing. */
  state?: () => Promise<unknown>;
}

interface Action {
  name: string;
  method: 'get' | 'post' | 'patch';
  /** A fresh fixture for each actor, built by `actor` when it matters (e.g. the reviewer). */
  setup: (actor: Actor) => Fixture | Promise<Fixture>;
  /** Actors not listed: 403 FORBIDDEN when signed in, 401 UNAUTHENTICATED when anonymous. */
  outcomes: Partial<Record<Actor, Outcome>>;
}

/**
 * The permission matrix of every grant and expense action (issue 10), in the route-policy test's
 * style (`it.each` over actions × actors) but on REAL fixtures built afresh for each row (a draft
 * application, a shortlisted one, a proposed award, a requested tranche, a submitted report, an
 * open evaluation, a requested expense): an allowed actor gets its exact 2xx, a refused one 401,
 * 403 FORBIDDEN or the service's own code (NOT_YOUR_COMMUNITY, SELF_APPROVAL, …), and a refusal
 * changes nothing.
 *
 * Actors: a PLANNER of community A, a COMMUNITY_LEADER of community A and its fund, a
 * COMMUNITY_LEADER of community B and its fund, a REVIEWER (assigned to the application where
 * that matters), a GRANTS_OFFICER (who proposes the awards), FINANCE, ADMIN and nobody signed in.
 * Applications are the planner's, for community A.
 */
describe('grants: permission matrix on real fixtures', () => {
  let t: TestApp;
  const users = new Map<Actor, User>();
  let officer2: User;
  let finance2: User;
  let reviewer2: User;
  let fundA: FundView;
  let fundB: FundView;
  let programFund: FundView;
  let communityA: string;
  let openRoundId: string;
  let reviewingRoundId: string;
  let publicCodes: string[] = [];
  let publicAwardId: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    fundA = await createFund(t, { kind: 'COMMUNITY' });
    fundB = await createFund(t, { kind: 'COMMUNITY' });
    programFund = await createFund(t, { kind: 'PROGRAM' });
    await fundFromOutside(t, fundA, 100_000_000);
    await fundFromOutside(t, fundB, 100_000_000);
    await fundFromOutside(t, programFund, 10_000_000_000);
    communityA = fundA.communityId!;
    users.set('planner A', await createUser(t, ['PLANNER'], { communityIds: [communityA] }));
    users.set(
      'leader A',
      await createUser(t, ['COMMUNITY_LEADER'], {
        communityIds: [communityA],
        fundIds: [fundA.id],
      }),
    );
    users.set(
      'leader B',
      await createUser(t, ['COMMUNITY_LEADER'], {
        communityIds: [fundB.communityId!],
        fundIds: [fundB.id],
      }),
    );
    users.set('reviewer', await createUser(t, ['REVIEWER']));
    users.set('officer', await createUser(t, ['GRANTS_OFFICER']));
    users.set('finance', await createUser(t, ['FINANCE']));
    users.set('admin', await createUser(t, ['ADMIN']));
    officer2 = await createUser(t, ['GRANTS_OFFICER']);
    finance2 = await createUser(t, ['FINANCE']);
    reviewer2 = await createUser(t, ['REVIEWER']);

    // An OPEN round whose application window is open now (the factory's closed yesterday).
    openRoundId = (await round('OPEN')).id;
    await t.dataSource.query(
      `UPDATE grant_rounds SET applications_open_at = now() - interval '1 day',
         applications_close_at = now() + interval '5 days' WHERE id = $1`,
      [openRoundId],
    );
    reviewingRoundId = (await round('REVIEWING')).id;

    // One open evaluation whose codes the public response rows use, one per row.
    const project = await completedProject();
    publicAwardId = project.awardId;
    const opened = await api(
      users.get('officer')!,
      'post',
      `/grants/awards/${project.awardId}/evaluations`,
      {
        residentCodes: ACTORS.length,
        stakeholderCodes: 0,
      },
    ).expect(201);
    publicCodes = (opened.body.codes as { code: string }[]).map((c) => c.code);
  }, 120_000);
  afterAll(() => t.close());

  const user = (actor: Actor) => users.get(actor)!;
  const api = (who: User | null, method: 'get' | 'post' | 'patch', path: string, body?: Body) => {
    const req = request(t.server)[method](`/api/v1${path}`);
    if (who) void req.set(who.auth);
    return method === 'get' ? req : req.send(body ?? {});
  };
  const upload = (who: User | null, path: string, data: Buffer) => {
    const req = request(t.server)
      .post(`/api/v1${path}`)
      .set('Content-Type', 'application/pdf')
      .set('X-File-Name', encodeURIComponent('发票.pdf'));
    if (who) void req.set(who.auth);
    return req.send(data);
  };
  const filesOf = (ownerId: string) => async () =>
    (
      await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM grant_attachments WHERE owner_id = $1`,
        [ownerId],
      )
    )[0]!.n;
  const status =
    (table: string, id: string, column = 'status') =>
    async () =>
      (
        await t.dataSource.query<{ s: string }[]>(
          `SELECT ${column}::text AS s FROM ${table} WHERE id = $1`,
          [id],
        )
      )[0]?.s;

  /** A grant round from the program fund: tiers of ¥10 × 50, one tranche unlocked at the award. */
  function round(status: GrantRoundStatus) {
    return createGrantRound(t, programFund, {
      status,
      tiers: [{ key: 'small', nameZh: '小额', nameEn: 'Small', amountMinor: 1_000, count: 50 }],
      constructionBudgetMinor: 1_000_000,
      secondApprovalAboveMinor: 1_000_000_000,
      trancheSchedule: [{ key: 'all', percent: 100, unlock: 'AWARD' }],
      createdBy: officer2.id,
    });
  }
  /** The planner of A's application for community A, in `roundId`, in `status`. */
  async function application(roundId: string, status: GrantApplicationStatus) {
    return (
      await createGrantApplication(
        t,
        { id: roundId },
        {
          status,
          applicant: user('planner A'),
          communityId: communityA,
          budgetTotalMinor: 100_000,
        },
      )
    ).application;
  }
  /** A SHORTLISTED application in its own AWARDING round, the reviewer assigned (scored). */
  async function shortlisted() {
    const r = await round('AWARDING');
    const app = await application(r.id, 'SHORTLISTED');
    await addGrantReview(t, app, user('reviewer').id, { assignedBy: officer2.id });
    return { roundId: r.id, app };
  }
  /** An award proposed by the officer (so the officer may not approve it). */
  async function proposedAward() {
    const { roundId, app } = await shortlisted();
    const res = await api(user('officer'), 'post', `/grants/rounds/${roundId}/awards`, {
      applicationId: app.id,
      tierKey: 'small',
      constructionMinor: 10_000,
    }).expect(201);
    return { awardId: res.body.id as string, app };
  }
  /** An approved award (FINANCE 2 approved it): its one tranche SCHEDULED and requestable. */
  async function approvedAward() {
    const { awardId, app } = await proposedAward();
    const res = await api(finance2, 'post', `/grants/awards/${awardId}/approve`).expect(200);
    expect(res.body.award.status).toBe('APPROVED');
    return { awardId, app, trancheId: res.body.award.tranches[0].id as string };
  }
  /** A tranche REQUESTED by another officer. */
  async function requestedTranche() {
    const { trancheId } = await approvedAward();
    await api(officer2, 'post', `/grants/tranches/${trancheId}/request`).expect(200);
    return trancheId;
  }
  /** A START report SUBMITTED by the planner (the grantee). */
  async function submittedReport() {
    const { awardId } = await approvedAward();
    const res = await api(user('planner A'), 'post', `/grants/awards/${awardId}/reports`, {
      kind: 'START',
      body: '开工报告',
      publicSummary: '已开工',
    }).expect(201);
    return res.body.id as string;
  }
  /** A COMPLETED project of the planner of A (proposed by officer 2, approved by FINANCE 2). */
  function completedProject() {
    return createCompletedProject(t, {
      minEvaluators: 1,
      people: {
        grantee: user('planner A'),
        communityId: communityA,
        proposerId: officer2.id,
        approverId: finance2.id,
      },
    });
  }
  /** An OPEN evaluation of a completed project, with `responses` of its 3 codes answered. */
  async function openEvaluation(responses = 0) {
    const project = await completedProject();
    const res = await api(officer2, 'post', `/grants/awards/${project.awardId}/evaluations`, {
      residentCodes: 3,
      stakeholderCodes: 0,
    }).expect(201);
    const codes = res.body.codes as { code: string }[];
    for (const c of codes.slice(0, responses))
      await api(null, 'post', '/evaluations/responses', {
        code: c.code,
        satisfied: true,
        score: 5,
      }).expect(201);
    return res.body.id as string;
  }
  /** An expense from fund A REQUESTED by `who` (default the leader of A). */
  async function requestedExpense(who: User = user('leader A')) {
    const res = await api(who, 'post', `/funds/${fundA.id}/expenses`, {
      payee: '幸福超市',
      purpose: '长者活动日用品',
      amountMinor: 1_000,
    }).expect(201);
    return res.body.expense.id as string;
  }

  const actions: Action[] = [
    // ---- rounds ----
    {
      name: 'create a round',
      method: 'post',
      setup: () => ({
        path: '/grants/rounds',
        body: {
          sourceFundId: programFund.id,
          nameZh: '权限测试轮次',
          nameEn: 'Permission round',
          year: 2026,
          applicationsOpenAt: new Date(Date.now() - 86_400_000).toISOString(),
          applicationsCloseAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
          reviewCloseAt: new Date(Date.now() + 20 * 86_400_000).toISOString(),
          tiers: [{ key: 'a', nameZh: '奖', nameEn: 'Prize', amountMinor: 1_000, count: 1 }],
          constructionBudgetMinor: 1_000,
          rubric: [{ key: 'need', nameZh: '需求', nameEn: 'Need', weight: 1, min: 0, max: 10 }],
          secondApprovalAboveMinor: 1_000,
          trancheSchedule: [{ key: 'all', percent: 100, unlock: 'AWARD' }],
          targetDays: { review: 5, decision: 5, payment: 5, report: 5 },
        },
      }),
      outcomes: { officer: 201, admin: 201 },
    },
    {
      name: 'open a draft round (reserves its budget)',
      method: 'post',
      setup: async () => {
        const r = await round('DRAFT');
        return { path: `/grants/rounds/${r.id}/open`, state: status('grant_rounds', r.id) };
      },
      outcomes: { officer: 200, admin: 200 },
    },
    {
      name: 'start the review of an open round',
      method: 'post',
      setup: async () => {
        const r = await round('OPEN');
        return {
          path: `/grants/rounds/${r.id}/start-review`,
          body: { early: true },
          state: status('grant_rounds', r.id),
        };
      },
      outcomes: { officer: 200, admin: 200 },
    },
    {
      name: 'start awarding a reviewing round',
      method: 'post',
      setup: async () => {
        const r = await round('REVIEWING');
        return {
          path: `/grants/rounds/${r.id}/start-awarding`,
          state: status('grant_rounds', r.id),
        };
      },
      outcomes: { officer: 200, admin: 200 },
    },
    {
      name: 'close an awarding round',
      method: 'post',
      setup: async () => {
        const r = await round('AWARDING');
        return { path: `/grants/rounds/${r.id}/close`, state: status('grant_rounds', r.id) };
      },
      outcomes: { officer: 200, admin: 200 },
    },
    {
      name: "read a round's ranking",
      method: 'get',
      setup: () => ({ path: `/grants/rounds/${reviewingRoundId}/ranking` }),
      outcomes: { officer: 200, finance: 200, admin: 200 },
    },
    // ---- applications ----
    {
      name: 'apply for community A',
      method: 'post',
      setup: () => ({
        path: `/grants/rounds/${openRoundId}/applications`,
        body: {
          communityId: communityA,
          title: '口袋公园',
          summary: '居民共建',
          budgetLines: [{ item: '座椅', amountMinor: 10_000 }],
        },
      }),
      outcomes: {
        'planner A': 201,
        'leader A': 201,
        'leader B': [403, 'NOT_YOUR_COMMUNITY'],
      },
    },
    {
      name: "edit the planner's draft application",
      method: 'patch',
      setup: async () => {
        const app = await application(openRoundId, 'DRAFT');
        return {
          path: `/grants/applications/${app.id}`,
          body: { title: '改过的标题' },
          state: status('grant_applications', app.id, 'title'),
        };
      },
      outcomes: {
        'planner A': 200,
        'leader A': [403, 'FORBIDDEN'],
        'leader B': [403, 'FORBIDDEN'],
      },
    },
    {
      name: "submit the planner's draft application",
      method: 'post',
      setup: async () => {
        const app = await application(openRoundId, 'DRAFT');
        return {
          path: `/grants/applications/${app.id}/submit`,
          state: status('grant_applications', app.id),
        };
      },
      outcomes: { 'planner A': 200 },
    },
    {
      name: 'read a submitted application (the reviewer assigned)',
      method: 'get',
      setup: async () => {
        const app = await application(reviewingRoundId, 'UNDER_REVIEW');
        await addGrantReview(t, app, user('reviewer').id, {
          status: 'ASSIGNED',
          assignedBy: officer2.id,
        });
        return { path: `/grants/applications/${app.id}` };
      },
      outcomes: { 'planner A': 200, reviewer: 200, officer: 200, finance: 200, admin: 200 },
    },
    {
      name: 'assign a reviewer to a submitted application',
      method: 'post',
      setup: async () => {
        const app = await application(reviewingRoundId, 'SUBMITTED');
        return {
          path: `/grants/applications/${app.id}/reviewers`,
          body: { reviewerId: reviewer2.id },
          state: status('grant_applications', app.id),
        };
      },
      outcomes: { officer: 201, admin: 201 },
    },
    {
      name: 'shortlist a submitted application',
      method: 'post',
      setup: async () => {
        const app = await application(reviewingRoundId, 'SUBMITTED');
        return {
          path: `/grants/applications/${app.id}/shortlist`,
          state: status('grant_applications', app.id),
        };
      },
      outcomes: { officer: 200, admin: 200 },
    },
    {
      name: 'decline a submitted application',
      method: 'post',
      setup: async () => {
        const app = await application(reviewingRoundId, 'SUBMITTED');
        return {
          path: `/grants/applications/${app.id}/decline`,
          body: { note: '不符合条件' },
          state: status('grant_applications', app.id),
        };
      },
      outcomes: { officer: 200, admin: 200 },
    },
    // ---- attachments ----
    {
      name: "attach a PDF to the planner's draft application",
      method: 'post',
      setup: async () => {
        const app = await application(openRoundId, 'DRAFT');
        return {
          path: `/grants/attachments?ownerType=APPLICATION&ownerId=${app.id}`,
          pdf: PDF,
          state: filesOf(app.id),
        };
      },
      outcomes: {
        'planner A': 201,
        'leader A': [404, 'ATTACHMENT_OWNER_NOT_FOUND'],
        'leader B': [404, 'ATTACHMENT_OWNER_NOT_FOUND'],
        reviewer: [404, 'ATTACHMENT_OWNER_NOT_FOUND'],
        officer: [403, 'ATTACHMENT_NOT_ALLOWED'],
        finance: [403, 'ATTACHMENT_NOT_ALLOWED'],
        admin: [403, 'ATTACHMENT_NOT_ALLOWED'],
      },
    },
    {
      name: 'download a file of an application under review (the reviewer assigned)',
      method: 'get',
      setup: async () => {
        const app = await application(openRoundId, 'DRAFT');
        const file = await upload(
          user('planner A'),
          `/grants/attachments?ownerType=APPLICATION&ownerId=${app.id}`,
          PDF,
        ).expect(201);
        await api(user('planner A'), 'post', `/grants/applications/${app.id}/submit`).expect(200);
        await addGrantReview(t, app, user('reviewer').id, {
          status: 'ASSIGNED',
          assignedBy: officer2.id,
        });
        return { path: `/grants/attachments/${file.body.id}` };
      },
      outcomes: {
        'planner A': 200,
        'leader A': [404, 'ATTACHMENT_NOT_FOUND'],
        'leader B': [404, 'ATTACHMENT_NOT_FOUND'],
        reviewer: 200,
        officer: 200,
        finance: 200,
        admin: 200,
      },
    },
    {
      name: "attach an invoice to the leader of A's requested expense",
      method: 'post',
      setup: async () => {
        const id = await requestedExpense();
        return {
          path: `/grants/attachments?ownerType=EXPENSE&ownerId=${id}`,
          pdf: PDF,
          state: filesOf(id),
        };
      },
      outcomes: {
        'leader A': 201,
        'planner A': [404, 'ATTACHMENT_OWNER_NOT_FOUND'],
        'leader B': [404, 'ATTACHMENT_OWNER_NOT_FOUND'],
        reviewer: [404, 'ATTACHMENT_OWNER_NOT_FOUND'],
        officer: [403, 'ATTACHMENT_NOT_ALLOWED'],
        finance: [403, 'ATTACHMENT_NOT_ALLOWED'],
        admin: [403, 'ATTACHMENT_NOT_ALLOWED'],
      },
    },
    // ---- reviews ----
    {
      name: "read an application's reviews (the reviewer assigned)",
      method: 'get',
      setup: async () => {
        const app = await application(reviewingRoundId, 'UNDER_REVIEW');
        await addGrantReview(t, app, user('reviewer').id, {
          status: 'ASSIGNED',
          assignedBy: officer2.id,
        });
        return { path: `/grants/applications/${app.id}/reviews` };
      },
      outcomes: { reviewer: 200, officer: 200, finance: 200, admin: 200 },
    },
    {
      name: "score the reviewer's assigned review",
      method: 'post',
      setup: async () => {
        const app = await application(reviewingRoundId, 'UNDER_REVIEW');
        const review = await addGrantReview(t, app, user('reviewer').id, {
          status: 'ASSIGNED',
          assignedBy: officer2.id,
        });
        return {
          path: `/grants/reviews/${review.id}/scores`,
          body: { scores: { need: 8, design: 7 }, comment: '好' },
          state: status('grant_review_assignments', review.id),
        };
      },
      outcomes: { reviewer: 200 },
    },
    {
      name: "recuse from the reviewer's assigned review",
      method: 'post',
      setup: async () => {
        const app = await application(reviewingRoundId, 'UNDER_REVIEW');
        const review = await addGrantReview(t, app, user('reviewer').id, {
          status: 'ASSIGNED',
          assignedBy: officer2.id,
        });
        return {
          path: `/grants/reviews/${review.id}/recuse`,
          body: { reason: '申报人是我的表亲' },
          state: status('grant_review_assignments', review.id),
        };
      },
      outcomes: { reviewer: 200 },
    },
    {
      name: 'list my reviews',
      method: 'get',
      setup: () => ({ path: '/grants/reviews' }),
      outcomes: { reviewer: 200 },
    },
    // ---- awards ----
    {
      name: 'propose an award for a shortlisted application',
      method: 'post',
      setup: async () => {
        const { roundId, app } = await shortlisted();
        return {
          path: `/grants/rounds/${roundId}/awards`,
          body: { applicationId: app.id, tierKey: 'small', constructionMinor: 10_000 },
          state: async () =>
            (
              await t.dataSource.query<{ n: number }[]>(
                `SELECT count(*)::int AS n FROM grant_awards WHERE application_id = $1`,
                [app.id],
              )
            )[0]!.n,
        };
      },
      outcomes: { officer: 201, admin: 201 },
    },
    {
      name: 'approve an award the officer proposed',
      method: 'post',
      setup: async () => {
        const { awardId } = await proposedAward();
        return {
          path: `/grants/awards/${awardId}/approve`,
          state: status('grant_awards', awardId),
        };
      },
      outcomes: { officer: [403, 'SELF_APPROVAL'], finance: 200, admin: 200 },
    },
    {
      name: 'reject an award the officer proposed',
      method: 'post',
      setup: async () => {
        const { awardId } = await proposedAward();
        return {
          path: `/grants/awards/${awardId}/reject`,
          body: { note: '预算不符' },
          state: status('grant_awards', awardId),
        };
      },
      outcomes: { officer: [403, 'SELF_APPROVAL'], finance: 200, admin: 200 },
    },
    {
      name: 'read an approved award',
      method: 'get',
      setup: async () => ({ path: `/grants/awards/${(await approvedAward()).awardId}` }),
      outcomes: {
        'planner A': 200,
        'leader A': 200,
        'leader B': [403, 'FORBIDDEN'],
        officer: 200,
        finance: 200,
        admin: 200,
      },
    },
    // ---- tranches ----
    {
      name: 'request an unlocked tranche',
      method: 'post',
      setup: async () => {
        const { trancheId } = await approvedAward();
        return {
          path: `/grants/tranches/${trancheId}/request`,
          state: status('grant_tranches', trancheId),
        };
      },
      outcomes: {
        'planner A': 200,
        'leader A': [403, 'FORBIDDEN'],
        'leader B': [403, 'FORBIDDEN'],
        officer: 200,
        admin: 200,
      },
    },
    {
      name: 'pay a requested tranche',
      method: 'post',
      setup: async () => {
        const id = await requestedTranche();
        return { path: `/grants/tranches/${id}/pay`, state: status('grant_tranches', id) };
      },
      outcomes: { finance: 200 },
    },
    {
      name: 'reject a requested tranche',
      method: 'post',
      setup: async () => {
        const id = await requestedTranche();
        return {
          path: `/grants/tranches/${id}/reject`,
          body: { note: '发票缺失' },
          state: status('grant_tranches', id, 'requested_by'),
        };
      },
      outcomes: { finance: 200 },
    },
    // ---- reports and inspections ----
    {
      name: 'submit a START report',
      method: 'post',
      setup: async () => {
        const { awardId } = await approvedAward();
        return {
          path: `/grants/awards/${awardId}/reports`,
          body: { kind: 'START', body: '开工报告', publicSummary: '已开工' },
          state: async () =>
            (
              await t.dataSource.query<{ n: number }[]>(
                `SELECT count(*)::int AS n FROM grant_reports WHERE award_id = $1`,
                [awardId],
              )
            )[0]!.n,
        };
      },
      outcomes: {
        'planner A': 201,
        'leader A': 201,
        'leader B': [403, 'FORBIDDEN'],
      },
    },
    {
      name: 'accept a submitted report',
      method: 'post',
      setup: async () => {
        const id = await submittedReport();
        return { path: `/grants/reports/${id}/accept`, state: status('grant_reports', id) };
      },
      outcomes: { officer: 200, admin: 200 },
    },
    {
      name: 'return a submitted report',
      method: 'post',
      setup: async () => {
        const id = await submittedReport();
        return {
          path: `/grants/reports/${id}/return`,
          body: { note: '请补充照片' },
          state: status('grant_reports', id),
        };
      },
      outcomes: { officer: 200, admin: 200 },
    },
    {
      name: 'record an inspection',
      method: 'post',
      setup: async () => {
        const { awardId } = await approvedAward();
        return {
          path: `/grants/awards/${awardId}/inspections`,
          body: { inspectingBody: '区住建局', result: 'PASSED', inspectedOn: '2026-09-20' },
          state: async () =>
            (
              await t.dataSource.query<{ n: number }[]>(
                `SELECT count(*)::int AS n FROM grant_inspections WHERE award_id = $1`,
                [awardId],
              )
            )[0]!.n,
        };
      },
      outcomes: { officer: 201, admin: 201 },
    },
    // ---- evaluations ----
    {
      name: 'open an evaluation of a completed project',
      method: 'post',
      setup: async () => {
        const project = await completedProject();
        return {
          path: `/grants/awards/${project.awardId}/evaluations`,
          body: { residentCodes: 2, stakeholderCodes: 1 },
          state: async () =>
            (
              await t.dataSource.query<{ n: number }[]>(
                `SELECT count(*)::int AS n FROM grant_evaluations WHERE award_id = $1`,
                [project.awardId],
              )
            )[0]!.n,
        };
      },
      outcomes: { officer: 201, admin: 201 },
    },
    {
      name: 'read an open evaluation',
      method: 'get',
      setup: async () => ({ path: `/grants/evaluations/${await openEvaluation()}` }),
      outcomes: { officer: 200, admin: 200 },
    },
    {
      name: 'close an open evaluation with its minimum in',
      method: 'post',
      setup: async () => {
        const id = await openEvaluation(1);
        return { path: `/grants/evaluations/${id}/close`, state: status('grant_evaluations', id) };
      },
      outcomes: { officer: 200, admin: 200 },
    },
    {
      name: 'cancel an open evaluation',
      method: 'post',
      setup: async () => {
        const id = await openEvaluation();
        return {
          path: `/grants/evaluations/${id}/cancel`,
          body: { reason: '评议人名单有误' },
          state: status('grant_evaluations', id),
        };
      },
      outcomes: { officer: 200, admin: 200 },
    },
    {
      name: 'answer an evaluation with a code (public)',
      method: 'post',
      setup: () => ({
        path: '/evaluations/responses',
        body: { code: publicCodes.pop(), satisfied: true, score: 4 },
      }),
      outcomes: Object.fromEntries(ACTORS.map((a) => [a, 201])),
    },
    {
      name: "read a project's evaluation results (public)",
      method: 'get',
      setup: () => ({ path: `/grants/awards/${publicAwardId}/evaluations` }),
      outcomes: Object.fromEntries(ACTORS.map((a) => [a, 200])),
    },
    // ---- expenses ----
    {
      name: 'request an expense from fund A',
      method: 'post',
      setup: () => ({
        path: `/funds/${fundA.id}/expenses`,
        body: { payee: '幸福超市', purpose: '长者活动日用品', amountMinor: 1_000 },
      }),
      outcomes: { 'leader A': 201, officer: 201, finance: 201, admin: 201 },
    },
    {
      name: 'list expenses',
      method: 'get',
      setup: () => ({ path: '/expenses' }),
      outcomes: { 'leader A': 200, 'leader B': 200, officer: 200, finance: 200, admin: 200 },
    },
    {
      name: "read the leader of A's expense",
      method: 'get',
      setup: async () => ({ path: `/expenses/${await requestedExpense()}` }),
      outcomes: {
        'leader A': 200,
        'leader B': [404, 'EXPENSE_NOT_FOUND'],
        officer: 200,
        finance: 200,
        admin: 200,
      },
    },
    {
      name: "pay the leader of A's expense",
      method: 'post',
      setup: async () => {
        const id = await requestedExpense();
        return { path: `/expenses/${id}/pay`, state: status('fund_expenses', id) };
      },
      outcomes: { finance: 200 },
    },
    {
      name: 'pay an expense FINANCE requested',
      method: 'post',
      setup: async () => {
        const id = await requestedExpense(user('finance'));
        return { path: `/expenses/${id}/pay`, state: status('fund_expenses', id) };
      },
      outcomes: { finance: [403, 'SELF_APPROVAL'] },
    },
    {
      name: "reject the leader of A's expense",
      method: 'post',
      setup: async () => {
        const id = await requestedExpense();
        return {
          path: `/expenses/${id}/reject`,
          body: { note: '发票不清楚' },
          state: status('fund_expenses', id),
        };
      },
      outcomes: { finance: 200, admin: 200 },
    },
    {
      name: "withdraw the leader of A's expense",
      method: 'post',
      setup: async () => {
        const id = await requestedExpense();
        return { path: `/expenses/${id}/withdraw`, state: status('fund_expenses', id) };
      },
      outcomes: {
        'leader A': 200,
        'leader B': [404, 'EXPENSE_NOT_FOUND'],
        officer: [403, 'EXPENSE_NOT_ALLOWED'],
        finance: [403, 'EXPENSE_NOT_ALLOWED'],
        admin: [403, 'EXPENSE_NOT_ALLOWED'],
      },
    },
  ];

  it.each(actions.flatMap((a) => ACTORS.map((actor) => [a.name, actor, a] as const)))(
    '%s as %s',
    async (_name, actor, action) => {
      const fixture = await action.setup(actor);
      const before = fixture.state ? await fixture.state() : undefined;
      const who = actor === 'anonymous' ? null : user(actor);
      const res = fixture.pdf
        ? await upload(who, fixture.path, fixture.pdf)
        : await api(who, action.method, fixture.path, fixture.body);
      const expected: Outcome =
        action.outcomes[actor] ??
        (actor === 'anonymous' ? [401, 'UNAUTHENTICATED'] : [403, 'FORBIDDEN']);
      const actual: Outcome = res.status < 300 ? res.status : [res.status, String(res.body.code)];
      expect(actual).toEqual(expected);
      // A refusal changes nothing; an allowed action changes what it acts on.
      const after = fixture.state ? await fixture.state() : undefined;
      const changed = fixture.state ? JSON.stringify(after) !== JSON.stringify(before) : null;
      expect(changed).toBe(fixture.state ? typeof expected === 'number' : null);
    },
  );
});
