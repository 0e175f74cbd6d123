import request from 'supertest';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createFoundation } from '../factories/foundation.factory';
import { createCompletedProject } from '../factories/grants-evaluation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

/** Resident evaluations in the back office: the list, the opening form, close and cancel. */
describe('back office: resident evaluations', () => {
  let t: TestApp;
  let officer: ReturnType<typeof formSession>;
  let officerId: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    const user = await createUser(t, ['GRANTS_OFFICER']);
    officerId = user.id;
    officer = formSession(t.server);
    const res = await officer.signIn(user.email, TEST_PASSWORD);
    if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
  });
  afterAll(() => t.close());

  const fieldError = (html: string, id: string) =>
    new RegExp(`id="e-${id}">([^<]*)<`).exec(html)?.[1];
  const card = (html: string, id: string) =>
    new RegExp(`id="evaluation-${id}"[\\s\\S]*?</article>`).exec(html)?.[0] ?? '';
  const evaluationsOf = (awardId: string) =>
    t.dataSource.query<{ id: string; status: string }[]>(
      `SELECT id, status FROM grant_evaluations WHERE award_id = $1 ORDER BY seq`,
      [awardId],
    );
  const responsesOf = async (id: string) =>
    (
      await t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM grant_evaluation_responses WHERE evaluation_id = $1`,
        [id],
      )
    )[0]!.n;

  it('opens an evaluation from the form, shows its codes, refuses to close it below the minimum in Chinese, and cancels it', async () => {
    const p = await createCompletedProject(t, {
      minEvaluators: 3,
      title: '口袋花园 Pocket garden',
    });

    // The list: the nav entry, the project ready for an evaluation with its link.
    const list = await officer.agent.get('/admin/grants/evaluations?lang=zh-CN').expect(200);
    expect(list.text).toContain('href="/admin/grants/evaluations" aria-current="page"');
    expect(list.text).toContain('满意度测评');
    expect(list.text).toContain('目前没有进行中的测评。');
    expect(list.text).toContain(`href="/admin/grants/evaluations/new?awardId=${p.awardId}"`);

    const form = await officer.agent
      .get(`/admin/grants/evaluations/new?awardId=${p.awardId}`)
      .expect(200);
    expect(form.text).toContain('口袋花园 Pocket garden');
    expect(form.text).toContain('本轮要求至少收到 3 份测评');
    const closesOn = /name="closesOn" type="date" value="(\d{4}-\d{2}-\d{2})"/.exec(form.text)?.[1];
    expect(closesOn).toBeTruthy();

    // Too few codes, a past date, not numbers: shown beside the fields, nothing opened.
    const few = await officer.post('/admin/grants/evaluations/new', {
      awardId: p.awardId,
      residentCodes: '1',
      stakeholderCodes: '1',
      closesOn: closesOn!,
    });
    expect(few.status).toBe(400);
    expect(fieldError(few.text, 'ev-resident')).toBe('测评码总数少于本轮要求的最少测评份数。');
    const bad = await officer.post('/admin/grants/evaluations/new?lang=en', {
      awardId: p.awardId,
      residentCodes: 'three',
      stakeholderCodes: '0',
      closesOn: '2020-01-01',
    });
    expect(bad.status).toBe(400);
    expect(fieldError(bad.text, 'ev-resident')).toBe('Enter a whole number from 0 to 500.');
    expect(fieldError(bad.text, 'ev-closes')).toBe('The closing date must be today or later.');
    expect(await evaluationsOf(p.awardId)).toEqual([]);

    const opened = await officer.post('/admin/grants/evaluations/new?lang=zh-CN', {
      awardId: p.awardId,
      residentCodes: '3',
      stakeholderCodes: '1',
      closesOn: closesOn!,
    });
    expect(opened.status).toBe(303);
    const [ev] = await evaluationsOf(p.awardId);
    expect(ev).toMatchObject({ status: 'OPEN' });
    expect(opened.headers.location).toBe(`/admin/grants/evaluations/${ev!.id}/codes`);
    const closesAt = (
      await t.dataSource.query<{ at: string }[]>(
        `SELECT to_char(closes_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS at FROM grant_evaluations WHERE id = $1`,
        [ev!.id],
      )
    )[0]!.at;
    expect(closesAt).toBe(`${closesOn} 23:59`);

    // The codes sheet: the flash, one QR per code.
    const sheet = await officer.agent.get(opened.headers.location as string).expect(200);
    expect(sheet.text).toContain('测评已开始，已生成 4 个测评码');
    expect(sheet.text.match(/<img src="data:image\/png;base64,/g)).toHaveLength(4);
    expect(sheet.text).toContain('利益相关方 1');
    const codes = (
      await t.dataSource.query<{ code: string }[]>(
        `SELECT code FROM grant_evaluator_codes WHERE evaluation_id = $1 ORDER BY label`,
        [ev!.id],
      )
    ).map((r) => r.code);

    // On the list: its project, community, status in words, tally, closing time, codes link.
    await request(t.server)
      .post('/api/v1/evaluations/responses')
      .send({ code: codes[0], satisfied: true, score: 5 })
      .expect(201);
    const withOpen = await officer.agent.get('/admin/grants/evaluations?lang=zh-CN').expect(200);
    const openCard = card(withOpen.text, ev!.id);
    expect(openCard).toContain('口袋花园 Pocket garden');
    expect(openCard).toContain('测评中');
    expect(openCard).toContain('1 / 3');
    expect(openCard).toContain('100%');
    expect(openCard).toContain('截止时间（北京时间）');
    expect(openCard).toContain(`href="/admin/grants/evaluations/${ev!.id}/codes"`);
    expect(withOpen.text).not.toContain(`/admin/grants/evaluations/new?awardId=${p.awardId}`);

    // Close: unconfirmed, then below the minimum, refused in Chinese beside the evaluation.
    const unconfirmed = await officer.post(`/admin/grants/evaluations/${ev!.id}/close`, {});
    expect(unconfirmed.status).toBe(400);
    expect(card(unconfirmed.text, ev!.id)).toContain('请先勾选确认。');
    const early = await officer.post(`/admin/grants/evaluations/${ev!.id}/close?lang=zh-CN`, {
      confirm: 'yes',
    });
    expect(early.status).toBe(409);
    // In Chinese only, not Chinese with the English after it.
    expect(card(early.text, ev!.id)).toMatch(
      /id="notice-[^"]+">这次测评目前只有 1 份评价，至少需要 3 份才能计算结果，测评继续进行。</,
    );
    expect((await evaluationsOf(p.awardId))[0]!.status).toBe('OPEN');

    // Past its closing time with too few responses: flagged overdue on the list.
    await t.dataSource.query(
      `UPDATE grant_evaluations SET closes_at = now() - interval '1 minute' WHERE id = $1`,
      [ev!.id],
    );
    const overdue = await officer.agent.get('/admin/grants/evaluations?lang=zh-CN').expect(200);
    expect(card(overdue.text, ev!.id)).toContain(
      '<strong class="evaluation-overdue">已过截止时间，份数不足</strong>',
    );
    expect(card(withOpen.text, ev!.id)).not.toContain('evaluation-overdue');

    // Cancel: a reason is needed; then the codes stop working and it is audited.
    const noReason = await officer.post(`/admin/grants/evaluations/${ev!.id}/cancel`, {
      confirm: 'yes',
      reason: '',
    });
    expect(noReason.status).toBe(400);
    expect(fieldError(noReason.text, `reason-${ev!.id}`)).toBe('请填写取消原因（1 到 1000 字）。');
    expect((await evaluationsOf(p.awardId))[0]!.status).toBe('OPEN');
    const forged = await officer.post(
      `/admin/grants/evaluations/${ev!.id}/cancel`,
      { confirm: 'yes', reason: '测评卡遗失' },
      { withCsrf: false },
    );
    expect(forged.status).toBe(403);
    const cancelled = await officer.post(`/admin/grants/evaluations/${ev!.id}/cancel`, {
      confirm: 'yes',
      reason: '测评卡遗失，重新发放',
    });
    expect({ status: cancelled.status, location: cancelled.headers.location }).toEqual({
      status: 303,
      location: '/admin/grants/evaluations',
    });
    expect((await evaluationsOf(p.awardId))[0]!.status).toBe('CANCELLED');
    const audit = await t.dataSource.query<{ after: { reason: string }; actor_user_id: string }[]>(
      `SELECT after, actor_user_id FROM audit_log WHERE entity_id = $1 AND action = 'grant.evaluation.cancelled'`,
      [ev!.id],
    );
    expect(audit).toMatchObject([
      { after: { reason: '测评卡遗失，重新发放' }, actor_user_id: officerId },
    ]);
    const late = await request(t.server)
      .post('/api/v1/evaluations/responses')
      .send({ code: codes[1], satisfied: true, score: 4 })
      .expect(409);
    expect(late.body.code).toBe('EVALUATION_CLOSED');
    expect(await responsesOf(ev!.id)).toBe(1);

    const after = await officer.agent.get('/admin/grants/evaluations?lang=zh-CN').expect(200);
    expect(after.text).toContain('测评已取消，测评码已失效。');
    expect(card(after.text, ev!.id)).toContain('已取消');
    expect(card(after.text, ev!.id)).not.toContain('/cancel');
    // The project is ready again.
    expect(after.text).toContain(`/admin/grants/evaluations/new?awardId=${p.awardId}`);
  });

  it('closes an evaluation once its minimum is in', async () => {
    const p = await createCompletedProject(t, { minEvaluators: 2 });
    const opened = await officer.post('/admin/grants/evaluations/new?lang=en', {
      awardId: p.awardId,
      residentCodes: '2',
      stakeholderCodes: '0',
      closesOn: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
    });
    expect(opened.status).toBe(303);
    const [ev] = await evaluationsOf(p.awardId);
    const codes = await t.dataSource.query<{ code: string }[]>(
      `SELECT code FROM grant_evaluator_codes WHERE evaluation_id = $1`,
      [ev!.id],
    );
    for (const { code } of codes)
      await request(t.server)
        .post('/api/v1/evaluations/responses')
        .send({ code, satisfied: true, score: 4 })
        .expect(201);
    const closed = await officer.post(`/admin/grants/evaluations/${ev!.id}/close?lang=en`, {
      confirm: 'yes',
    });
    expect(closed.status).toBe(303);
    expect((await evaluationsOf(p.awardId))[0]!.status).toBe('PASSED');
    const page = await officer.agent.get('/admin/grants/evaluations?lang=en').expect(200);
    expect(page.text).toContain('Evaluation closed: passed (2 responses).');
    expect(card(page.text, ev!.id)).toContain('2 / 2');
  });

  it('is not for finance or a community leader', async () => {
    const p = await createCompletedProject(t, { minEvaluators: 2 });
    for (const roles of [['FINANCE'], ['COMMUNITY_LEADER']] as const) {
      const user = await createUser(
        t,
        [...roles],
        roles[0] === 'COMMUNITY_LEADER' ? { communityIds: [p.communityId] } : {},
      );
      const session = formSession(t.server);
      expect((await session.signIn(user.email, TEST_PASSWORD)).status).toBe(303);
      expect((await session.agent.get('/admin/grants/evaluations')).status).toBe(403);
      expect(
        (await session.agent.get(`/admin/grants/evaluations/new?awardId=${p.awardId}`)).status,
      ).toBe(403);
      const posted = await session.post('/admin/grants/evaluations/new', {
        awardId: p.awardId,
        residentCodes: '2',
        stakeholderCodes: '0',
        closesOn: '2099-01-01',
      });
      expect(posted.status).toBe(403);
    }
    expect(await evaluationsOf(p.awardId)).toEqual([]);
  });
});
