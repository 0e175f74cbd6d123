import request from 'supertest';
import { FundsService } from '../../src/modules/funds/funds.service';
import type { EmailPayload } from '../../src/modules/notifications/email-message';
import { EmailRenderer } from '../../src/modules/notifications/email-renderer';
import { createUser } from '../factories/accounts.factory';
import {
  createCommunity,
  createFoundation,
  createFund,
  fundFromOutside,
  generalFund,
} from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

type User = Awaited<ReturnType<typeof createUser>>;
type Body = Record<string, unknown>;

const DAY = 86_400_000;

/** A valid round definition: tiers 300,000 × 1 + 100,000 × 2 (fen) and construction 500,000. */
function roundBody(fundId: string, overrides: Body = {}): Body {
  const now = Date.now();
  return {
    sourceFundId: fundId,
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
    constructionBudgetMinor: 500_000,
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
    ...overrides,
  };
}

/**
 * Issue 10 items 1–3: rounds (validation, opening with a reservation), applications (window,
 * lock after submission), review (assignment with conflicts of interest, recusal, scoring within
 * the rubric, scores hidden until one's own is in) and the ranking, over HTTP on real PostgreSQL.
 */
describe('grant rounds, applications and review', () => {
  let t: TestApp;
  let officer: User;
  let finance: User;
  let planner: User;
  let otherLeader: User;
  let r1: User;
  let r2: User;
  let r3: User;
  let sameCommunityReviewer: User;
  let communityA: { id: string };
  let communityB: { id: string };

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    communityA = await createCommunity(t);
    communityB = await createCommunity(t);
    officer = await createUser(t, ['GRANTS_OFFICER']);
    finance = await createUser(t, ['FINANCE']);
    planner = await createUser(t, ['PLANNER'], { communityIds: [communityA.id] });
    otherLeader = await createUser(t, ['COMMUNITY_LEADER'], { communityIds: [communityB.id] });
    r1 = await createUser(t, ['REVIEWER']);
    r2 = await createUser(t, ['REVIEWER']);
    r3 = await createUser(t, ['REVIEWER']);
    sameCommunityReviewer = await createUser(t, ['REVIEWER', 'PLANNER'], {
      communityIds: [communityA.id],
    });
  });
  afterAll(() => t.close());

  const api = (who: User | null, method: 'get' | 'post' | 'patch', path: string, body?: Body) => {
    const req = request(t.server)[method](`/api/v1${path}`);
    if (who) void req.set(who.auth);
    return body ? req.send(body) : req;
  };
  const audit = async (entityId: string) =>
    (
      await t.dataSource.query<{ action: string }[]>(
        `SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`,
        [entityId],
      )
    ).map((r) => r.action);
  const reservation = async (roundId: string) =>
    (
      await t.dataSource.query<{ reserved: number; drawn: number; released_at: Date | null }[]>(
        `SELECT reserved_minor::int AS reserved, drawn_minor::int AS drawn, released_at
           FROM fund_reservations WHERE source = $1`,
        [`round:${roundId}`],
      )
    )[0];
  /** A program fund holding `amountMinor`, given to it from outside. */
  const fundWith = async (amountMinor: number) => {
    const fund = await createFund(t, { kind: 'PROGRAM' });
    await fundFromOutside(t, fund, amountMinor);
    return fund;
  };
  const openRound = async (overrides: Body = {}) => {
    const fund = await fundWith(2_000_000);
    const created = await api(
      officer,
      'post',
      '/grants/rounds',
      roundBody(fund.id, overrides),
    ).expect(201);
    await api(officer, 'post', `/grants/rounds/${created.body.id}/open`).expect(200);
    return { round: created.body as { id: string }, fund };
  };
  const apply = (who: User, roundId: string, body: Body = {}) =>
    api(who, 'post', `/grants/rounds/${roundId}/applications`, {
      communityId: communityA.id,
      title: '老旧小区口袋公园改造',
      summary: 'Pocket park',
      budgetLines: [
        { item: '座椅', amountMinor: 12_000 },
        { item: '遮阳棚', amountMinor: 30_050 },
      ],
      ...body,
    });
  const submitted = async (roundId: string, title = '项目') => {
    const created = await apply(planner, roundId, { title }).expect(201);
    await api(planner, 'post', `/grants/applications/${created.body.id}/submit`).expect(200);
    return created.body.id as string;
  };
  const assign = (appId: string, reviewer: User) =>
    api(officer, 'post', `/grants/applications/${appId}/reviewers`, { reviewerId: reviewer.id });
  const score = (who: User, reviewId: string, scores: Body, comment = '') =>
    api(who, 'post', `/grants/reviews/${reviewId}/scores`, { scores, comment });

  describe('rounds', () => {
    it('refuses an invalid definition with every problem in words and saves nothing', async () => {
      const fund = await fundWith(1_000);
      const before = (await t.dataSource.query(`SELECT count(*)::int AS n FROM grant_rounds`))[0].n;
      const res = await api(
        officer,
        'post',
        '/grants/rounds',
        roundBody(fund.id, {
          tiers: [
            { key: 'first', nameZh: '一', nameEn: 'One', amountMinor: 100, count: 1 },
            { key: 'first', nameZh: '二', nameEn: 'Two', amountMinor: 100, count: 101 },
          ],
          rubric: [{ key: 'need', nameZh: '需求', nameEn: 'Need', weight: 1, min: 5, max: 5 }],
          trancheSchedule: [
            { key: 'a', percent: 60, unlock: 'MIDTERM' },
            { key: 'b', percent: 30, unlock: 'START' },
          ],
          targetDays: { review: 0, decision: 5, payment: 61, report: 5 },
        }),
      ).expect(422);
      expect(res.body.code).toBe('INVALID_ROUND');
      for (const words of [
        'tiers[1].count must be a whole number from 1 to 100',
        'tier keys must be unique: first repeats',
        'rubric[0] needs whole-number scores with 0 ≤ min < max ≤ 100',
        'trancheSchedule percents must add up to 100 (they add up to 90)',
        'trancheSchedule must unlock in order',
        'targetDays.review must be a whole number of days from 1 to 60',
        'targetDays.payment must be a whole number of days from 1 to 60',
      ])
        expect(res.body.message).toContain(words);
      expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM grant_rounds`))[0].n).toBe(
        before,
      );
    });

    it('creates a DRAFT in the fund’s currency with the budget computed, editable only as a draft', async () => {
      const fund = await fundWith(2_000_000);
      const res = await api(officer, 'post', '/grants/rounds', roundBody(fund.id)).expect(201);
      expect(res.body).toMatchObject({
        status: 'DRAFT',
        currency: 'CNY',
        budgetMinor: 300_000 + 2 * 100_000 + 500_000,
        targetDays: { review: 5, decision: 5, payment: 5, report: 5 },
      });
      const edited = await api(
        officer,
        'patch',
        `/grants/rounds/${res.body.id}`,
        (({ sourceFundId: _s, ...rest }) => ({ ...rest, constructionBudgetMinor: 600_000 }))(
          roundBody(fund.id),
        ),
      ).expect(200);
      expect(edited.body.budgetMinor).toBe(1_100_000);
      await api(planner, 'post', '/grants/rounds', roundBody(fund.id)).expect(403);
      await api(null, 'post', '/grants/rounds', roundBody(fund.id)).expect(401);
      expect(await audit(res.body.id)).toEqual(['grant.round.created', 'grant.round.updated']);
    });

    it('opens by reserving the budget; over the available balance it is refused with the figures and nothing changes', async () => {
      const fund = await fundWith(999_999);
      const created = await api(officer, 'post', '/grants/rounds', roundBody(fund.id)).expect(201);
      const refused = await api(officer, 'post', `/grants/rounds/${created.body.id}/open`).expect(
        422,
      );
      expect(refused.body.code).toBe('INSUFFICIENT_FUND_BALANCE');
      expect(refused.body.message).toContain(`Fund ${fund.code} holds ¥9,999.99`);
      expect(refused.body.message).toContain('¥10,000.00 was asked');
      const still = await api(officer, 'get', `/grants/rounds/${created.body.id}`).expect(200);
      expect(still.body).toMatchObject({ status: 'DRAFT', reservationId: null });
      expect(await reservation(created.body.id)).toBeUndefined();
      expect(await audit(created.body.id)).toEqual(['grant.round.created']);

      await fundFromOutside(t, fund, 1);
      const opened = await api(officer, 'post', `/grants/rounds/${created.body.id}/open`).expect(
        200,
      );
      expect(opened.body.status).toBe('OPEN');
      expect(await reservation(created.body.id)).toEqual({
        reserved: 1_000_000,
        drawn: 0,
        released_at: null,
      });
      await api(officer, 'post', `/grants/rounds/${created.body.id}/open`).expect(409);
      const patch = await api(
        officer,
        'patch',
        `/grants/rounds/${created.body.id}`,
        (({ sourceFundId: _s, ...rest }) => rest)(roundBody(fund.id)),
      ).expect(409);
      expect(patch.body.code).toBe('ROUND_NOT_EDITABLE');
      expect(await audit(created.body.id)).toEqual(['grant.round.created', 'grant.round.opened']);
    });

    it('a reservation reduces what an allocation from that fund can move', async () => {
      const general = await generalFund(t);
      const have = (await t.get(FundsService).get(general.id)).balanceMinor;
      await fundFromOutside(t, general, 1_500_000 - have);
      const created = await api(officer, 'post', '/grants/rounds', roundBody(general.id)).expect(
        201,
      );
      await api(officer, 'post', `/grants/rounds/${created.body.id}/open`).expect(200);
      const to = await createFund(t, { kind: 'PROGRAM' });
      const allocate = (amountMinor: number) =>
        api(finance, 'post', '/allocations', {
          fromFundId: general.id,
          toFundId: to.id,
          amountMinor,
        });
      const refused = await allocate(500_001).expect(422);
      expect(refused.body.code).toBe('INSUFFICIENT_FUND_BALANCE');
      expect(refused.body.message).toContain('¥10,000.00 is reserved for grant rounds');
      expect((await t.get(FundsService).get(to.id)).balanceMinor).toBe(0);
      await allocate(500_000).expect(201);
      expect((await t.get(FundsService).get(general.id)).balanceMinor).toBe(1_000_000);
    });

    it('starts the review only after the deadline unless the officer closes applications early; closes with nothing awarded by releasing the reservation', async () => {
      const { round } = await openRound();
      const refused = await api(
        officer,
        'post',
        `/grants/rounds/${round.id}/start-review`,
        {},
      ).expect(409);
      expect(refused.body.code).toBe('APPLICATIONS_STILL_OPEN');
      expect(refused.body.message).toMatch(
        /Applications are open until \w{3} \d{1,2}, \d{4}, \d\d:\d\d \(Beijing time\)/,
      );
      const started = await api(officer, 'post', `/grants/rounds/${round.id}/start-review`, {
        early: true,
      }).expect(200);
      expect(started.body.status).toBe('REVIEWING');
      expect(new Date(started.body.applicationsCloseAt).getTime()).toBeLessThanOrEqual(Date.now());
      await api(officer, 'post', `/grants/rounds/${round.id}/close`).expect(409);
      await api(officer, 'post', `/grants/rounds/${round.id}/start-awarding`).expect(200);
      const closed = await api(officer, 'post', `/grants/rounds/${round.id}/close`).expect(200);
      expect(closed.body.status).toBe('CLOSED');
      expect((await reservation(round.id))!.released_at).not.toBeNull();
      expect(await audit(round.id)).toEqual([
        'grant.round.created',
        'grant.round.opened',
        'grant.round.review_started',
        'grant.round.awarding_started',
        'grant.round.closed',
      ]);
    });
  });

  describe('applications', () => {
    it('is written by a planner for their own community, edited as a draft, submitted once, then locked', async () => {
      const { round } = await openRound();
      const other = await apply(otherLeader, round.id).expect(403);
      expect(other.body.code).toBe('NOT_YOUR_COMMUNITY');
      await apply(r1, round.id).expect(403);

      const created = await apply(planner, round.id).expect(201);
      expect(created.body).toMatchObject({ status: 'DRAFT', budgetTotalMinor: 42_050 });
      const id = created.body.id as string;
      await api(otherLeader, 'patch', `/grants/applications/${id}`, { title: 'x' }).expect(403);
      await api(otherLeader, 'get', `/grants/applications/${id}`).expect(403);
      const edited = await api(planner, 'patch', `/grants/applications/${id}`, {
        title: '口袋公园',
        budgetLines: [{ item: '座椅', amountMinor: 10_000 }],
      }).expect(200);
      expect(edited.body).toMatchObject({ title: '口袋公园', budgetTotalMinor: 10_000 });
      const bad = await api(planner, 'patch', `/grants/applications/${id}`, {
        title: '口袋公园',
        budgetLines: [{ item: '', amountMinor: -1 }],
      }).expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');

      const sub = await api(planner, 'post', `/grants/applications/${id}/submit`).expect(200);
      expect(sub.body.status).toBe('SUBMITTED');
      const due =
        new Date(sub.body.decisionDueAt).getTime() - new Date(sub.body.submittedAt).getTime();
      expect(due).toBe(5 * DAY);

      const locked = await api(planner, 'patch', `/grants/applications/${id}`, {
        title: 'changed',
      }).expect(409);
      expect(locked.body.code).toBe('APPLICATION_LOCKED');
      await api(planner, 'post', `/grants/applications/${id}/submit`).expect(409);
      const row = (
        await t.dataSource.query(`SELECT title FROM grant_applications WHERE id = $1`, [id])
      )[0];
      expect(row.title).toBe('口袋公园');
      expect(await audit(id)).toEqual([
        'grant.application.created',
        'grant.application.updated',
        'grant.application.submitted',
      ]);
    });

    it('refuses applying and submitting after the deadline (Asia/Shanghai), with no change', async () => {
      const { round } = await openRound();
      const draft = await apply(planner, round.id).expect(201);
      await t.dataSource.query(
        `UPDATE grant_rounds SET applications_open_at = now() - interval '3 days',
           applications_close_at = now() - interval '1 minute' WHERE id = $1`,
        [round.id],
      );
      const late = await apply(planner, round.id).expect(422);
      expect(late.body.code).toBe('APPLICATIONS_CLOSED');
      expect(late.body.message).toMatch(/The application deadline was .* \(Beijing time\)/);
      const lateSubmit = await api(
        planner,
        'post',
        `/grants/applications/${draft.body.id}/submit`,
      ).expect(422);
      expect(lateSubmit.body.code).toBe('APPLICATIONS_CLOSED');
      const row = (
        await t.dataSource.query(`SELECT status FROM grant_applications WHERE id = $1`, [
          draft.body.id,
        ])
      )[0];
      expect(row.status).toBe('DRAFT');
      const count = (
        await t.dataSource.query(
          `SELECT count(*)::int AS n FROM grant_applications WHERE round_id = $1`,
          [round.id],
        )
      )[0].n;
      expect(count).toBe(1);
    });

    it('refuses applying to a DRAFT round', async () => {
      const fund = await fundWith(10);
      const created = await api(officer, 'post', '/grants/rounds', roundBody(fund.id)).expect(201);
      const res = await apply(planner, created.body.id).expect(422);
      expect(res.body.message).toContain('Applications are taken only while the round is open.');
    });
  });

  describe('review and ranking', () => {
    it('assigns reviewers with conflicts of interest refused, recuses, scores within the rubric once, hides others’ scores until one’s own is in, and ranks by the hand-computed example', async () => {
      const { round } = await openRound();
      const p = await submitted(round.id, 'P');
      const q = await submitted(round.id, 'Q');
      const r = await submitted(round.id, 'R');
      const s = await submitted(round.id, 'S');

      // Assignment: REVIEWER only, never someone of the same community; the first moves it under review.
      const notReviewer = await assign(p, finance).expect(422);
      expect(notReviewer.body.code).toBe('REVIEWER_NOT_ELIGIBLE');
      const conflict = await assign(p, sameCommunityReviewer).expect(409);
      expect(conflict.body).toMatchObject({ code: 'CONFLICT_OF_INTEREST' });
      expect(conflict.body.message).toContain('same community');
      await api(planner, 'post', `/grants/applications/${p}/reviewers`, {
        reviewerId: r1.id,
      }).expect(403);

      const ids: Record<string, Record<string, string>> = {};
      for (const [app, reviewers] of [
        [p, [r1, r2, r3]],
        [q, [r1, r2]],
        [r, [r1, r2]],
        [s, [r3]],
      ] as const) {
        ids[app] = {};
        for (const reviewer of reviewers) {
          const res = await assign(app, reviewer).expect(201);
          expect(res.body).toMatchObject({ status: 'ASSIGNED', reviewerId: reviewer.id });
          ids[app][reviewer.id] = res.body.id;
        }
      }
      const dup = await assign(p, r1).expect(409);
      expect(dup.body.code).toBe('REVIEWER_ALREADY_ASSIGNED');
      const app = await api(officer, 'get', `/grants/applications/${p}`).expect(200);
      expect(app.body.status).toBe('UNDER_REVIEW');
      await api(r1, 'get', `/grants/applications/${p}`).expect(200);
      const mail = await t.dataSource.query(
        `SELECT payload FROM outbox WHERE kind = 'EMAIL' AND payload->>'template' = 'grant-reviewer-assigned'
           AND payload->>'to' = $1`,
        [r1.email],
      );
      expect(mail.length).toBe(3);

      // Recusal with a named relation, before scoring; a recused review cannot be scored.
      await api(r1, 'post', `/grants/reviews/${ids[p]![r3.id]}/recuse`, { reason: 'x' }).expect(
        403,
      );
      const recused = await api(r3, 'post', `/grants/reviews/${ids[p]![r3.id]}/recuse`, {
        reason: '申报人是我的表亲 / The applicant is my cousin',
      }).expect(200);
      expect(recused.body.status).toBe('RECUSED');
      const afterRecusal = await score(r3, ids[p]![r3.id]!, {
        need: 10,
        design: 10,
        feasibility: 10,
      }).expect(409);
      expect(afterRecusal.body.code).toBe('REVIEW_CLOSED');

      // Scores outside the rubric are refused in words and nothing is saved.
      const out = await score(r1, ids[p]![r1.id]!, { need: 11, design: 8, feasibility: 8 }).expect(
        422,
      );
      expect(out.body.code).toBe('SCORE_OUT_OF_RANGE');
      expect(out.body.message).toContain(
        'Community need (need) must be a whole number from 0 to 10, not 11',
      );
      const missing = await score(r1, ids[p]![r1.id]!, { need: 8, design: 8 }).expect(422);
      expect(missing.body.message).toContain('Feasibility (feasibility) has no score');
      const extra = await score(r1, ids[p]![r1.id]!, {
        need: 8,
        design: 8,
        feasibility: 8,
        cost: 3,
      }).expect(422);
      expect(extra.body.message).toContain('"cost" is not a criterion');
      const fraction = await score(r1, ids[p]![r1.id]!, {
        need: 7.5,
        design: 8,
        feasibility: 8,
      }).expect(422);
      expect(fraction.body.code).toBe('SCORE_OUT_OF_RANGE');
      await score(r2, ids[p]![r1.id]!, { need: 8, design: 8, feasibility: 8 }).expect(403);
      const untouched = (
        await t.dataSource.query(
          `SELECT status, scores FROM grant_review_assignments WHERE id = $1`,
          [ids[p]![r1.id]],
        )
      )[0];
      expect(untouched).toEqual({ status: 'ASSIGNED', scores: null });

      // P: r1 (8,8,8) = 48/6 = 8.0000; r2 (8,6,6) = 42/6 = 7.0000 → mean 7.5000, min 7.0000.
      const p1 = await score(
        r1,
        ids[p]![r1.id]!,
        { need: 8, design: 8, feasibility: 8 },
        '很好',
      ).expect(200);
      expect(p1.body).toMatchObject({ status: 'SUBMITTED', weightedScore: '8.0000' });
      const changed = await score(r1, ids[p]![r1.id]!, {
        need: 1,
        design: 1,
        feasibility: 1,
      }).expect(409);
      expect(changed.body.code).toBe('REVIEW_CLOSED');

      // Hidden until one's own is submitted: r2 sees r1's review without scores.
      const before = await api(r2, 'get', `/grants/applications/${p}/reviews`).expect(200);
      const r1Seen = before.body.items.find((x: { reviewerId: string }) => x.reviewerId === r1.id);
      expect(r1Seen).toMatchObject({
        hidden: true,
        scores: null,
        weightedScore: null,
        comment: '',
      });
      await api(otherLeader, 'get', `/grants/applications/${p}/reviews`).expect(403);
      await api(r2, 'get', `/grants/applications/${s}/reviews`).expect(403);
      const officerView = await api(officer, 'get', `/grants/applications/${p}/reviews`).expect(
        200,
      );
      expect(
        officerView.body.items.find((x: { reviewerId: string }) => x.reviewerId === r1.id),
      ).toMatchObject({ hidden: false, weightedScore: '8.0000', comment: '很好' });

      const p2 = await score(r2, ids[p]![r2.id]!, { need: 8, design: 6, feasibility: 6 }).expect(
        200,
      );
      expect(p2.body.weightedScore).toBe('7.0000');
      const after = await api(r2, 'get', `/grants/applications/${p}/reviews`).expect(200);
      expect(
        after.body.items.find((x: { reviewerId: string }) => x.reviewerId === r1.id),
      ).toMatchObject({
        hidden: false,
        scores: { need: 8, design: 8, feasibility: 8 },
        comment: '很好',
      });

      // Q: r1 (8,7,9) = 47/6 = 7.8333; r2 (7,8,7) = 44/6 = 7.3333 → mean 7.5833.
      expect(
        (await score(r1, ids[q]![r1.id]!, { need: 8, design: 7, feasibility: 9 }).expect(200)).body
          .weightedScore,
      ).toBe('7.8333');
      expect(
        (await score(r2, ids[q]![r2.id]!, { need: 7, design: 8, feasibility: 7 }).expect(200)).body
          .weightedScore,
      ).toBe('7.3333');
      // R: r1 (8,7,7) = 45/6 = 7.5000; r2 (9,6,6) = 45/6 = 7.5000 → mean 7.5000, min 7.5000:
      // ties with P on the mean and ranks above it on the higher lowest score.
      await score(r1, ids[r]![r1.id]!, { need: 8, design: 7, feasibility: 7 }).expect(200);
      await score(r2, ids[r]![r2.id]!, { need: 9, design: 6, feasibility: 6 }).expect(200);
      // S: its only reviewer has not scored yet → unranked.

      await api(planner, 'get', `/grants/rounds/${round.id}/ranking`).expect(403);
      await api(r1, 'get', `/grants/rounds/${round.id}/ranking`).expect(403);
      const ranking = await api(officer, 'get', `/grants/rounds/${round.id}/ranking`).expect(200);
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
        ['Q', 1, '7.5833', '7.3333', 2, 0],
        ['R', 2, '7.5000', '7.5000', 2, 0],
        ['P', 3, '7.5000', '7.0000', 2, 1],
        ['S', null, null, null, 0, 0],
      ]);

      const queue = await api(r1, 'get', '/grants/reviews').expect(200);
      expect(queue.body.items).toHaveLength(3);
      expect(await audit(ids[p]![r3.id]!)).toEqual([
        'grant.review.assigned',
        'grant.review.recused',
      ]);
      expect(await audit(ids[p]![r1.id]!)).toEqual([
        'grant.review.assigned',
        'grant.review.submitted',
      ]);
    });

    it('shortlists and declines from SUBMITTED or UNDER_REVIEW, emailing the applicant', async () => {
      const { round } = await openRound();
      const a = await submitted(round.id, 'A');
      const b = await submitted(round.id, 'B');
      await assign(a, r1).expect(201);
      await api(r1, 'post', `/grants/applications/${a}/shortlist`).expect(403);
      const sl = await api(officer, 'post', `/grants/applications/${a}/shortlist`, {}).expect(200);
      expect(sl.body.status).toBe('SHORTLISTED');
      expect(sl.body.decidedAt).not.toBeNull();
      const dc = await api(officer, 'post', `/grants/applications/${b}/decline`, {
        note: '预算不足',
      }).expect(200);
      expect(dc.body.status).toBe('DECLINED');
      const again = await api(officer, 'post', `/grants/applications/${b}/shortlist`, {}).expect(
        409,
      );
      expect(again.body.code).toBe('INVALID_APPLICATION_TRANSITION');
      const late = await assign(b, r2).expect(409);
      expect(late.body.code).toBe('INVALID_APPLICATION_TRANSITION');
      const mails = await t.dataSource.query(
        `SELECT payload FROM outbox WHERE payload->>'template' = 'grant-application-decided'
           AND payload->>'to' = $1 ORDER BY created_at`,
        [planner.email],
      );
      expect(mails.map((m: { payload: { data: Body } }) => m.payload.data.shortlisted)).toEqual(
        expect.arrayContaining([true, false]),
      );
      // Both emails render in the applicant's language, naming the application and the round.
      for (const { payload } of mails as { payload: EmailPayload }[]) {
        const email = t.get(EmailRenderer).render(payload);
        expect(email.subject).toContain(String(payload.data.applicationTitle));
        expect(email.text).toContain(String(payload.data.roundName));
      }
      const declined = (mails as { payload: EmailPayload }[]).find(
        (m) => !m.payload.data.shortlisted,
      )!;
      expect(t.get(EmailRenderer).render(declined.payload).text).toContain('预算不足');
      expect(await audit(b)).toContain('grant.application.declined');
      const mine = await api(planner, 'get', `/grants/applications?roundId=${round.id}`).expect(
        200,
      );
      expect(mine.body.items).toHaveLength(2);
      const theirs = await api(
        otherLeader,
        'get',
        `/grants/applications?roundId=${round.id}`,
      ).expect(200);
      expect(theirs.body.items).toHaveLength(0);
    });
  });
});
