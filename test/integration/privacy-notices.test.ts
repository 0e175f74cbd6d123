import request from 'supertest';
import { PrivacyPolicyService } from '../../src/modules/privacy/policy/privacy-policy.service';
import { PrivacySettingsService } from '../../src/modules/privacy/policy/privacy-settings.service';
import { createUser } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { createCompletedProject } from '../factories/grants-evaluation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * The notices at the four points of collection (donation form, receipt tax fields, donor sign-in,
 * resident evaluation) and the consent each collection records, stamped with the policy version.
 */
describe('privacy notices at collection and the consents they record', () => {
  let t: TestApp;
  let slug: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    slug = (await createCampaign(t)).slug;
  });
  afterAll(() => t.close());

  /** The text of one notice on a page (tags dropped, entities of the test's words kept). */
  const notice = (html: string, kind: string) => {
    const m = new RegExp(
      `<aside class="privacy-notice[^"]*" id="privacy-notice-${kind}"[\\s\\S]*?</aside>`,
    ).exec(html);
    return m ? m[0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ') : null;
  };
  const consents = (subject: string) =>
    t.dataSource.query<
      { purpose: string; policyVersion: number; locale: string; donationId: string | null }[]
    >(
      `SELECT purpose, policy_version AS "policyVersion", locale, donation_id AS "donationId"
         FROM consent_records WHERE subject = $1 ORDER BY created_at, purpose`,
      [subject],
    );
  const policyVersion = async () =>
    (await t.dataSource.query(`SELECT max(version)::int AS v FROM privacy_policies`))[0]
      .v as number;
  const donationsOf = async (email: string) =>
    (
      await t.dataSource.query(`SELECT count(*)::int AS n FROM donations WHERE donor_email = $1`, [
        email,
      ])
    )[0].n as number;

  it('says what, why and how long on all four pages, in Chinese and English, with a link to the policy', async () => {
    const pages: [string, string[]][] = [
      [`/campaigns/${slug}`, ['donation', 'receiptTax']],
      ['/donor/login', ['portalSignIn']],
      ['/evaluate', ['evaluation']],
    ];
    for (const [path, kinds] of pages) {
      const zh = await request(t.server).get(`${path}?lang=zh-CN`).expect(200);
      const en = await request(t.server).get(`${path}?lang=en`).expect(200);
      for (const kind of kinds) {
        const zhText = notice(zh.text, kind);
        const enText = notice(en.text, kind);
        expect({ path, kind, zh: zhText }).toEqual({
          path,
          kind,
          zh: expect.stringContaining('收集什么'),
        });
        expect(zhText).toContain('保存多久');
        expect(zhText).toContain('阅读完整的个人信息保护政策');
        expect(enText).toContain('What we collect');
        expect(enText).toContain('How long we keep it');
        expect(enText).toContain('Read the full privacy policy');
      }
      expect(zh.text).toContain('href="/privacy?lang=zh-CN"');
      expect(en.text).toContain('href="/privacy?lang=en"');
    }
    const form = await request(t.server).get(`/campaigns/${slug}?lang=en`).expect(200);
    expect(notice(form.text, 'donation')).toContain(
      'Contact details: 5 years after your last gift',
    );
    expect(notice(form.text, 'donation')).toContain(
      'Payment notifications: 180 days after settlement',
    );
    expect(notice(form.text, 'receiptTax')).toContain('Only to issue your tax receipt');
    expect(form.text).toContain('name="receiptTaxConsent"');
    expect(form.text).toContain('I agree my address and ID number are used for my receipt');
    const evaluation = await request(t.server).get('/evaluate?lang=zh-CN').expect(200);
    expect(notice(evaluation.text, 'evaluation')).toContain('我们不询问您的姓名');
  });

  it('states the periods as the foundation last set them: change one, the notice changes', async () => {
    const settings = t.get(PrivacySettingsService);
    const { updatedAt: _a, updatedBy: _b, ...periods } = await settings.get();
    const before = await request(t.server).get('/donor/login?lang=zh-CN').expect(200);
    expect(notice(before.text, 'portalSignIn')).toContain(`过期后 ${periods.linkDays} 天删除`);
    await settings.save({ ...periods, linkDays: 12, sessionDays: 45, donorContactYears: 7 }, null);
    try {
      const after = await request(t.server).get('/donor/login?lang=zh-CN').expect(200);
      expect(notice(after.text, 'portalSignIn')).toContain(
        '登录链接过期后 12 天删除；登录会话结束后 45 天删除',
      );
      const form = await request(t.server).get(`/campaigns/${slug}?lang=en`).expect(200);
      expect(notice(form.text, 'donation')).toContain(
        'Contact details: 7 years after your last gift',
      );
      expect(notice(form.text, 'receiptTax')).toContain('7 years after your last gift');
    } finally {
      await settings.save(periods, null);
    }
  });

  it('records DONATION (and RECEIPT_TAX with the tick) in the gift’s transaction, stamped with the policy version', async () => {
    const version = await policyVersion();
    const plain = await request(t.server)
      .post(`/api/v1/campaigns/${slug}/donations`)
      .send({
        amountMinor: 5_000,
        donorName: '王芳',
        donorEmail: 'Wang.Fang@Example.org',
        locale: 'en',
      })
      .expect(201);
    expect(await consents('wang.fang@example.org')).toEqual([
      { purpose: 'DONATION', policyVersion: version, locale: 'en', donationId: plain.body.id },
    ]);

    const taxed = await request(t.server)
      .post(`/api/v1/campaigns/${slug}/donations`)
      .send({
        amountMinor: 5_000,
        donorName: '陈静',
        donorEmail: 'tax-api@example.org',
        receiptTaxId: '11010119900307001X',
        receiptTaxConsent: true,
      })
      .expect(201);
    expect(await consents('tax-api@example.org')).toEqual([
      { purpose: 'DONATION', policyVersion: version, locale: 'zh-CN', donationId: taxed.body.id },
      {
        purpose: 'RECEIPT_TAX',
        policyVersion: version,
        locale: 'zh-CN',
        donationId: taxed.body.id,
      },
    ]);

    // Through the public form, ticked: both consents, in the form's language.
    const browser = formSession(t.server);
    const paid = await browser.post(`/campaigns/${slug}/donate?lang=en`, {
      step: 'pay',
      amount: '50.00',
      donorName: '陈静',
      donorEmail: 'tax-form@example.org',
      receiptAddress: '成都市某路 9 号',
      receiptTaxConsent: 'on',
    });
    expect(paid.status).toBe(303);
    expect((await consents('tax-form@example.org')).map((c) => [c.purpose, c.locale])).toEqual([
      ['DONATION', 'en'],
      ['RECEIPT_TAX', 'en'],
    ]);
  });

  it('refuses tax fields without the tick, in the reader’s language, writing no gift and no consent', async () => {
    const api = await request(t.server)
      .post(`/api/v1/campaigns/${slug}/donations`)
      .set('Accept-Language', 'zh-CN')
      .send({
        amountMinor: 5_000,
        donorName: '陈静',
        donorEmail: 'no-tick@example.org',
        receiptAddress: '北京市某路 1 号',
      })
      .expect(400);
    expect(api.body).toMatchObject({
      statusCode: 400,
      code: 'TAX_CONSENT_REQUIRED',
      details: { field: 'receiptTaxConsent' },
    });
    expect(api.body.message).toContain('请勾选同意将地址与证件号用于开具票据');
    const en = await request(t.server)
      .post(`/api/v1/campaigns/${slug}/donations`)
      .set('Accept-Language', 'en')
      .send({
        amountMinor: 5_000,
        donorName: '陈静',
        donorEmail: 'no-tick@example.org',
        receiptTaxId: '11010119900307001X',
        receiptTaxConsent: false,
      })
      .expect(400);
    expect(en.body.code).toBe('TAX_CONSENT_REQUIRED');
    expect(en.body.message).toContain('tick the box');

    const browser = formSession(t.server);
    for (const step of ['', 'pay']) {
      const form = await browser.post(`/campaigns/${slug}/donate?lang=zh-CN`, {
        ...(step ? { step } : {}),
        amount: '50.00',
        donorName: '陈静',
        donorEmail: 'no-tick@example.org',
        receiptTaxId: '11010119900307001X',
      });
      expect(form.status).toBe(422);
      expect(form.text).toMatch(/id="e-receiptTaxConsent">如需报税票据，请勾选同意/);
      expect(form.text).toMatch(/<details class="tax-receipt" id="tax-receipt" open/);
      expect(form.text).toContain('value="11010119900307001X"');
    }
    expect(await donationsOf('no-tick@example.org')).toBe(0);
    expect(await consents('no-tick@example.org')).toEqual([]);
    // Without tax fields the tick is not asked for.
    await request(t.server)
      .post(`/api/v1/campaigns/${slug}/donations`)
      .send({ amountMinor: 5_000, donorName: '陈静', donorEmail: 'no-tick@example.org' })
      .expect(201);
    expect((await consents('no-tick@example.org')).map((c) => c.purpose)).toEqual(['DONATION']);
  });

  it('records PORTAL_SIGN_IN when the emailed link signs the donor in, not when it is asked for', async () => {
    const browser = formSession(t.server);
    expect(
      (await browser.post('/donor/login?lang=en', { email: 'Portal@Example.org' })).status,
    ).toBe(200);
    expect(await consents('portal@example.org')).toEqual([]);
    const [{ url }] = await t.dataSource.query(
      `SELECT payload->'data'->>'url' AS url FROM outbox
        WHERE payload->>'template' = 'donor-magic-link' AND payload->>'to' = 'portal@example.org'
        ORDER BY created_at DESC LIMIT 1`,
    );
    const token = new URL(url as string).searchParams.get('token')!;
    const signedIn = await browser.post('/donor/verify?lang=en', { token });
    expect(signedIn.status).toBe(303);
    // Minimisation: the session keeps no address or browser (no feature reads them).
    expect(
      await t.dataSource.query(
        `SELECT ip, user_agent AS "userAgent" FROM sessions WHERE donor_email = $1`,
        ['portal@example.org'],
      ),
    ).toEqual([{ ip: null, userAgent: null }]);
    expect(await consents('portal@example.org')).toEqual([
      {
        purpose: 'PORTAL_SIGN_IN',
        policyVersion: await policyVersion(),
        locale: 'en',
        donationId: null,
      },
    ]);
  });

  it('records EVALUATION under the code, never a name, and a later policy version on later consents', async () => {
    const officer = await createUser(t, ['GRANTS_OFFICER']);
    const project = await createCompletedProject(t, { minEvaluators: 2 });
    const opened = await request(t.server)
      .post(`/api/v1/grants/awards/${project.awardId}/evaluations`)
      .set(officer.auth)
      .send({ residentCodes: 2, stakeholderCodes: 0 })
      .expect(201);
    const codes = opened.body.codes as { code: string }[];
    const codeIds = async (code: string) =>
      (
        await t.dataSource.query(`SELECT id FROM grant_evaluator_codes WHERE code = $1`, [
          code.replace(/-/g, ''),
        ])
      )[0]?.id as string;
    const browser = formSession(t.server);
    const answered = await browser.post('/evaluate?lang=en', {
      code: codes[0]!.code,
      evaluationId: opened.body.id,
      satisfied: 'yes',
      score: '5',
      comment: '很好',
    });
    expect(answered.status).toBe(303);
    const first = await codeIds(codes[0]!.code);
    const version = await policyVersion();
    expect(await consents(`evaluator:${first}`)).toEqual([
      { purpose: 'EVALUATION', policyVersion: version, locale: 'en', donationId: null },
    ]);

    const admin = await createUser(t, ['ADMIN']);
    await t.get(PrivacyPolicyService).publish('# 政策\n\n第二版', '# Policy\n\nSecond', admin.id);
    await request(t.server)
      .post('/api/v1/evaluations/responses')
      .set('Accept-Language', 'zh-CN')
      .send({ code: codes[1]!.code, satisfied: false, score: 2 })
      .expect(201);
    const second = await codeIds(codes[1]!.code);
    expect(await consents(`evaluator:${second}`)).toEqual([
      { purpose: 'EVALUATION', policyVersion: version + 1, locale: 'zh-CN', donationId: null },
    ]);
  });
});
