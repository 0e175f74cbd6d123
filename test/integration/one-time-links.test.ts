import request from 'supertest';
import { hashSecret } from '../../src/common/secrets';
import { OfflineGiftsService } from '../../src/modules/donations/offline-gifts.service';
import { createCampaign } from '../factories/campaigns.factory';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createFoundation } from '../factories/foundation.factory';
import { cookieFrom, formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

/** Password reset, invitations and donors' magic links, from the email's link to the session. */
describe('one-time links', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
  });
  afterAll(() => t.close());

  /** The link in the newest queued email of this template to this address. */
  async function linkSentTo(to: string, template: string): Promise<URL | undefined> {
    const rows: { url: string }[] = await t.dataSource.query(
      `SELECT payload->'data'->>'url' AS url FROM outbox
       WHERE payload->>'template' = $1 AND payload->>'to' = $2 ORDER BY created_at DESC LIMIT 1`,
      [template, to],
    );
    return rows[0] ? new URL(rows[0].url) : undefined;
  }

  const pathOf = (url: URL) => `${url.pathname}${url.search}`;

  it('resets a password once, ends the old sessions, and says the same for unknown addresses', async () => {
    const user = await createUser(t, ['FINANCE']);
    const oldBrowser = formSession(t.server);
    const oldSession = cookieFrom(await oldBrowser.signIn(user.email, TEST_PASSWORD), 'lx_session');

    const browser = formSession(t.server);
    const asked = await browser.post('/password/forgot', { email: user.email.toUpperCase() });
    expect(asked.status).toBe(200);
    const unknown = await browser.post('/password/forgot', { email: 'nobody@example.org' });
    expect(unknown.text.replace(/value="[^"]*"/g, '')).toBe(
      asked.text.replace(/value="[^"]*"/g, ''),
    );
    expect(await linkSentTo('nobody@example.org', 'password-reset')).toBeUndefined();

    const link = (await linkSentTo(user.email, 'password-reset'))!;
    expect(link.pathname).toBe('/password/reset');
    const token = link.searchParams.get('token')!;
    const form = await browser.agent.get(pathOf(link)).expect(200);
    expect(form.text).toContain(`value="${token}"`);

    const mismatch = await browser.post('/password/reset', {
      token,
      password: 'a brand new secret',
      passwordConfirm: 'something else',
    });
    expect(mismatch.status).toBe(400);
    // The page speaks the visitor's language: Chinese by default.
    expect(mismatch.text).toContain('两次输入的密码不一致。');
    const short = await browser.post('/password/reset', {
      token,
      password: 'short',
      passwordConfirm: 'short',
    });
    expect(short.status).toBe(400);
    expect(short.text).toContain('密码须为 10 到 200 个字符。');

    const done = await browser.post('/password/reset', {
      token,
      password: 'a brand new secret',
      passwordConfirm: 'a brand new secret',
    });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/login');
    expect(
      await t.dataSource.query(`SELECT 1 FROM sessions WHERE id = $1`, [hashSecret(oldSession!)]),
    ).toEqual([]);

    const again = await browser.post('/password/reset', {
      token,
      password: 'yet another secret',
      passwordConfirm: 'yet another secret',
    });
    expect(again.status).toBe(400);
    expect(again.text).toContain('链接已过期或已经用过，请重新获取。');
    expect(again.text).not.toContain('This link has expired');
    expect((await formSession(t.server).signIn(user.email, TEST_PASSWORD)).status).toBe(401);
    expect((await formSession(t.server).signIn(user.email, 'a brand new secret')).status).toBe(303);
  });

  it('turns an invitation into an active, signed-in account with the invited roles', async () => {
    const admin = await createUser(t, ['ADMIN']);
    const invited = await request(t.server)
      .post('/api/v1/users/invitations')
      .set(admin.auth)
      .send({
        email: 'New.Reviewer@Example.org',
        name: '新评审',
        roles: ['REVIEWER'],
        locale: 'zh-CN',
      })
      .expect(201);
    expect(invited.body).toMatchObject({
      email: 'new.reviewer@example.org',
      status: 'INVITED',
      roles: ['REVIEWER'],
    });
    expect(
      (await formSession(t.server).signIn('new.reviewer@example.org', 'whatever it is')).status,
    ).toBe(401);

    const link = (await linkSentTo('new.reviewer@example.org', 'user-invite'))!;
    const browser = formSession(t.server);
    await browser.agent.get(pathOf(link)).expect(200);
    const token = link.searchParams.get('token')!;
    const accepted = await browser.post('/invite/accept', {
      token,
      password: 'my own good password',
      passwordConfirm: 'my own good password',
    });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.location).toBe('/admin');
    const session = cookieFrom(accepted, 'lx_session');
    const [row] = await t.dataSource.query(
      `SELECT user_id AS "userId" FROM sessions WHERE id = $1`,
      [hashSecret(session!)],
    );
    expect(row.userId).toBe(invited.body.id);
    const me = await request(t.server)
      .get(`/api/v1/users/${invited.body.id}`)
      .set(admin.auth)
      .expect(200);
    expect(me.body.status).toBe('ACTIVE');

    const reuse = await formSession(t.server).post('/invite/accept', {
      token,
      password: 'my own good password',
      passwordConfirm: 'my own good password',
    });
    expect(reuse.status).toBe(400);
  });

  it('signs a donor in by magic link, once, into the donor portal only', async () => {
    const browser = formSession(t.server);
    const asked = await browser.post('/donor/login', { email: 'Donor@Example.org' });
    expect(asked.status).toBe(200);
    const link = (await linkSentTo('donor@example.org', 'donor-magic-link'))!;
    expect(link.pathname).toBe('/donor/verify');

    const before = await browser.agent.get('/donor');
    expect(before.status).toBe(303);
    expect(before.headers.location).toBe('/donor/login?next=%2Fdonor');

    // Opening the link (as a mail scanner would) uses nothing up; the page's button does.
    const page = await browser.agent.get(pathOf(link)).expect(200);
    expect(page.text).toContain('action="/donor/verify"');
    const token = link.searchParams.get('token')!;
    const verified = await browser.post('/donor/verify', { token });
    expect(verified.status).toBe(303);
    expect(verified.headers.location).toBe('/donor');
    const portal = await browser.agent.get('/donor').expect(200);
    expect(portal.text).toContain('donor@example.org');
    expect(portal.text).toContain('暂无捐赠记录。');

    // A gift in the donor's name shows up in the portal, with its campaign.
    const campaign = await createCampaign(t);
    await t.get(OfflineGiftsService).record({
      campaignSlug: campaign.slug,
      amountMinor: 8_800,
      donorName: '捐赠人',
      donorEmail: 'donor@example.org',
      method: 'BANK',
      reference: 'PORTAL-1',
    });
    const withGift = await browser.agent.get('/donor?lang=en').expect(200);
    expect(withGift.text).toContain(campaign.titleEn);
    expect(withGift.text).toContain('¥88.00');
    // A donor session opens no staff page.
    expect((await browser.agent.get('/admin')).status).toBe(303);

    const reuse = await formSession(t.server).post('/donor/verify', { token });
    expect(reuse.status).toBe(400);
    expect(reuse.text).toContain('链接已过期或已经用过');
  });
});
