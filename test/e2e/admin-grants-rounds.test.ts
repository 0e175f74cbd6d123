import request from 'supertest';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import {
  createCommunity,
  createFoundation,
  createFund,
  fundFromOutside,
} from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

const DAY = 86_400_000;

/** The back office's grant rounds, application, review queue, scoring and my-applications pages. */
describe('back office: grant rounds and review', () => {
  let t: TestApp;
  let officer: Awaited<ReturnType<typeof createUser>>;
  let planner: Awaited<ReturnType<typeof createUser>>;
  let reviewer: Awaited<ReturnType<typeof createUser>>;
  const sessions: Record<string, ReturnType<typeof formSession>> = {};
  let roundId: string;
  let community: { id: string };

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    community = await createCommunity(t);
    officer = await createUser(t, ['GRANTS_OFFICER']);
    planner = await createUser(t, ['PLANNER'], { communityIds: [community.id] });
    reviewer = await createUser(t, ['REVIEWER']);
    for (const [name, user] of [
      ['officer', officer],
      ['planner', planner],
      ['reviewer', reviewer],
    ] as const) {
      const s = formSession(t.server);
      const res = await s.signIn(user.email, TEST_PASSWORD);
      if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
      sessions[name] = s;
    }
    const fund = await createFund(t, { kind: 'PROGRAM' });
    await fundFromOutside(t, fund, 5_000_000);
    const now = Date.now();
    const created = await request(t.server)
      .post('/api/v1/grants/rounds')
      .set(officer.auth)
      .send({
        sourceFundId: fund.id,
        nameZh: '2026年度项目评审',
        nameEn: '2026 project review',
        year: 2026,
        applicationsOpenAt: new Date(now - DAY).toISOString(),
        applicationsCloseAt: new Date(now + 10 * DAY).toISOString(),
        reviewCloseAt: new Date(now + 20 * DAY).toISOString(),
        tiers: [
          { key: 'first', nameZh: '一等奖', nameEn: 'First', amountMinor: 1_000_000, count: 1 },
        ],
        rubric: [
          { key: 'need', nameZh: '社区需求', nameEn: 'Community need', weight: 2, min: 0, max: 10 },
          { key: 'design', nameZh: '设计质量', nameEn: 'Design', weight: 1, min: 0, max: 10 },
        ],
        secondApprovalAboveMinor: 1_000_000,
        trancheSchedule: [{ key: 'all', percent: 100, unlock: 'AWARD' }],
        targetDays: { review: 5, decision: 5, payment: 5, report: 5 },
      })
      .expect(201);
    roundId = created.body.id;
  });
  afterAll(() => t.close());

  it('opens a round from its page with a confirmed button, in Chinese', async () => {
    const list = await sessions.officer!.agent.get('/admin/grants/rounds');
    expect(list.status).toBe(200);
    expect(list.text).toContain('2026年度项目评审');
    expect(list.text).toContain('评审轮次');
    const unconfirmed = await sessions.officer!.post(`/admin/grants/rounds/${roundId}/open`, {});
    expect(unconfirmed.status).toBe(303);
    const still = (
      await t.dataSource.query(`SELECT status FROM grant_rounds WHERE id = $1`, [roundId])
    )[0];
    expect(still.status).toBe('DRAFT');
    const res = await sessions.officer!.post(`/admin/grants/rounds/${roundId}/open`, {
      confirm: 'yes',
    });
    expect(res.status).toBe(303);
    const row = (
      await t.dataSource.query(`SELECT status FROM grant_rounds WHERE id = $1`, [roundId])
    )[0];
    expect(row.status).toBe('OPEN');
    await request(t.server)
      .post(`/api/v1/grants/rounds/${roundId}/applications`)
      .set(planner.auth)
      .send({
        communityId: community.id,
        title: '口袋公园',
        budgetLines: [{ item: '座椅', amountMinor: 5_000 }],
      })
      .expect(201);
    const detail = await sessions.officer!.agent.get(`/admin/grants/rounds/${roundId}`);
    expect(detail.text).toContain('口袋公园');
    expect(detail.text).toContain('开始评审');
  });

  it('a planner submits from My applications; the officer assigns; the reviewer scores on the form', async () => {
    const mine = await sessions.planner!.agent.get('/admin/grants/my-applications?lang=en');
    expect(mine.status).toBe(200);
    expect(mine.text).toContain('口袋公园');
    const appId = /application-([0-9a-f-]{36})/.exec(mine.text)![1]!;
    expect(
      (
        await sessions.planner!.post(`/admin/grants/applications/${appId}/submit`, {
          confirm: 'yes',
        })
      ).status,
    ).toBe(303);

    const page = await sessions.officer!.agent.get(`/admin/grants/applications/${appId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(reviewer.email);
    expect(
      (
        await sessions.officer!.post(`/admin/grants/applications/${appId}/reviewers`, {
          reviewerId: reviewer.id,
        })
      ).status,
    ).toBe(303);

    const queue = await sessions.reviewer!.agent.get('/admin/grants/reviews');
    expect(queue.status).toBe(200);
    const reviewId = /review-([0-9a-f-]{36})/.exec(queue.text)![1]!;
    const form = await sessions.reviewer!.agent.get(`/admin/grants/reviews/${reviewId}`);
    expect(form.text).toContain('name="score.need"');
    const bad = await sessions.reviewer!.post(`/admin/grants/reviews/${reviewId}/scores`, {
      'score.need': '11',
      'score.design': '5',
    });
    expect(bad.status).toBe(303);
    const ok = await sessions.reviewer!.post(`/admin/grants/reviews/${reviewId}/scores`, {
      'score.need': '8',
      'score.design': '5',
      comment: '可行',
    });
    expect(ok.status).toBe(303);
    const row = (
      await t.dataSource.query(
        `SELECT status, weighted_score::text AS w FROM grant_review_assignments WHERE id = $1`,
        [reviewId],
      )
    )[0];
    // (2 × 8 + 1 × 5) / 3 = 7.0000
    expect(row).toEqual({ status: 'SUBMITTED', w: '7.0000' });
    const ranking = await sessions.officer!.agent.get(`/admin/grants/rounds/${roundId}`);
    expect(ranking.text).toContain('7.0000');
    // The application page names the criteria in the reader's language and links to its round.
    const scored = await sessions.officer!.agent.get(`/admin/grants/applications/${appId}?lang=en`);
    expect(scored.text).toContain('Community need 8 · Design 5');
    expect(scored.text).toContain(`href="/admin/grants/rounds/${roundId}"`);
  });

  it('a planner writes a draft on the My applications form; a bad budget line is refused in words', async () => {
    const bad = await sessions.planner!.post('/admin/grants/my-applications?lang=en', {
      roundId,
      communityId: community.id,
      title: '凉亭',
      budgetLines: '座椅 1200',
    });
    expect(bad.status).toBe(303);
    const page = await sessions.planner!.agent.get('/admin/grants/my-applications?lang=en');
    expect(page.text).toContain('This budget line is not “item | amount”');
    const ok = await sessions.planner!.post('/admin/grants/my-applications', {
      roundId,
      communityId: community.id,
      title: '凉亭',
      summary: '社区凉亭',
      budgetLines: '座椅 | 1200.50\n遮阳棚 | 300',
    });
    expect(ok.status).toBe(303);
    const row = (
      await t.dataSource.query(
        `SELECT status, budget_total_minor::int AS total, applicant_id FROM grant_applications WHERE title = '凉亭'`,
      )
    )[0];
    expect(row).toEqual({ status: 'DRAFT', total: 150_050, applicant_id: planner.id });
  });
});
