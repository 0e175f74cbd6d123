import request from 'supertest';
import { TransactionService } from '../../src/database/transaction.service';
import { FundOutflowService } from '../../src/modules/funds/fund-outflow.service';
import { FundsService, type FundView } from '../../src/modules/funds/funds.service';
import { AwardsService } from '../../src/modules/grants/awards/awards.service';
import { ReportsService } from '../../src/modules/grants/awards/reports.service';
import type { ProjectStatus } from '../../src/modules/grants/awards/award-rules';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import {
  createFoundation,
  createFund,
  externalAccount,
  fundFromOutside,
} from '../factories/foundation.factory';
import {
  addGrantReview,
  createGrantApplication,
  createGrantRound,
  type GrantRoundOptions,
} from '../factories/grants.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

type User = Awaited<ReturnType<typeof createUser>>;

/**
 * Awards with four eyes, tranches paid by FINANCE from the round's reservation, reports and
 * inspections moving the project, against real PostgreSQL: ledger entries, balances, reservation,
 * statuses and audit rows.
 */
describe('grants: awards, tranches, reports', () => {
  let t: TestApp;
  let officer: User;
  let finance: User;
  let admin: User;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    officer = await createUser(t, ['GRANTS_OFFICER']);
    finance = await createUser(t, ['FINANCE']);
    admin = await createUser(t, ['ADMIN']);
  });
  afterAll(() => t.close());

  const api = () => request(t.server);
  const propose = (who: User, roundId: string, body: Record<string, unknown>) =>
    api().post(`/api/v1/grants/rounds/${roundId}/awards`).set(who.auth).send(body);
  const approve = (who: User, id: string) =>
    api().post(`/api/v1/grants/awards/${id}/approve`).set(who.auth);
  const trancheAction = (who: User, id: string, action: 'request' | 'pay' | 'reject') =>
    api().post(`/api/v1/grants/tranches/${id}/${action}`).set(who.auth).send({});
  const balance = async (fund: { id: string }) =>
    (await t.get(FundsService).get(fund.id)).balanceMinor;
  const entries = async (key: string) =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM journal_entries WHERE idempotency_key = $1`,
        [key],
      )
    )[0].n as number;
  const reservation = async (roundId: string) =>
    (await t.get(FundOutflowService).findReservation(`round:${roundId}`))!;
  const auditActions = async (entityType: string, id: string) =>
    (
      await t.dataSource.query(
        `SELECT action FROM audit_log WHERE entity_type = $1 AND entity_id = $2 ORDER BY id`,
        [entityType, id],
      )
    ).map((r: { action: string }) => r.action) as string[];
  const emailsTo = async (email: string, template: string) =>
    (
      await t.dataSource.query(
        `SELECT count(*)::int AS n FROM outbox
         WHERE kind = 'EMAIL' AND payload->>'to' = $1 AND payload->>'template' = $2`,
        [email, template],
      )
    )[0].n as number;
  const setProjectStatus = (awardId: string, from: ProjectStatus[], to: ProjectStatus) =>
    t
      .get(TransactionService)
      .run((m) => t.get(AwardsService).setProjectStatus(m, awardId, from, to));

  async function fundWith(amountMinor: number): Promise<FundView> {
    const fund = await createFund(t, { kind: 'PROGRAM' });
    await fundFromOutside(t, fund, amountMinor);
    return fund;
  }

  async function awardingRound(fundMinor: number, options: GrantRoundOptions = {}) {
    const fund = await fundWith(fundMinor);
    const round = await createGrantRound(t, fund, { status: 'AWARDING', ...options });
    return { fund, round };
  }

  it('four eyes: the proposer, a reviewer, the applicant and the same approver twice are refused; above the threshold a second approver pays the design award', async () => {
    const { fund, round } = await awardingRound(20_000_000, { secondApprovalAboveMinor: 1_000 });
    const community = (await createGrantApplication(t, round)).application.communityId;
    const applicant = await createUser(t, ['PLANNER', 'ADMIN'], { communityIds: [community] });
    const { application } = await createGrantApplication(t, round, {
      applicant,
      communityId: community,
      title: '口袋公园改造',
      budgetTotalMinor: 1_000_000,
    });
    const reviewer = await createUser(t, ['REVIEWER', 'FINANCE']);
    await addGrantReview(t, application, reviewer.id);
    const planner = await createUser(t, ['PLANNER'], { communityIds: [community] });

    const proposed = await propose(officer, round.id, {
      applicationId: application.id,
      tierKey: 'first',
      constructionMinor: 1_000_001,
    }).expect(422);
    expect(proposed.body.code).toBe('GRANT_CONSTRUCTION_OVER_BUDGET');
    expect(proposed.body.message).toMatch(/more than the application's budget of ¥10,000.00/);

    const created = await propose(officer, round.id, {
      applicationId: application.id,
      tierKey: 'first',
      constructionMinor: 1_000_000,
    }).expect(201);
    const id = created.body.id as string;
    expect(created.body).toMatchObject({
      status: 'PROPOSED',
      designAwardMinor: 300_000,
      constructionMinor: 1_000_000,
      needsSecondApproval: true,
      application: { title: '口袋公园改造' },
    });
    expect(await emailsTo(finance.email, 'grant-award-approval-needed')).toBe(1);
    expect(await emailsTo(reviewer.email, 'grant-award-approval-needed')).toBe(0);
    const before = await balance(fund);

    for (const [who, status, code] of [
      [officer, 403, 'SELF_APPROVAL'],
      [reviewer, 403, 'GRANT_REVIEWER_APPROVAL'],
      [applicant, 403, 'GRANT_APPLICANT_APPROVAL'],
      [planner, 403, 'FORBIDDEN'],
    ] as const) {
      const res = await approve(who, id).expect(status);
      expect(res.body.code).toBe(code);
    }
    const anonymous = await api().post(`/api/v1/grants/awards/${id}/approve`).expect(401);
    expect(anonymous.body.statusCode).toBe(401);

    const first = await approve(finance, id).expect(200);
    expect(first.body.entry).toBeNull();
    expect(first.body.award).toMatchObject({ status: 'PROPOSED', firstApprovedBy: finance.id });
    const twice = await approve(finance, id).expect(403);
    expect(twice.body.code).toBe('GRANT_SAME_APPROVER');
    expect(await entries(`grant-award:${id}:design`)).toBe(0);
    expect(await balance(fund)).toBe(before);

    const second = await approve(admin, id).expect(200);
    expect(second.body.award).toMatchObject({
      status: 'APPROVED',
      secondApprovedBy: admin.id,
      designEntryId: second.body.entry.id,
      projectStatus: 'NOT_STARTED',
    });
    expect(second.body.entry).toMatchObject({
      kind: 'GRANT_AWARD',
      idempotencyKey: `grant-award:${id}:design`,
      description: '设计奖励：口袋公园改造 / Design award: 口袋公园改造',
    });
    expect(
      second.body.award.tranches.map((x: { amountMinor: number; unlock: string }) => [
        x.amountMinor,
        x.unlock,
      ]),
    ).toEqual([
      [400_000, 'START'],
      [400_000, 'MIDTERM'],
      [200_000, 'COMPLETION'],
    ]);
    expect(await balance(fund)).toBe(before - 300_000);
    const again = await approve(officer, id).expect(409);
    expect(again.body.code).toBe('GRANT_AWARD_NOT_PROPOSED');
    const third = await approve(await createUser(t, ['FINANCE']), id).expect(409);
    expect(third.body.code).toBe('GRANT_AWARD_NOT_PROPOSED');
    expect(await entries(`grant-award:${id}:design`)).toBe(1);

    const [app] = await t.dataSource.query(`SELECT status FROM grant_applications WHERE id = $1`, [
      application.id,
    ]);
    expect(app.status).toBe('AWARDED');
    const statement = await t.get(FundsService).statement(fund.id, { limit: 5 });
    expect(statement.lines[0]).toMatchObject({
      kind: 'GRANT_AWARD',
      amountMinor: -300_000,
      description: '设计奖励：口袋公园改造 / Design award: 口袋公园改造',
    });
    // The round keeps its whole budget reserved until it closes; the design award was drawn from it.
    const res = await reservation(round.id);
    expect(res).toMatchObject({ reservedMinor: round.budgetMinor, drawnMinor: 300_000 });
    expect(await auditActions('grant_award', id)).toEqual([
      'grant.award.proposed',
      'grant.award.first_approved',
      'grant.award.approved',
    ]);
    expect(await auditActions('grant_application', application.id)).toEqual([
      'grant.application.awarded',
    ]);
    expect(await emailsTo(applicant.email, 'grant-award-approved')).toBe(1);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('refuses more winners than a tier allows, an unknown tier, an application not shortlisted and a round not awarding; nothing is written', async () => {
    const { round } = await awardingRound(20_000_000, {
      tiers: [{ key: 'only', nameZh: '唯一', nameEn: 'Only', amountMinor: 100_000, count: 1 }],
    });
    const a = (await createGrantApplication(t, round)).application;
    const b = (await createGrantApplication(t, round)).application;
    const submitted = (await createGrantApplication(t, round, { status: 'SUBMITTED' })).application;
    const awardA = (
      await propose(officer, round.id, {
        applicationId: a.id,
        tierKey: 'only',
        constructionMinor: 0,
      }).expect(201)
    ).body;
    const full = await propose(officer, round.id, {
      applicationId: b.id,
      tierKey: 'only',
      constructionMinor: 0,
    }).expect(422);
    expect(full.body).toMatchObject({ code: 'GRANT_TIER_FULL' });
    expect(full.body.message).toMatch(/Tier only allows 1 award/);
    const unknown = await propose(officer, round.id, {
      applicationId: b.id,
      tierKey: 'gold',
      constructionMinor: 0,
    }).expect(422);
    expect(unknown.body.code).toBe('GRANT_TIER_UNKNOWN');
    const notShortlisted = await propose(officer, round.id, {
      applicationId: submitted.id,
      tierKey: 'only',
      constructionMinor: 0,
    }).expect(409);
    expect(notShortlisted.body.code).toBe('GRANT_APPLICATION_NOT_SHORTLISTED');
    const byFinance = await propose(finance, round.id, {
      applicationId: b.id,
      tierKey: 'only',
      constructionMinor: 0,
    }).expect(403);
    expect(byFinance.body.code).toBe('FORBIDDEN');
    const bad = await propose(officer, round.id, {
      applicationId: b.id,
      tierKey: 'only',
      constructionMinor: 1.5,
    }).expect(400);
    expect(bad.body.message).toEqual(['constructionMinor must be a whole number of fen']);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM grant_awards WHERE round_id = $1`,
      [round.id],
    );
    expect(n).toBe(1);

    // A rejected award leaves its application SHORTLISTED; the round's reservation stays whole
    // until the round closes (another award may still be proposed).
    expect(
      (
        await api()
          .post(`/api/v1/grants/awards/${awardA.id}/reject`)
          .set(officer.auth)
          .send({ note: 'x' })
          .expect(403)
      ).body.code,
    ).toBe('SELF_APPROVAL');
    const rejected = await api()
      .post(`/api/v1/grants/awards/${awardA.id}/reject`)
      .set(finance.auth)
      .send({ note: '预算不符 / Budget does not fit' })
      .expect(200);
    expect(rejected.body).toMatchObject({
      status: 'REJECTED',
      rejectedBy: finance.id,
      decisionNote: '预算不符 / Budget does not fit',
    });
    const [appA] = await t.dataSource.query(`SELECT status FROM grant_applications WHERE id = $1`, [
      a.id,
    ]);
    expect(appA.status).toBe('SHORTLISTED');
    expect((await reservation(round.id)).reservedMinor).toBe(round.budgetMinor);
    expect(await auditActions('grant_award', awardA.id)).toEqual([
      'grant.award.proposed',
      'grant.award.rejected',
    ]);
    expect((await approve(admin, awardA.id).expect(409)).body.code).toBe(
      'GRANT_AWARD_NOT_PROPOSED',
    );

    // A rejected award is not the end: the application may be proposed again (a corrected tier or
    // amount), and while that proposal is live it cannot be declined; without one it can.
    const again = (
      await propose(officer, round.id, {
        applicationId: a.id,
        tierKey: 'only',
        constructionMinor: 0,
      }).expect(201)
    ).body;
    expect(again).toMatchObject({ status: 'PROPOSED', applicationId: a.id });
    const declineLive = await api()
      .post(`/api/v1/grants/applications/${a.id}/decline`)
      .set(officer.auth)
      .send({ note: 'x' })
      .expect(409);
    expect(declineLive.body.code).toBe('INVALID_APPLICATION_TRANSITION');
    const declined = await api()
      .post(`/api/v1/grants/applications/${b.id}/decline`)
      .set(officer.auth)
      .send({ note: '未获奖励 / Not awarded' })
      .expect(200);
    expect(declined.body.status).toBe('DECLINED');

    const { round: open } = await awardingRound(20_000_000, { status: 'OPEN' });
    const c = (await createGrantApplication(t, open)).application;
    const notAwarding = await propose(officer, open.id, {
      applicationId: c.id,
      tierKey: 'first',
      constructionMinor: 0,
    }).expect(409);
    expect(notAwarding.body.code).toBe('GRANT_ROUND_NOT_AWARDING');
  });

  it('unlocks tranches in order, pays them once, blocks them during rectification, moves the project by reports and inspections, and closes it after the last payment', async () => {
    const { fund, round } = await awardingRound(20_000_000);
    const { application, applicant } = await createGrantApplication(t, round, {
      title: '老旧小区加装电梯',
    });
    const leaderElsewhere = await createUser(t, ['COMMUNITY_LEADER'], {
      communityIds: [(await createGrantApplication(t, round)).application.communityId],
    });
    const award = (
      await propose(officer, round.id, {
        applicationId: application.id,
        tierKey: 'third',
        constructionMinor: 100_001,
      }).expect(201)
    ).body;
    await approve(finance, award.id).expect(200);
    const detail = async () =>
      (await api().get(`/api/v1/grants/awards/${award.id}`).set(applicant.auth).expect(200)).body;
    let project = await detail();
    const [t1, t2, t3] = project.tranches as { id: string; amountMinor: number }[];
    expect([t1!.amountMinor, t2!.amountMinor, t3!.amountMinor]).toEqual([40_000, 40_000, 20_001]);
    await api().get(`/api/v1/grants/awards/${award.id}`).set(leaderElsewhere.auth).expect(403);

    const submit = (who: User, kind: string) =>
      api()
        .post(`/api/v1/grants/awards/${award.id}/reports`)
        .set(who.auth)
        .send({ kind, body: `${kind} 报告正文`, publicSummary: `${kind} 公开摘要` });
    const decide = (who: User, id: string, action: 'accept' | 'return', note = '') =>
      api().post(`/api/v1/grants/reports/${id}/${action}`).set(who.auth).send({ note });

    // START tranche waits for the accepted START report.
    expect((await trancheAction(applicant, t1!.id, 'request').expect(422)).body.code).toBe(
      'GRANT_TRANCHE_LOCKED',
    );
    expect((await submit(applicant, 'MIDTERM').expect(409)).body.code).toBe(
      'GRANT_REPORT_NOT_ALLOWED',
    );
    expect((await submit(leaderElsewhere, 'START').expect(403)).body.code).toBe('FORBIDDEN');
    const start = (await submit(applicant, 'START').expect(201)).body;
    expect((await submit(applicant, 'START').expect(409)).body.code).toBe('GRANT_REPORT_PENDING');
    await decide(officer, start.id, 'accept').expect(200);
    expect(await emailsTo(applicant.email, 'grant-report-accepted')).toBe(1);
    expect((await detail()).projectStatus).toBe('IN_PROGRESS');

    const requested = await trancheAction(applicant, t1!.id, 'request').expect(200);
    expect(requested.body).toMatchObject({ status: 'REQUESTED', requestedBy: applicant.id });
    expect(await emailsTo(finance.email, 'grant-tranche-requested')).toBeGreaterThanOrEqual(1);
    await trancheAction(officer, t1!.id, 'pay').expect(403);
    // Finance staff who work for the project's community are on the grantee side: not them either.
    const financeNeighbour = await createUser(t, ['FINANCE', 'PLANNER'], {
      communityIds: [application.communityId],
    });
    const ownProject = await trancheAction(financeNeighbour, t1!.id, 'pay').expect(403);
    expect(ownProject.body).toMatchObject({ code: 'SELF_APPROVAL' });
    expect(ownProject.body.message).toMatch(/your own project/);
    const before = await balance(fund);
    const paid = await trancheAction(finance, t1!.id, 'pay').expect(200);
    expect(paid.body).toMatchObject({ replayed: false, tranche: { status: 'PAID' } });
    expect(paid.body.entry).toMatchObject({
      kind: 'GRANT_TRANCHE',
      idempotencyKey: `grant-tranche:${t1!.id}`,
      description: '建设资金第1笔：老旧小区加装电梯 / Construction tranche 1: 老旧小区加装电梯',
    });
    const replay = await trancheAction(finance, t1!.id, 'pay').expect(200);
    expect(replay.body).toMatchObject({ replayed: true, entry: null, tranche: { status: 'PAID' } });
    expect(await entries(`grant-tranche:${t1!.id}`)).toBe(1);
    expect(await balance(fund)).toBe(before - 40_000);
    expect(await emailsTo(applicant.email, 'grant-tranche-paid')).toBe(1);
    const statement = await t.get(FundsService).statement(fund.id, { limit: 1 });
    expect(statement.lines[0]!.description).toContain('老旧小区加装电梯');

    // MIDTERM: a returned report unlocks nothing; the requester may not pay; a rejection goes back.
    expect((await trancheAction(officer, t2!.id, 'request').expect(422)).body.code).toBe(
      'GRANT_TRANCHE_LOCKED',
    );
    const mid1 = (await submit(applicant, 'MIDTERM').expect(201)).body;
    await decide(officer, mid1.id, 'return', '请补充照片').expect(200);
    expect(await emailsTo(applicant.email, 'grant-report-returned')).toBe(1);
    await trancheAction(officer, t2!.id, 'request').expect(422);
    const mid2 = (await submit(applicant, 'MIDTERM').expect(201)).body;
    expect((await decide(officer, mid2.id, 'accept').expect(200)).body.status).toBe('ACCEPTED');
    expect((await decide(admin, mid2.id, 'accept').expect(409)).body.code).toBe(
      'GRANT_REPORT_NOT_SUBMITTED',
    );
    const officerFinance = await createUser(t, ['GRANTS_OFFICER', 'FINANCE']);
    await trancheAction(officerFinance, t2!.id, 'request').expect(200);
    expect((await trancheAction(officerFinance, t2!.id, 'pay').expect(403)).body.code).toBe(
      'SELF_APPROVAL',
    );
    const rejected = await trancheAction(finance, t2!.id, 'reject').expect(200);
    expect(rejected.body).toMatchObject({ status: 'SCHEDULED', requestedBy: null });
    expect((await trancheAction(finance, t2!.id, 'pay').expect(409)).body.code).toBe(
      'GRANT_TRANCHE_STATUS',
    );
    await trancheAction(officer, t2!.id, 'request').expect(200);
    await trancheAction(finance, t2!.id, 'pay').expect(200);

    // COMPLETION: report accepted and a PASSED inspection (after a FAILED one) complete the project.
    const inspect = (body: Record<string, unknown>) =>
      api().post(`/api/v1/grants/awards/${award.id}/inspections`).set(officer.auth).send(body);
    const badDate = await inspect({
      inspectingBody: '区住建局',
      result: 'PASSED',
      inspectedOn: '2026-02-30',
    }).expect(400);
    expect(badDate.body.message).toEqual([
      'inspectedOn must be a real calendar date (months 01–12, days that exist in the month).',
    ]);
    await inspect({
      inspectingBody: '区住建局',
      result: 'FAILED',
      inspectedOn: '2026-09-01',
    }).expect(201);
    const completion = (await submit(applicant, 'COMPLETION').expect(201)).body;
    await decide(officer, completion.id, 'accept').expect(200);
    expect((await detail()).projectStatus).toBe('IN_PROGRESS');
    const passed = await inspect({
      inspectingBody: '区住建局',
      result: 'PASSED',
      notes: '整改后复验通过',
      inspectedOn: '2026-09-20',
    }).expect(201);
    expect(passed.body).toMatchObject({ result: 'PASSED', inspectedOn: '2026-09-20' });
    expect((await detail()).projectStatus).toBe('COMPLETED');
    expect((await trancheAction(officer, t3!.id, 'request').expect(422)).body.code).toBe(
      'GRANT_TRANCHE_LOCKED',
    );

    // The evaluation fails (evaluations part): nothing is requested until rectified.
    const failedAt = new Date();
    await setProjectStatus(award.id, ['COMPLETED'], 'RECTIFICATION_REQUIRED');
    expect((await trancheAction(officer, t3!.id, 'request').expect(422)).body.code).toBe(
      'GRANT_PROJECT_IN_RECTIFICATION',
    );
    await expect(setProjectStatus(award.id, ['COMPLETED'], 'EVALUATED')).rejects.toMatchObject({
      code: 'GRANT_PROJECT_STATUS',
    });
    const reports = t.get(ReportsService);
    const rectified = () =>
      t
        .get(TransactionService)
        .run((m) => reports.acceptedRectificationAfter(m, award.id, failedAt));
    expect(await rectified()).toBe(false);
    const fix = (await submit(applicant, 'RECTIFICATION').expect(201)).body;
    await decide(officer, fix.id, 'accept').expect(200);
    expect(await rectified()).toBe(true);
    await setProjectStatus(award.id, ['RECTIFICATION_REQUIRED'], 'EVALUATED');
    await trancheAction(officer, t3!.id, 'request').expect(200);
    // Blocked again between request and payment: the payment is refused and nothing moves.
    await setProjectStatus(award.id, ['EVALUATED'], 'RECTIFICATION_REQUIRED');
    const blockedBalance = await balance(fund);
    expect((await trancheAction(finance, t3!.id, 'pay').expect(422)).body.code).toBe(
      'GRANT_PROJECT_IN_RECTIFICATION',
    );
    expect(await balance(fund)).toBe(blockedBalance);
    await setProjectStatus(award.id, ['RECTIFICATION_REQUIRED'], 'EVALUATED');
    await trancheAction(finance, t3!.id, 'pay').expect(200);

    project = await detail();
    expect(project.projectStatus).toBe('CLOSED');
    expect(project.tranches.map((x: { status: string }) => x.status)).toEqual([
      'PAID',
      'PAID',
      'PAID',
    ]);
    expect(project.reports).toHaveLength(5);
    expect(project.inspections).toHaveLength(2);
    const res = await reservation(round.id);
    expect(res.drawnMinor).toBe(100_000 + 100_001);
    expect(res.drawnMinor).toBeLessThanOrEqual(res.reservedMinor);
    expect(await auditActions('grant_tranche', t2!.id)).toEqual([
      'grant.tranche.requested',
      'grant.tranche.rejected',
      'grant.tranche.requested',
      'grant.tranche.paid',
    ]);
    const projectAudit = await t.dataSource.query(
      `SELECT after->>'projectStatus' AS s FROM audit_log
       WHERE entity_type = 'grant_award' AND entity_id = $1 AND action = 'grant.award.project_status'
       ORDER BY id`,
      [award.id],
    );
    expect(projectAudit.map((r: { s: string }) => r.s)).toEqual([
      'IN_PROGRESS',
      'COMPLETED',
      'RECTIFICATION_REQUIRED',
      'EVALUATED',
      'RECTIFICATION_REQUIRED',
      'EVALUATED',
      'CLOSED',
    ]);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  });

  it('30 concurrent tranche payments against a fund that can afford 12: exactly 12 are paid, never an overdraft', async () => {
    const count = 30;
    const { fund, round } = await awardingRound(count * 2_000, {
      tiers: [{ key: 'all', nameZh: '奖', nameEn: 'Award', amountMinor: 1_000, count }],
      constructionBudgetMinor: count * 1_000,
      secondApprovalAboveMinor: 1_000_000,
      trancheSchedule: [{ key: 'all', percent: 100, unlock: 'AWARD' }],
    });
    const awardIds: string[] = [];
    const first = await createGrantApplication(t, round, { budgetTotalMinor: 1_000 });
    for (let i = 0; i < count; i++) {
      const { application } =
        i === 0
          ? first
          : await createGrantApplication(t, round, {
              budgetTotalMinor: 1_000,
              applicant: first.applicant,
              communityId: first.application.communityId,
            });
      const res = await propose(officer, round.id, {
        applicationId: application.id,
        tierKey: 'all',
        constructionMinor: 1_000,
      }).expect(201);
      awardIds.push(res.body.id as string);
    }
    const trancheIds: string[] = [];
    for (const id of awardIds) {
      const res = await approve(finance, id).expect(200);
      const trancheId = res.body.award.tranches[0].id as string;
      await trancheAction(officer, trancheId, 'request').expect(200);
      trancheIds.push(trancheId);
    }
    expect(await balance(fund)).toBe(count * 1_000);
    // Money leaves the fund by another way (a refund-like manual entry): it can pay 12 tranches.
    const outside = await externalAccount(t);
    await t.get(LedgerService).post({
      idempotencyKey: `test:grants-short:${round.id}`,
      kind: 'ADJUSTMENT',
      description: 'Refund outside the round',
      currency: fund.currency,
      postings: [
        { accountId: fund.accountId, amountMinor: -(count * 1_000 - 12_500) },
        { accountId: outside.id, amountMinor: count * 1_000 - 12_500 },
      ],
    });
    expect(await balance(fund)).toBe(12_500);

    const results = await Promise.all(trancheIds.map((id) => trancheAction(finance, id, 'pay')));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(12);
    expect(statuses.filter((s) => s === 422)).toHaveLength(count - 12);
    const refused = results.find((r) => r.status === 422)!;
    expect(refused.body.code).toBe('INSUFFICIENT_FUND_BALANCE');
    expect(refused.body.message).toMatch(/holds ¥5\.00 and cannot pay ¥10\.00\. Nothing was paid/);
    const [{ paid }] = await t.dataSource.query(
      `SELECT count(*)::int AS paid FROM grant_tranches WHERE id = ANY($1::uuid[]) AND status = 'PAID'`,
      [trancheIds],
    );
    expect(paid).toBe(12);
    expect(await balance(fund)).toBe(500);
    const res = await reservation(round.id);
    expect(res.drawnMinor).toBe(count * 1_000 + 12 * 1_000);
    expect(res.drawnMinor).toBeLessThanOrEqual(res.reservedMinor);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
  }, 180_000);
  it('back office: the proposals page approves with a confirmation, the project page and the payment queue show the tranches', async () => {
    const { round } = await awardingRound(20_000_000);
    const { application } = await createGrantApplication(t, round, { title: '社区食堂' });
    const award = (
      await propose(officer, round.id, {
        applicationId: application.id,
        tierKey: 'second',
        constructionMinor: 500_000,
      }).expect(201)
    ).body;
    const payer = await createUser(t, ['FINANCE']);
    const browser = formSession(t.server);
    expect((await browser.signIn(payer.email, TEST_PASSWORD)).status).toBe(303);

    const list = await browser.agent.get('/admin/grants/awards').expect(200);
    expect(list.text).toContain('社区食堂');
    expect(list.text).toContain('奖励与拨款');
    expect(list.text).toContain(`/admin/grants/awards/${award.id}/approve`);

    expect((await browser.post(`/admin/grants/awards/${award.id}/approve`, {})).status).toBe(303);
    expect((await t.get(AwardsService).get(award.id)).status).toBe('PROPOSED');
    expect(
      (await browser.post(`/admin/grants/awards/${award.id}/approve`, { confirm: 'yes' })).status,
    ).toBe(303);
    const approved = await t.get(AwardsService).get(award.id);
    expect(approved.status).toBe('APPROVED');
    expect(approved.firstApprovedBy).toBe(payer.id);

    const page = await browser.agent.get(`/admin/grants/awards/${award.id}`).expect(200);
    expect(page.text).toContain('¥2,000.00');
    expect(page.text).toContain('开工报告通过后');
    const queue = await browser.agent.get('/admin/grants/tranches').expect(200);
    expect(queue.text).toContain('<h1>拨款付款队列</h1>');
  });
});
