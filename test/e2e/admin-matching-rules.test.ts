import request from 'supertest';
import { FundsService } from '../../src/modules/funds/funds.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

/** A campaign's matching rule in the back office: FINANCE sets it up, pauses and ends it. */
describe('back office: matching rules', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  const signedIn = async (roles: Parameters<typeof createUser>[1], fundIds?: string[]) => {
    const user = await createUser(t, roles, fundIds ? { fundIds } : {});
    const session = formSession(t.server);
    const res = await session.signIn(user.email, TEST_PASSWORD);
    if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
    return session;
  };
  const fieldError = (html: string, id: string) =>
    new RegExp(`id="e-${id}">([^<]*)<`).exec(html)?.[1];
  const audit = async (campaignId: string) =>
    (
      await t.dataSource.query(
        `SELECT action FROM audit_log WHERE entity_id = $1 AND action LIKE 'matching.%' ORDER BY id`,
        [campaignId],
      )
    ).map((r: { action: string }) => r.action);

  it('FINANCE sets up a rule from the campaign page, edits, pauses, resumes and ends it', async () => {
    const pool = await createFund(t, { kind: 'MATCHING', nameEn: 'Sponsor pool' });
    await fundFromOutside(t, pool, 12_345_600);
    const empty = await createFund(t, { kind: 'MATCHING', nameEn: 'Empty pool' });
    const program = await createFund(t, { kind: 'PROGRAM' });
    const campaign = await createCampaign(t, {
      fundId: program.id,
      startsAt: new Date('2026-01-01T00:00:00+08:00'),
      endsAt: new Date('2099-12-31T00:00:00+08:00'),
    });
    const page = `/admin/campaigns/${campaign.id}`;
    const finance = await signedIn(['FINANCE']);

    const before = await finance.agent.get(`${page}?lang=en`).expect(200);
    expect(before.text).toContain('id="matching-none"');
    expect(before.text).toContain(`href="${page}/matching-rule" id="matching-create"`);
    const form = await finance.agent.get(`${page}/matching-rule?lang=en`).expect(200);
    expect(form.text).toContain(`value="${pool.id}"`);
    expect(form.text).toContain('Sponsor pool');
    expect(form.text).toContain('balance ¥123,456.00');
    expect(form.text).not.toContain(`value="${program.id}"`);
    expect(form.text).toMatch(/name="ratio" type="text" value="1"/);

    const valid = {
      poolFundId: pool.id,
      mode: 'RATIO',
      ratio: '1',
      randomMin: '',
      randomMax: '',
      minGift: '10.00',
      capPerGift: '500.00',
      capPerDonorDay: '1000',
      totalCap: '',
      startsAt: '2026-09-07T00:00',
      endsAt: '2026-09-09T23:59',
    };
    // Typing mistakes, beside their fields; nothing stored.
    const typos = await finance.post(`${page}/matching-rule?lang=en`, {
      ...valid,
      ratio: '1:1',
      minGift: '0',
      capPerGift: '12.345',
      capPerDonorDay: 'lots',
      startsAt: 'tomorrow',
    });
    expect(typos.status).toBe(400);
    expect(fieldError(typos.text, 'm-ratio')).toMatch(/Enter a ratio such as 1 or 0.5/);
    expect(fieldError(typos.text, 'm-minGift')).toMatch(/more than zero/);
    expect(fieldError(typos.text, 'm-capPerGift')).toMatch(/at most two decimals/);
    expect(fieldError(typos.text, 'm-capPerDonorDay')).toMatch(/Enter an amount/);
    expect(fieldError(typos.text, 'm-startsAt')).toMatch(/date and time/);
    expect(typos.text).toContain('value="lots"'); // shown again as typed
    const random = await finance.post(`${page}/matching-rule?lang=en`, {
      ...valid,
      mode: 'RANDOM',
      ratio: '',
    });
    expect(random.status).toBe(400);
    expect(fieldError(random.text, 'm-randomMin')).toBe('Fill this in.');
    expect(fieldError(random.text, 'm-randomMax')).toBe('Fill this in.');
    const noMode = await finance.post(`${page}/matching-rule?lang=en`, { ...valid, mode: '' });
    expect(fieldError(noMode.text, 'm-mode')).toMatch(/Choose how gifts are matched/);

    // The service's checks, beside their fields, in the page's language.
    const checked = await finance.post(`${page}/matching-rule?lang=en`, {
      ...valid,
      poolFundId: empty.id,
      ratio: '10.5',
      totalCap: '-',
    });
    expect(checked.status).toBe(400); // "-" is a typo: the form's own check comes first
    const rules = await finance.post(`${page}/matching-rule?lang=en`, {
      ...valid,
      poolFundId: empty.id,
      ratio: '10.5',
      startsAt: '2025-12-31T08:00',
      endsAt: '2100-01-01T00:00',
    });
    expect(rules.status).toBe(422);
    expect(fieldError(rules.text, 'm-poolFundId')).toMatch(/has no money in it/);
    expect(fieldError(rules.text, 'm-ratio')).toMatch(/from 1:0.0001 to 1:10/);
    expect(fieldError(rules.text, 'm-startsAt')).toMatch(/cannot start before the campaign/);
    expect(fieldError(rules.text, 'm-endsAt')).toMatch(/cannot end after the campaign/);
    const order = await finance.post(`${page}/matching-rule?lang=zh-CN`, {
      ...valid,
      mode: 'RANDOM',
      randomMin: '5.00',
      randomMax: '1.00',
      endsAt: '2026-09-01T00:00',
    });
    expect(order.status).toBe(422);
    expect(fieldError(order.text, 'm-randomMax')).toBe('随机配捐的最大金额不能小于最小金额。');
    expect(fieldError(order.text, 'm-endsAt')).toBe('配捐结束时间必须晚于开始时间。');
    expect(await t.get(MatchingService).getRule(campaign.id)).toBeNull();

    // Saved: amounts in minor units, Beijing times as instants; a double submit changes nothing.
    const saved = await finance.post(`${page}/matching-rule?lang=en`, valid);
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(page);
    expect((await finance.post(`${page}/matching-rule?lang=en`, valid)).status).toBe(303);
    expect(await t.get(MatchingService).getRule(campaign.id)).toMatchObject({
      poolFundId: pool.id,
      mode: 'RATIO',
      ratioBp: 10_000,
      minGiftMinor: 1_000,
      capPerGiftMinor: 50_000,
      capPerDonorDayMinor: 100_000,
      totalCapMinor: null,
      startsAt: new Date('2026-09-06T16:00:00Z'),
      endsAt: new Date('2026-09-09T15:59:00Z'),
      matchFeeCover: false,
      active: true,
    });
    expect(await audit(campaign.id)).toEqual(['matching.rule_created']);
    const shown = await finance.agent.get(`${page}?lang=en`).expect(200);
    expect(shown.text).toContain('The matching rule had no changes.');
    expect(shown.text).toMatch(/id="matching-status">Matching</);
    expect(shown.text).toMatch(/id="matching-mode">Ratio 1:1</);
    expect(shown.text).toContain('Up to ¥500.00 per gift.');
    expect(shown.text).toContain('from 2026-09-07 00:00');

    // The edit form shows it as saved; half the ratio and the fee cover matched.
    const editForm = await finance.agent.get(`${page}/matching-rule?lang=en`).expect(200);
    expect(editForm.text).toContain('name="capPerGift" type="text" value="500.00"');
    expect(editForm.text).toContain('name="endsAt" type="datetime-local" value="2026-09-09T23:59"');
    const edited = await finance.post(`${page}/matching-rule?lang=en`, {
      ...valid,
      ratio: '0.5',
      matchFeeCover: 'on',
    });
    expect(edited.status).toBe(303);
    expect(await t.get(MatchingService).getRule(campaign.id)).toMatchObject({
      ratioBp: 5_000,
      matchFeeCover: true,
    });

    expect((await finance.post(`${page}/matching-rule/pause`, {})).status).toBe(303);
    const paused = await finance.agent.get(`${page}?lang=en`).expect(200);
    expect(paused.text).toMatch(/id="matching-status">Paused</);
    expect(paused.text).toContain('id="matching-resume"');
    expect(paused.text).not.toContain('id="matching-pause"');
    expect((await finance.post(`${page}/matching-rule/resume`, {})).status).toBe(303);

    // Ending needs the box ticked.
    expect((await finance.post(`${page}/matching-rule/end`, {})).status).toBe(303);
    const unconfirmed = await finance.agent.get(`${page}?lang=en`).expect(200);
    expect(unconfirmed.text).toContain('Tick the box to confirm before ending matching.');
    expect(unconfirmed.text).toMatch(/id="matching-status">Matching</);
    expect((await finance.post(`${page}/matching-rule/end`, { confirm: 'yes' })).status).toBe(303);
    const ended = await finance.agent.get(`${page}?lang=en`).expect(200);
    expect(ended.text).toMatch(/id="matching-status">Ended · \d{4}-\d{2}-\d{2} \d{2}:\d{2}</);
    expect(ended.text).not.toContain('id="matching-edit"');
    expect(ended.text).not.toContain('id="matching-end"');
    await finance.agent.get(`${page}/matching-rule`).expect(303);
    const late = await finance.post(`${page}/matching-rule?lang=en`, valid);
    expect(late.status).toBe(409);
    expect(late.text).toMatch(/has ended/);
    expect(await audit(campaign.id)).toEqual([
      'matching.rule_created',
      'matching.rule_changed',
      'matching.rule_paused',
      'matching.rule_resumed',
      'matching.rule_ended',
    ]);

    // Forged posts (no CSRF token) change nothing.
    const other = await createCampaign(t);
    await t.get(MatchingService).setRule(other.id, buildMatchingRule(pool.id));
    const forged = await finance.post(
      `/admin/campaigns/${other.id}/matching-rule/pause`,
      {},
      { withCsrf: false },
    );
    expect(forged.status).toBe(403);
    expect(await t.get(MatchingService).getRule(other.id)).toMatchObject({ active: true });
  });

  it('shows a community leader their campaign’s rule, read only', async () => {
    const pool = await createFund(t, { kind: 'MATCHING' });
    await fundFromOutside(t, pool, 50_000);
    const fund = await createFund(t, { kind: 'PROGRAM' });
    const campaign = await createCampaign(t, { fundId: fund.id });
    const finance = await signedIn(['FINANCE']);
    const page = `/admin/campaigns/${campaign.id}`;
    await finance
      .post(`${page}/matching-rule?lang=en`, {
        poolFundId: pool.id,
        mode: 'RANDOM',
        randomMin: '1.00',
        randomMax: '3.00',
      })
      .then((res) => expect(res.status).toBe(303));

    const leader = await signedIn(['COMMUNITY_LEADER'], [fund.id]);
    const seen = await leader.agent.get(`${page}?lang=en`).expect(200);
    expect(seen.text).toMatch(/id="matching-mode">Random ¥1.00–¥3.00</);
    expect(seen.text).not.toContain('id="matching-edit"');
    expect(seen.text).not.toContain('id="matching-pause"');
    expect(seen.text).not.toContain('id="matching-end"');
    expect((await leader.agent.get(`${page}/matching-rule`)).status).toBe(403);
    for (const path of ['', '/pause', '/resume', '/end'])
      expect((await leader.post(`${page}/matching-rule${path}`, { confirm: 'yes' })).status).toBe(
        403,
      );
    expect(await t.get(MatchingService).getRule(campaign.id)).toMatchObject({
      mode: 'RANDOM',
      active: true,
    });

    // Another fund's leader sees the campaign page without the rule.
    const stranger = await signedIn(['COMMUNITY_LEADER'], [(await createFund(t)).id]);
    const elsewhere = await stranger.agent.get(`${page}?lang=en`);
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.text).not.toContain('id="matching-facts"');
    // The public page still promises the match (rules are public on the campaign page).
    const visitor = await request(t.server).get(`/campaigns/${campaign.slug}?lang=en`).expect(200);
    expect(visitor.text).toContain('id="matching-active"');
    expect((await t.get(FundsService).get(pool.id)).balanceMinor).toBe(50_000);
  });
});
