import request from 'supertest';
import { PrivacySettingsService } from '../../src/modules/privacy/policy/privacy-settings.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createCommunity, createFoundation } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

/** The public privacy page and its back-office editor (ADMIN only). */
describe('the privacy policy page and its editor', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof createUser>>;
  let browser: ReturnType<typeof formSession>;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    admin = await createUser(t, ['ADMIN']);
    browser = formSession(t.server);
    await browser.signIn(admin.email, TEST_PASSWORD);
  });
  afterAll(() => t.close());

  const versions = async () =>
    (await t.dataSource.query(`SELECT count(*)::int AS n FROM privacy_policies`))[0].n as number;

  it('shows the current policy in the reader’s language, its version and date, and the periods', async () => {
    const zh = await request(t.server).get('/privacy?lang=zh-CN').expect(200);
    expect(zh.text).toContain('<h2>个人信息保护政策</h2>');
    expect(zh.text).toMatch(/id="policy-version">第 1 版，发布于 \d{4}年\d{1,2}月\d{1,2}日/);
    expect(zh.text).toMatch(
      /id="period-donorContactYears"><th scope="row">捐赠人联系方式（最后一次捐赠后保存年数）<\/th><td class="num">5</,
    );
    const en = await request(t.server).get('/privacy?lang=en').expect(200);
    expect(en.text).toContain('<h2>Privacy policy</h2>');
    expect(en.text).toMatch(/id="policy-version">Version 1, published /);
    expect(en.text).toMatch(
      /id="period-paymentPayloadDays"><th scope="row">Payment notifications \(days after settlement\)<\/th><td class="num">180</,
    );
    // Linked from every public page's footer.
    const home = await request(t.server).get('/?lang=en').expect(200);
    expect(home.text).toContain('<a href="/privacy?lang=en" id="privacy-link">Privacy</a>');

    const settings = t.get(PrivacySettingsService);
    const { updatedAt: _a, updatedBy: _b, ...periods } = await settings.get();
    await settings.save({ ...periods, donorContactYears: 9 }, null);
    try {
      const changed = await request(t.server).get('/privacy?lang=en').expect(200);
      expect(changed.text).toMatch(
        /id="period-donorContactYears"><th scope="row">[^<]*<\/th><td class="num">9</,
      );
    } finally {
      await settings.save(periods, null);
    }
  });

  it('only ADMIN reaches the editor: other staff are refused, visitors sent to sign in', async () => {
    const signedOut = await request(t.server).get('/admin/privacy');
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.location).toMatch(/^\/login\?next=/);
    const community = await createCommunity(t);
    const people: [Parameters<typeof createUser>[1], Parameters<typeof createUser>[2]][] = [
      [['FINANCE'], {}],
      [['GRANTS_OFFICER'], {}],
      [['COMMUNITY_LEADER'], { communityIds: [community.id] }],
    ];
    for (const [roles, scope] of people) {
      const user = await createUser(t, roles, scope);
      const staff = formSession(t.server);
      expect((await staff.signIn(user.email, TEST_PASSWORD)).status).toBe(303);
      expect((await staff.agent.get('/admin/privacy')).status).toBe(403);
      const posted = await staff.post('/admin/privacy/policy', { bodyZh: '中', bodyEn: 'en' });
      expect(posted.status).toBe(403);
      const saved = await staff.post('/admin/privacy/settings', { linkDays: '3' });
      expect(saved.status).toBe(403);
    }
    expect(await versions()).toBe(1);
    const page = await browser.agent.get('/admin/privacy?lang=en').expect(200);
    expect(page.text).toContain('href="/admin/privacy"');
    expect(page.text).toContain('id="policy-form"');
    expect(page.text).toContain('id="periods-form"');
    expect(page.text).toContain('id="policy-version-1"');
    // The textareas start from the policy in force.
    expect(page.text).toContain('# Privacy policy');
  });

  it('publishes a version only after confirmation, audited; refuses an empty language beside its field', async () => {
    const empty = await browser.post('/admin/privacy/policy?lang=en', {
      bodyZh: '# 政策',
      bodyEn: '   ',
    });
    expect(empty.status).toBe(400);
    expect(empty.text).toMatch(/id="e-p-bodyEn">Write the policy in both Chinese and English/);
    expect(empty.text).not.toContain('id="e-p-bodyZh"');
    const long = await browser.post('/admin/privacy/policy?lang=zh-CN', {
      bodyZh: '长'.repeat(20_001),
      bodyEn: 'ok',
    });
    expect(long.status).toBe(400);
    expect(long.text).toMatch(/id="e-p-bodyZh">中文政策过长：最多 20,?000 个字符/);
    expect(await versions()).toBe(1);

    const hostile = [
      '# 新政策',
      '',
      '<script>alert(1)</script> [点我](javascript:alert(2)) <img src=x onerror=alert(3)>',
      '',
      '[官网](https://example.org/privacy)',
    ].join('\n');
    const fields = { bodyZh: hostile, bodyEn: '# Policy v2\n\n<script>alert(4)</script>' };
    const confirmPage = await browser.post('/admin/privacy/policy?lang=zh-CN', fields);
    expect(confirmPage.status).toBe(200);
    expect(confirmPage.text).toContain('id="confirm-form"');
    expect(confirmPage.text).toContain('确认发布第 2 版政策');
    expect(await versions()).toBe(1);

    const done = await browser.postConfirmed('/admin/privacy/policy?lang=zh-CN', fields);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/admin/privacy');
    expect(await versions()).toBe(2);
    const [audit] = await t.dataSource.query(
      `SELECT actor_user_id AS "actorUserId", entity_type AS "entityType", entity_id AS "entityId"
         FROM audit_log WHERE action = 'privacy.policy_published'`,
    );
    expect(audit).toEqual({ actorUserId: admin.id, entityType: 'privacy_policy', entityId: '2' });

    const zh = await request(t.server).get('/privacy?lang=zh-CN').expect(200);
    expect(zh.text).toContain('第 2 版');
    expect(zh.text).not.toContain('<script>alert');
    expect(zh.text).not.toContain('javascript:');
    expect(zh.text).not.toContain('<img');
    expect(zh.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(zh.text).toContain('<a href="https://example.org/privacy"');
    const en = await request(t.server).get('/privacy?lang=en').expect(200);
    expect(en.text).toContain('<h2>Policy v2</h2>');
    expect(en.text).toContain('&lt;script&gt;alert(4)&lt;/script&gt;');
    const editor = await browser.agent.get('/admin/privacy').expect(200);
    expect(editor.text).toContain('id="policy-version-2"');
    expect(editor.text).not.toContain('<script>alert');
  });

  it('saves the periods with each problem beside its field, audited', async () => {
    const settings = t.get(PrivacySettingsService);
    const { updatedAt: _a, updatedBy: _b, ...periods } = await settings.get();
    const asText = Object.fromEntries(Object.entries(periods).map(([k, v]) => [k, String(v)]));
    const bad = await browser.post('/admin/privacy/settings?lang=en', {
      ...asText,
      paymentPayloadDays: '10',
      donorContactYears: 'five',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(
      /id="e-s-paymentPayloadDays">Payment notifications \(days after settlement\): give a whole number from 30 to 3,?650\./,
    );
    expect(bad.text).toMatch(/id="e-s-donorContactYears">[^<]*from 1 to 30\./);
    expect(bad.text).toContain('value="five"');
    expect((await settings.get()).paymentPayloadDays).toBe(periods.paymentPayloadDays);

    const good = await browser.post('/admin/privacy/settings', { ...asText, emailBodyDays: '60' });
    expect(good.status).toBe(303);
    expect((await settings.get()).emailBodyDays).toBe(60);
    const [audit] = await t.dataSource.query(
      `SELECT actor_user_id AS "actorUserId", before->>'emailBodyDays' AS before, after->>'emailBodyDays' AS after
         FROM audit_log WHERE action = 'privacy.settings_changed' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit).toEqual({
      actorUserId: admin.id,
      before: String(periods.emailBodyDays),
      after: '60',
    });
  });
});
