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

/** The back office's grant forms: a round's create / edit form, the fund page's expense link. */
describe('back office: grant round form and fund page', () => {
  let t: TestApp;
  let officer: Awaited<ReturnType<typeof createUser>>;
  let leader: Awaited<ReturnType<typeof createUser>>;
  let fund: Awaited<ReturnType<typeof createFund>>;
  const sessions: Record<string, ReturnType<typeof formSession>> = {};

  const count = async () =>
    Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM grant_rounds`))[0].n);

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    const community = await createCommunity(t);
    fund = await createFund(t, { kind: 'PROGRAM' });
    await fundFromOutside(t, fund, 1_000_000_000);
    officer = await createUser(t, ['GRANTS_OFFICER']);
    leader = await createUser(t, ['COMMUNITY_LEADER'], {
      communityIds: [community.id],
      fundIds: [fund.id],
    });
    for (const [name, user] of [
      ['officer', officer],
      ['leader', leader],
    ] as const) {
      const s = formSession(t.server);
      const res = await s.signIn(user.email, TEST_PASSWORD);
      if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
      sessions[name] = s;
    }
  });
  afterAll(() => t.close());

  /** The new-round form as the browser would post it: the prefilled values plus `changes`. */
  async function prefilled(changes: Record<string, string>): Promise<Record<string, string>> {
    const page = await sessions.officer!.agent.get('/admin/grants/rounds/new');
    expect(page.status).toBe(200);
    const fields: Record<string, string> = {};
    for (const m of page.text.matchAll(
      /<input id="[^"]*" name="([^"]+)" type="[^"]*" value="([^"]*)"/g,
    ))
      fields[m[1]!] = m[2]!.replace(/&#x3D;/g, '=');
    for (const m of page.text.matchAll(
      /<select id="[^"]*" name="(tranche\.\d\.unlock)"[\s\S]*?<\/select>/g,
    )) {
      const selected = /<option value="(\w+)" selected>/.exec(m[0]);
      if (selected) fields[m[1]!] = selected[1]!;
    }
    return {
      ...fields,
      sourceFundId: fund.id,
      nameZh: '2027年度项目评审',
      nameEn: '2027 review',
      ...changes,
    };
  }

  it('prefills the district defaults and creates a DRAFT round from yuan and Beijing times', async () => {
    const page = await sessions.officer!.agent.get('/admin/grants/rounds/new');
    expect(page.text).toContain('新建评审轮次');
    expect(page.text).toContain('value="300000.00"');
    expect(page.text).toContain('value="200000.00"');
    expect(page.text).toContain('value="100000.00"');
    expect(page.text).toContain('type="datetime-local"');
    expect(page.text).not.toMatch(/grants\.(forms|rounds)\./);
    const fields = await prefilled({
      applicationsOpenAt: '2027-03-01T09:00',
      applicationsCloseAt: '2027-03-31T18:00',
      reviewCloseAt: '2027-04-15T18:00',
      constructionBudget: '1000000.50',
      year: '2027',
    });
    expect(fields['tier.0.amount']).toBe('300000.00');
    expect(fields['tranche.0.unlock']).toBe('START');
    const before = await count();
    const res = await sessions.officer!.post('/admin/grants/rounds', fields);
    expect(res.status).toBe(303);
    expect(await count()).toBe(before + 1);
    const row = (
      await t.dataSource.query(
        `SELECT id, status, budget_minor::text AS budget, construction_budget_minor::text AS c,
                applications_close_at AS close, tiers, tranche_schedule AS ts, target_days AS td,
                satisfaction_threshold_pct AS pct
           FROM grant_rounds WHERE name_zh = '2027年度项目评审'`,
      )
    )[0];
    expect(row.status).toBe('DRAFT');
    expect(row.c).toBe('100000050');
    // 300000×3 + 200000×5 + 100000×10 = 2 900 000 yuan, plus construction.
    expect(row.budget).toBe(String(290_000_000 + 100_000_050));
    expect(new Date(row.close).toISOString()).toBe('2027-03-31T10:00:00.000Z');
    expect(row.tiers.map((x: { count: number }) => x.count)).toEqual([3, 5, 10]);
    expect(row.ts.map((x: { percent: number }) => x.percent)).toEqual([40, 40, 20]);
    expect(row.td).toEqual({ review: 5, decision: 5, payment: 5, report: 5 });
    expect(row.pct).toBe(80);
    expect(res.headers.location).toBe(`/admin/grants/rounds/${row.id}`);
    const audit = await t.dataSource.query(`SELECT action FROM audit_log WHERE entity_id = $1`, [
      row.id,
    ]);
    expect(audit.map((a: { action: string }) => a.action)).toContain('grant.round.created');
  });

  it('refuses bad input beside the fields in Chinese and writes nothing', async () => {
    const before = await count();
    const fields = await prefilled({
      nameZh: '坏轮次',
      'tier.1.amount': '200000.555',
      'tranche.2.percent': '30',
      applicationsCloseAt: '2027-02-30T18:00',
    });
    const res = await sessions.officer!.post('/admin/grants/rounds', fields);
    expect(res.status).toBe(400);
    expect(res.text).toContain('各笔比例之和须为 100（现为 110）');
    expect(res.text).toContain('请填写有效的日期和时间');
    expect(res.text).toMatch(/id="e-tier-1">[^<]+</);
    expect(res.text).toContain('value="200000.555"');
    expect(res.text).toContain('处需要更正');
    expect(await count()).toBe(before);
    const order = await sessions.officer!.post('/admin/grants/rounds', {
      ...fields,
      'tier.1.amount': '200000',
      'tranche.2.percent': '20',
      applicationsCloseAt: '2027-03-31T18:00',
      'tranche.0.unlock': 'COMPLETION',
    });
    expect(order.status).toBe(400);
    expect(order.text).toContain('解锁条件须按顺序');
    expect(await count()).toBe(before);
  });

  it('edits a DRAFT round and refuses to edit an open one', async () => {
    const round = (
      await t.dataSource.query(`SELECT id FROM grant_rounds WHERE name_zh = '2027年度项目评审'`)
    )[0];
    const page = await sessions.officer!.agent.get(`/admin/grants/rounds/${round.id}/edit?lang=en`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Edit round');
    expect(page.text).not.toMatch(/grants\.(forms|rounds)\./);
    expect(page.text).toContain('value="2027-03-31T18:00"');
    expect(page.text).toContain('value="1000000.50"');
    const fields: Record<string, string> = {};
    for (const m of page.text.matchAll(
      /<input id="[^"]*" name="([^"]+)" type="[^"]*" value="([^"]*)"/g,
    ))
      fields[m[1]!] = m[2]!;
    for (const i of [0, 1, 2])
      fields[`tranche.${i}.unlock`] = ['START', 'MIDTERM', 'COMPLETION'][i]!;
    const res = await sessions.officer!.post(`/admin/grants/rounds/${round.id}/edit`, {
      ...fields,
      'tier.2.count': '8',
      constructionBudget: '0',
    });
    expect(res.status).toBe(303);
    const after = (
      await t.dataSource.query(`SELECT budget_minor::text AS b FROM grant_rounds WHERE id = $1`, [
        round.id,
      ])
    )[0];
    expect(after.b).toBe(String(90_000_000 + 100_000_000 + 80_000_000));

    await request(t.server)
      .post(`/api/v1/grants/rounds/${round.id}/open`)
      .set(officer.auth)
      .expect(200);
    const closed = await sessions.officer!.agent.get(
      `/admin/grants/rounds/${round.id}/edit?lang=zh-CN`,
    );
    expect(closed.text).toContain('只有草稿可以编辑');
    const refused = await sessions.officer!.post(`/admin/grants/rounds/${round.id}/edit`, {
      ...fields,
      'tier.2.count': '9',
    });
    expect(refused.status).toBe(409);
    const still = (
      await t.dataSource.query(`SELECT budget_minor::text AS b FROM grant_rounds WHERE id = $1`, [
        round.id,
      ])
    )[0];
    expect(still.b).toBe(after.b);
  });

  it('shows the fund’s available money and the expense link to those allowed', async () => {
    const page = await sessions.leader!.agent.get(`/admin/funds/${fund.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('可用余额');
    expect(page.text).toContain(`href="/admin/funds/${fund.id}/expenses/new"`);
    // 10 000 000 yuan in, 2 700 000 reserved by the open round.
    expect(page.text).toMatch(/id="fund-available">¥7,300,000\.00/);
    expect(page.text).toContain('¥2,700,000.00');
    const reviewer = await createUser(t, ['REVIEWER']);
    const s = formSession(t.server);
    await s.signIn(reviewer.email, TEST_PASSWORD);
    const theirs = await s.agent.get(`/admin/funds/${fund.id}?lang=en`);
    expect(theirs.status).toBe(200);
    expect(theirs.text).toContain('Available');
    expect(theirs.text).not.toContain('request-expense');
  });
});
