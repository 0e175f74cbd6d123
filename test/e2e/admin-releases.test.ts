import { FundsService, type FundView } from '../../src/modules/funds/funds.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import {
  createFoundation,
  createFund,
  fundFromOutside,
  generalFund,
} from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

/** Releases of restricted money in the back office: the rule on the allocation form, the pages. */
describe('back office: releases', () => {
  let t: TestApp;
  let finance: ReturnType<typeof formSession>;
  let admin: ReturnType<typeof formSession>;
  let general: FundView;
  let community: FundView;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    general = await generalFund(t);
    community = await createFund(t, { kind: 'COMMUNITY', nameEn: 'Taoyuan Fund' });
    await fundFromOutside(t, community, 50_000);
    for (const [roles, set] of [
      [['FINANCE'], (s: ReturnType<typeof formSession>) => (finance = s)],
      [['ADMIN'], (s: ReturnType<typeof formSession>) => (admin = s)],
    ] as const) {
      const user = await createUser(t, [...roles]);
      const session = formSession(t.server);
      const res = await session.signIn(user.email, TEST_PASSWORD);
      if (res.status !== 303) throw new Error(`sign-in answered ${res.status}`);
      set(session);
    }
  });
  afterAll(() => t.close());

  const balance = async (fund: { id: string }) =>
    (await t.get(FundsService).get(fund.id)).balanceMinor;
  const fieldError = (html: string, id: string) =>
    new RegExp(`id="e-${id}">([^<]*)<`).exec(html)?.[1];
  const pendingIds = async () =>
    (
      await t.dataSource.query(
        `SELECT id FROM fund_releases WHERE status = 'PENDING' ORDER BY requested_at`,
      )
    ).map((r: { id: string }) => r.id) as string[];

  it('refuses community → general on the allocation form with the rule beside the source fund', async () => {
    const before = [await balance(community), await balance(general)];
    const res = await finance.post('/admin/allocations?lang=en', {
      fromFundId: community.id,
      toFundId: general.id,
      amount: '10.00',
      requestKey: 'restricted-back-1',
    });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 't-from')).toMatch(
      /money given to a restricted fund leaves it only for its purpose or through a release approved by ADMIN and FINANCE/,
    );
    const zh = await finance.post('/admin/allocations?lang=zh-CN', {
      fromFundId: community.id,
      toFundId: general.id,
      amount: '10.00',
      requestKey: 'restricted-back-2',
    });
    expect(fieldError(zh.text, 't-from')).toMatch(/限定基金.*不能直接拨出/);
    expect([await balance(community), await balance(general)]).toEqual(before);
  });

  it('asks for a release by form, refuses the requester, and posts it once the other role confirms', async () => {
    const before = [await balance(community), await balance(general)];
    const page = await finance.agent.get('/admin/releases?lang=en').expect(200);
    expect(page.text).toContain('href="/admin/releases" aria-current="page"');
    expect(page.text).toContain('No release is waiting for approval.');

    const form = {
      fromFundId: community.id,
      toFundId: general.id,
      amount: '120.00',
      reason: '',
      requestKey: 'release-form-0001',
    };
    const noReason = await finance.post('/admin/releases?lang=en', form);
    expect(noReason.status).toBe(400);
    expect(fieldError(noReason.text, 'r-reason')).toBe('Give a reason (1 to 1000 characters).');
    expect(await pendingIds()).toEqual([]);

    const withReason = { ...form, reason: 'The board moved the surplus to the general fund' };
    const sent = await finance.post('/admin/releases?lang=en', withReason);
    expect(sent.status).toBe(303);
    expect((await finance.post('/admin/releases?lang=en', withReason)).status).toBe(303);
    const [id] = await pendingIds();
    expect(await pendingIds()).toHaveLength(1);

    const own = await finance.agent.get('/admin/releases?lang=en').expect(200);
    expect(own.text).toContain('This request was already sent; nothing was recorded twice.');
    const card = new RegExp(`id="release-${id}"[\\s\\S]*?</article>`).exec(own.text)?.[0] ?? '';
    expect(card).toContain('¥120.00');
    expect(card).toContain('The board moved the surplus to the general fund');
    expect(card).toContain(
      'You asked for this release: a colleague of the other role must approve it.',
    );
    expect(card).not.toContain(`/admin/releases/${id}/approve`);

    // Posted by hand anyway: the service refuses the requester.
    const self = await finance.post(`/admin/releases/${id}/approve?lang=en`, { confirm: 'yes' });
    expect(self.status).toBe(403);
    expect(self.text).toMatch(/a second person \(of the other role\) must approve it/);
    expect([await balance(community), await balance(general)]).toEqual(before);

    const adminPage = await admin.agent.get('/admin/releases?lang=zh-CN').expect(200);
    expect(adminPage.text).toContain(`action="/admin/releases/${id}/approve"`);
    expect(adminPage.text).toContain('申请时间（北京时间）');
    const unconfirmed = await admin.post(`/admin/releases/${id}/approve?lang=en`, {});
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('Tick the box to confirm first.');
    const forged = await admin.post(
      `/admin/releases/${id}/approve`,
      { confirm: 'yes' },
      { withCsrf: false },
    );
    expect(forged.status).toBe(403);
    expect([await balance(community), await balance(general)]).toEqual(before);

    const approved = await admin.post(`/admin/releases/${id}/approve?lang=en`, { confirm: 'yes' });
    expect({ status: approved.status, location: approved.headers.location }).toEqual({
      status: 303,
      location: '/admin/releases',
    });
    expect([await balance(community), await balance(general)]).toEqual([
      before[0]! - 12_000,
      before[1]! + 12_000,
    ]);
    const after = await admin.agent.get('/admin/releases?lang=en').expect(200);
    expect(after.text).toContain('Approved and posted: ¥120.00.');
    expect(after.text).toContain('No release is waiting for approval.');
    // The flash is shown once; the fund's statement names the entry in words.
    const statement = await admin.agent.get(`/admin/funds/${community.id}?lang=en`).expect(200);
    expect(statement.text).toContain('Release of restricted money');
    expect(
      (await admin.post(`/admin/releases/${id}/approve?lang=en`, { confirm: 'yes' })).status,
    ).toBe(409);
  });

  it('rejects a release by form, with a note, and moves nothing', async () => {
    const before = [await balance(community), await balance(general)];
    await admin.post('/admin/releases?lang=en', {
      fromFundId: community.id,
      toFundId: general.id,
      amount: '5.00',
      reason: 'Asked by mistake',
      requestKey: 'release-form-0002',
    });
    const [id] = await pendingIds();
    const rejected = await finance.post(`/admin/releases/${id}/reject?lang=en`, {
      confirm: 'yes',
      note: 'Not needed',
    });
    expect(rejected.status).toBe(303);
    expect(await pendingIds()).toEqual([]);
    const page = await finance.agent.get('/admin/releases?lang=en').expect(200);
    expect(page.text).toContain('Release of ¥5.00 rejected; nothing moved.');
    expect(page.text).toContain('Not needed');
    expect([await balance(community), await balance(general)]).toEqual(before);
  });

  it('is not for a community leader', async () => {
    const leader = await createUser(t, ['COMMUNITY_LEADER'], { fundIds: [community.id] });
    const session = formSession(t.server);
    expect((await session.signIn(leader.email, TEST_PASSWORD)).status).toBe(303);
    expect((await session.agent.get('/admin/releases')).status).toBe(403);
    const home = await session.agent.get('/admin/my-funds');
    expect(home.text).not.toContain('href="/admin/releases"');
  });
});
