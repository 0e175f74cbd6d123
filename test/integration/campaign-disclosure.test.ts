import request from 'supertest';
import { CampaignTotalsService } from '../../src/modules/campaigns/campaign-totals.service';
import { FoundationService } from '../../src/modules/foundation/foundation.service';
import { beijingDay } from '../../src/modules/public-site/campaign-disclosure';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import {
  buildFoundationProfile,
  createFoundation,
  createFund,
} from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

const QUALIFICATION = '测试市民政局 公开募捐资格证书 2019 第 17 号';
const DAY = 86_400_000;

/** What a campaign page discloses (Charity Law), its progress and dates, and where it is set. */
describe('campaign disclosure', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await createFoundation(t, { fundraisingQualification: QUALIFICATION });
  });
  afterAll(() => t.close());

  /** Handlebars escapes '=' and '&' in attributes; browsers read them back: so does this. */
  const attributes = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
  const byId = (html: string, id: string) =>
    new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(?:dd|strong|p|span)>`).exec(html)?.[1]?.trim();
  const gift = (campaignId: string, amountMinor: number, matchedMinor: number, donorKey: string) =>
    t.dataSource.transaction((m) =>
      t
        .get(CampaignTotalsService)
        .recordGift(m, campaignId, { amountMinor, matchedMinor, donorKey }),
    );
  const page = async (slug: string, lang: 'en' | 'zh-CN') =>
    attributes((await request(t.server).get(`/campaigns/${slug}?lang=${lang}`).expect(200)).text);

  it('names the fund, community, organiser, qualification and filing number, with dates and progress', async () => {
    const fund = await createFund(t, { kind: 'COMMUNITY' });
    const subdistrict = await t
      .get(FoundationService)
      .getSubdistrict(fund.community!.subdistrictId);
    const campaign = await createCampaign(t, {
      fundId: fund.id,
      goalMinor: 100_000,
      filingNumber: '  53510100MJ0000000X-2026-001 ',
      endsAt: new Date(Date.now() + 3 * DAY),
    });
    await gift(campaign.id, 30_000, 10_000, 'donor-a');

    const en = await page(campaign.slug, 'en');
    expect(en).toContain(`<a href="/funds/${fund.code}?lang=en">${fund.nameEn}</a>`);
    expect(byId(en, 'd-community')).toBe(`${fund.community!.nameEn}, ${subdistrict.nameEn}`);
    expect(byId(en, 'd-organiser')).toBe(
      'Test District Community Development Foundation<br><span class="muted">Unified social credit code: 53440300TEST00001X',
    );
    expect(byId(en, 'd-qualification')).toBe(QUALIFICATION);
    expect(byId(en, 'd-filing')).toBe('53510100MJ0000000X-2026-001');
    expect(byId(en, 'days-left')).toBe('3 days left');
    expect(byId(en, 'd-period')).toMatch(
      /Ends [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{2}:\d{2} \(Beijing time\)/,
    );
    // Two segments on a 0–100 bar: ¥300 of donations and ¥100 matched of a ¥1,000 goal.
    expect(en).toContain('id="bar-donors" x="0" y="0" width="30"');
    expect(en).toContain('id="bar-matched" x="30" y="0" width="10"');
    expect(byId(en, 'progress-definition')).toBe(
      '40% of the goal of ¥1,000.00. Counted as (donations + matched) ÷ goal.',
    );
    expect(byId(en, 'legend-donors')).toBe('Donations: ¥300.00 from 1 donor');
    expect(byId(en, 'legend-matched')).toBe('Matched by sponsors: ¥100.00');
    expect(en).toContain('<span class="label">donor</span>');

    await gift(campaign.id, 5_000, 0, 'donor-b');
    const en2 = await page(campaign.slug, 'en');
    expect(byId(en2, 'legend-donors')).toBe('Donations: ¥350.00 from 2 donors');
    expect(en2).toContain('<span class="label">donors</span>');
    const zh = await page(campaign.slug, 'zh-CN');
    expect(byId(zh, 'legend-donors')).toBe('捐款：¥350.00，来自 2 位捐赠人');
    expect(byId(zh, 'days-left')).toBe('还剩 3 天');
    expect(byId(zh, 'd-community')).toBe(`${subdistrict.nameZh} ${fund.community!.nameZh}`);
    expect(zh).toContain('测试区社区发展基金会');
    expect(zh).toContain('<dt>募捐方案备案编号</dt>');

    // The home page counts donors with the same plural forms.
    const home = await request(t.server).get('/?lang=en').expect(200);
    expect(home.text).toContain('2 donors');
  });

  it('shows the true percentage past the goal while the bar stays within its width', async () => {
    const campaign = await createCampaign(t, { goalMinor: 10_000 });
    await gift(campaign.id, 9_000, 3_500, 'donor-over');
    const en = await page(campaign.slug, 'en');
    expect(en).toContain('id="bar-donors" x="0" y="0" width="90"');
    expect(en).toContain('id="bar-matched" x="90" y="0" width="10"');
    expect(byId(en, 'progress-definition')).toMatch(
      /^125% of the goal of ¥100\.00\. .*The goal is passed/,
    );
  });

  it('says "not provided" for an unset qualification and filing number, and "last day" and "ended"', async () => {
    await t
      .get(FoundationService)
      .saveProfile(buildFoundationProfile({ fundraisingQualification: '' }));
    // Ends at the next Beijing midnight: today (in Beijing) is its last day.
    const endsAt = new Date((beijingDay(new Date()) + 1) * DAY - 8 * 3_600_000);
    const lastDay = await createCampaign(t, { endsAt });
    const en = await page(lastDay.slug, 'en');
    expect(byId(en, 'd-qualification')).toBe('<span class="muted">not provided');
    expect(byId(en, 'd-filing')).toBe('<span class="muted">not provided');
    expect(byId(en, 'days-left')).toBe('Last day');
    const zh = await page(lastDay.slug, 'zh-CN');
    expect(byId(zh, 'd-filing')).toBe('<span class="muted">未填写');
    expect(byId(zh, 'days-left')).toBe('最后一天');

    const ended = await createCampaign(t, { status: 'ENDED' });
    expect(byId(await page(ended.slug, 'en'), 'days-left')).toBe('Ended');
    expect(byId(await page(ended.slug, 'zh-CN'), 'days-left')).toBe('已结束');
    await t
      .get(FoundationService)
      .saveProfile(buildFoundationProfile({ fundraisingQualification: QUALIFICATION }));
  });

  it('sets the filing number through the API and the back-office form, refusing a bad one with a message', async () => {
    const admin = await createUser(t, ['ADMIN']);
    const fund = await createFund(t, { kind: 'PROGRAM' });
    const created = await request(t.server)
      .post('/api/v1/campaigns')
      .set(admin.auth)
      .send({
        fundId: fund.id,
        slug: 'filed-plan',
        titleZh: '备案',
        titleEn: 'Filed',
        filingNumber: ' BA-2026-7 ',
      })
      .expect(201);
    expect(created.body.filingNumber).toBe('BA-2026-7');
    const bad = await request(t.server)
      .patch(`/api/v1/campaigns/${created.body.id}`)
      .set(admin.auth)
      .send({ filingNumber: 'BA\n2026' })
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain(
      'filingNumber must be at most 100 printable characters',
    );
    await request(t.server)
      .patch(`/api/v1/campaigns/${created.body.id}`)
      .set(admin.auth)
      .send({ filingNumber: 'x'.repeat(101) })
      .expect(400);

    const session = formSession(t.server);
    expect((await session.signIn(admin.email, TEST_PASSWORD)).status).toBe(303);
    const edit = await session.agent.get(`/admin/campaigns/${created.body.id}?lang=en`).expect(200);
    expect(edit.text).toContain('value="BA-2026-7"');
    const form = {
      slug: 'filed-plan',
      titleZh: '备案',
      titleEn: 'Filed',
      minAmount: '1.00',
      filingNumber: 'y'.repeat(101),
    };
    const refused = await session.post(`/admin/campaigns/${created.body.id}?lang=en`, form);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain(
      'id="e-c-filingNumber">The filing number may have at most 100 characters, and no control characters.',
    );
    const saved = await session.post(`/admin/campaigns/${created.body.id}?lang=en`, {
      ...form,
      filingNumber: '民政备 2026-08',
    });
    expect(saved.status).toBe(303);
    const [row] = await t.dataSource.query('SELECT filing_number FROM campaigns WHERE id = $1', [
      created.body.id,
    ]);
    expect(row.filing_number).toBe('民政备 2026-08');
    // Emptied, it is cleared (and the page says "not provided" again).
    expect(
      (
        await session.post(`/admin/campaigns/${created.body.id}?lang=en`, {
          ...form,
          filingNumber: '',
        })
      ).status,
    ).toBe(303);
    const [cleared] = await t.dataSource.query(
      'SELECT filing_number FROM campaigns WHERE id = $1',
      [created.body.id],
    );
    expect(cleared.filing_number).toBe('');
  });

  it('/admin/foundation saves the profile for ADMIN (audited) and refuses FINANCE', async () => {
    const finance = formSession(t.server);
    const fin = await createUser(t, ['FINANCE']);
    expect((await finance.signIn(fin.email, TEST_PASSWORD)).status).toBe(303);
    expect((await finance.agent.get('/admin/foundation')).status).toBe(403);
    expect((await finance.post('/admin/foundation', { legalNameZh: 'x' })).status).toBe(403);

    const admin = await createUser(t, ['ADMIN']);
    const session = formSession(t.server);
    expect((await session.signIn(admin.email, TEST_PASSWORD)).status).toBe(303);
    const shown = await session.agent.get('/admin/foundation?lang=en').expect(200);
    expect(shown.text).toContain('href="/admin/foundation"');
    expect(shown.text).toContain(`value="${QUALIFICATION}"`);
    const fields = {
      legalNameZh: '新区社区发展基金会',
      legalNameEn: 'New District Community Development Foundation',
      registrationNumber: '53440300NEW000001X',
      fundraisingQualification: '新市民政局 公开募捐资格 第 9 号',
    };
    const bad = await session.post('/admin/foundation?lang=en', { ...fields, legalNameEn: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="e-f-legalNameEn">Enter the name, at most 200 characters.');
    const ok = await session.post('/admin/foundation?lang=en', fields);
    expect(ok.status).toBe(303);
    const profile = await t.get(FoundationService).getProfile();
    expect(profile).toMatchObject({ ...fields, currency: 'CNY', receiptPrefix: 'T' });
    const [audit] = await t.dataSource.query(
      `SELECT action, actor_user_id AS "actor", after->>'fundraisingQualification' AS "qualification"
         FROM audit_log WHERE entity_type = 'foundation' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit).toEqual({
      action: 'foundation.settings_changed',
      actor: admin.id,
      qualification: fields.fundraisingQualification,
    });
    const campaign = await createCampaign(t);
    expect(byId(await page(campaign.slug, 'en'), 'd-qualification')).toBe(
      fields.fundraisingQualification,
    );
  });

  it('escapes a title with <script> in the OpenGraph tags and the page', async () => {
    const campaign = await createCampaign(t, {
      titleEn: '<script>alert(1)</script> "quoted"',
      storyEn: 'Help <script>alert(2)</script> **now**',
    });
    const en = (await request(t.server).get(`/campaigns/${campaign.slug}?lang=en`).expect(200))
      .text;
    expect(en).not.toContain('<script>');
    expect(en).toContain(
      '<meta property="og:title" content="&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot;">',
    );
    expect(en).toMatch(/<meta property="og:description" content="Help alert\(2\) now">/);
  });
});
