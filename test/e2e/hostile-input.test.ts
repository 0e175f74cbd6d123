import { getMetadataStorage } from 'class-validator';
import request from 'supertest';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { buildCampaign, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * Hostile input answers a clear 4xx, never a 500: malformed Unicode, deep nesting, odd redirect
 * targets and impossible dates; personal-data answers are never cached.
 */
describe('hostile input', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof createUser>>;
  let finance: Awaited<ReturnType<typeof createUser>>;
  let campaignSlug: string;
  let fundId: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t);
    admin = await createUser(t, ['ADMIN']);
    finance = await createUser(t, ['FINANCE']);
    const campaign = await createCampaign(t);
    campaignSlug = campaign.slug;
    // Set up long ago: offline gifts received before today may go into it.
    await t.dataSource.query(`UPDATE funds SET created_at = '2024-01-02T00:00:00Z' WHERE id = $1`, [
      campaign.fundId,
    ]);
    fundId = (await createFund(t, { kind: 'PROGRAM' })).id;
  });
  afterAll(() => t.close());

  /** A JSON body written by hand: `\ud800` stays a lone surrogate once parsed. */
  const json = (fields: Record<string, string>) =>
    `{${Object.entries(fields)
      .map(([k, v]) => `"${k}":${v}`)
      .join(',')}}`;
  const LONE = '"\\ud800"';

  /** The JSON error shape DESIGN.md fixes, with this status and code. */
  const jsonError = (res: request.Response) => ({
    status: res.status,
    contentType: res.headers['content-type'] as string,
    body: res.body as { statusCode: number; error: string; code: string; message: unknown },
  });
  const errorShape = (status: number, code: string) => ({
    status,
    contentType: expect.stringMatching(/^application\/json/),
    body: expect.objectContaining({
      statusCode: status,
      error: expect.any(String),
      code,
      message: expect.anything(),
    }),
  });

  describe('a lone UTF-16 surrogate', () => {
    it('is refused with a 400 naming the field on the public donation API', async () => {
      const res = await request(t.server)
        .post(`/api/v1/campaigns/${campaignSlug}/donations`)
        .set('content-type', 'application/json')
        .send(json({ amountMinor: '5000', donorName: '"李明"', donorEmail: LONE }));
      expect(jsonError(res)).toEqual(errorShape(400, 'VALIDATION_FAILED'));
      expect(JSON.stringify(res.body.message)).toMatch(/donorEmail .*Unicode/);
    });

    it.each([
      ['/api/v1/donations/offline', 'finance'],
      ['/api/v1/users/invitations', 'admin'],
    ] as const)('is refused with a 400 on %s (signed in)', async (path, who) => {
      const res = await request(t.server)
        .post(path)
        .set((who === 'admin' ? admin : finance).auth)
        .set('content-type', 'application/json')
        .send(json({ email: LONE, donorEmail: LONE }));
      expect(jsonError(res)).toEqual(errorShape(400, 'VALIDATION_FAILED'));
    });

    it('an encoded surrogate or a broken escape in a query string answers 400', async () => {
      for (const query of ['entityId=%ED%A0%80', 'entityId=100%', 'action=fund&entityId=%C3']) {
        const res = await request(t.server).get(`/api/v1/audit?${query}`).set(admin.auth);
        expect(jsonError(res)).toEqual(errorShape(400, 'VALIDATION_FAILED'));
        expect(JSON.stringify(res.body.message)).toMatch(/entityId is not valid text/);
      }
    });

    it.each(['/login', '/password/forgot', '/donor/login', '/campaigns/:slug/donate'])(
      'an encoded surrogate in a form body on %s answers a 400 page saying so',
      async (template) => {
        const session = formSession(t.server);
        const res = await session.agent
          .post(template.replace(':slug', campaignSlug))
          .type('form')
          .send(
            `_csrf=${encodeURIComponent(await session.csrf())}&email=li%ED%A0%80%40example.org&donorEmail=li%ED%A0%80%40example.org&password=x&amount=50&donorName=x`,
          );
        expect(res.status).toBe(400);
        // A page in the visitor's language (Chinese by default).
        expect(res.text).toMatch(/(email|donorEmail)不是有效的文字/);
      },
    );

    it.each(['/login', '/password/forgot', '/donor/login', `/campaigns/:slug/donate`])(
      'is refused with a 400 page on %s, not a 500',
      async (template) => {
        const path = template.replace(':slug', campaignSlug);
        const session = formSession(t.server);
        const csrf = await session.csrf();
        const res = await session.agent
          .post(path)
          .set('content-type', 'application/json')
          .send(
            json({
              _csrf: JSON.stringify(csrf),
              email: LONE,
              donorEmail: LONE,
              password: '"x"',
              amount: '"50"',
              donorName: '"李明"',
            }),
          );
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/text\/html/);
        expect(res.text).toMatch(/Unicode/);
      },
    );
  });

  describe('deep nesting', () => {
    const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

    it.each([`/api/v1/campaigns/:slug/donations`, '/api/v1/funds', '/webhooks/stripe', '/login'])(
      'a 3 kB body nested 1,500 deep answers 400 on %s',
      async (template) => {
        const path = template.replace(':slug', campaignSlug);
        const res = await request(t.server)
          .post(path)
          .set(admin.auth)
          .set('content-type', 'application/json')
          .send(`{"donorEmail":${deep(1500)}}`);
        expect(res.status).toBe(400);
        const text = path.startsWith('/login') ? res.text : JSON.stringify(res.body.message);
        expect(text).toMatch(
          path.startsWith('/login') ? /嵌套超过 32 层/ : /nested more than 32 levels/,
        );
      },
    );

    it('a body nested 400,000 deep (800 kB, under the body limit) answers 400 too', async () => {
      const res = await request(t.server)
        .post(`/api/v1/campaigns/${campaignSlug}/donations`)
        .set('content-type', 'application/json')
        .send(`{"donorEmail":${deep(400_000)}}`);
      expect(jsonError(res)).toEqual(errorShape(400, 'VALIDATION_FAILED'));
    });

    it('a body with too many values answers 400', async () => {
      const many = `[${Array.from({ length: 20_001 }, () => '0').join(',')}]`;
      const res = await request(t.server)
        .post(`/api/v1/campaigns/${campaignSlug}/donations`)
        .set('content-type', 'application/json')
        .send(`{"presetAmountsMinor":${many}}`);
      expect(jsonError(res)).toEqual(errorShape(400, 'VALIDATION_FAILED'));
      expect(JSON.stringify(res.body.message)).toMatch(/more than 10000 values/);
    });
  });

  describe('sign-in with a crafted next', () => {
    it.each([
      ['/中文', '/%E4%B8%AD%E6%96%87'],
      ['/admin/funds?q=社区 a', '/admin'],
      ['/a%20b?x=é#frag', '/a%20b?x=%C3%A9#frag'],
      ['//evil.example/x', '/admin'],
      ['/\\evil.example', '/admin'],
      ['https://evil.example/', '/admin'],
    ])('next=%s signs in and goes to %s', async (next, location) => {
      const user = await createUser(t, ['ADMIN']);
      const session = formSession(t.server);
      const res = await session.post('/login', {
        email: user.email,
        password: TEST_PASSWORD,
        next,
      });
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe(location);
    });

    it('the sign-in page keeps a non-ASCII next in its form', async () => {
      const res = await request(t.server).get(`/login?next=${encodeURIComponent('/中文')}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('value="/%E4%B8%AD%E6%96%87"');
    });
  });

  describe('dates', () => {
    const bad = [
      true,
      12345,
      '12345',
      '2026-02-30T00:00:00+08:00',
      '2026-02-30',
      '-271821-04-20T00:00:00Z',
      '+275760-09-13T00:00:00Z',
      '1970-01-01T00:00:00Z',
      '2026-13-01',
      '2026-06-01T25:00:00+08:00',
      'tomorrow',
    ];

    it.each(bad)('campaign startsAt %j answers 400 and stores nothing', async (value) => {
      const body = { ...buildCampaign(), fundId, startsAt: value };
      const res = await request(t.server).post('/api/v1/campaigns').set(admin.auth).send(body);
      expect(jsonError(res)).toEqual(errorShape(400, 'VALIDATION_FAILED'));
      expect(JSON.stringify(res.body.message)).toMatch(/startsAt must (be|have)/);
      const rows = await t.dataSource.query(`SELECT 1 FROM campaigns WHERE slug = $1`, [body.slug]);
      expect(rows).toHaveLength(0);
    });

    it('campaign dates take ISO 8601 date-times with an offset, and plain dates in Beijing time', async () => {
      const body = {
        ...buildCampaign(),
        fundId,
        startsAt: '2026-09-07T00:00:00+08:00',
        endsAt: '2026-09-09',
      };
      const res = await request(t.server).post('/api/v1/campaigns').set(admin.auth).send(body);
      expect(res.status).toBe(201);
      expect(new Date(res.body.startsAt).toISOString()).toBe('2026-09-06T16:00:00.000Z');
      expect(new Date(res.body.endsAt).toISOString()).toBe('2026-09-08T16:00:00.000Z');
    });

    it('a campaign edit refuses an impossible end date and keeps the old one', async () => {
      const campaign = await createCampaign(t, { endsAt: new Date('2027-09-09T15:59:59Z') });
      const res = await request(t.server)
        .patch(`/api/v1/campaigns/${campaign.id}`)
        .set(admin.auth)
        .send({ endsAt: '2026-02-30T10:00:00+08:00' });
      expect(jsonError(res)).toEqual(errorShape(400, 'VALIDATION_FAILED'));
      expect(JSON.stringify(res.body.message)).toMatch(/endsAt must be a real calendar date/);
      const [row] = await t.dataSource.query(`SELECT ends_at FROM campaigns WHERE id = $1`, [
        campaign.id,
      ]);
      expect(new Date(row.ends_at).toISOString()).toBe('2027-09-09T15:59:59.000Z');
    });

    it.each(bad)('offline receivedAt %j answers 400 and records nothing', async (value) => {
      const reference = `BAD-DATE-${Math.random().toString(36).slice(2, 10)}`;
      const res = await request(t.server).post('/api/v1/donations/offline').set(finance.auth).send({
        campaignSlug,
        amountMinor: 5000,
        donorName: '张伟',
        donorEmail: 'zhang.wei@example.org',
        method: 'BANK',
        reference,
        receivedAt: value,
      });
      expect(jsonError(res)).toEqual(errorShape(400, 'VALIDATION_FAILED'));
      expect(JSON.stringify(res.body.message)).toMatch(/receivedAt must (be|have)/);
      const rows = await t.dataSource.query(
        `SELECT 1 FROM donations WHERE provider_payment_id = $1`,
        [`offline:${reference}`],
      );
      expect(rows).toHaveLength(0);
    });

    it.each(['-271821-04-20', '2026-02-30', '12345', 'true', '275760-01-01'])(
      'the audit CSV export with from=%s answers 400 before streaming',
      async (value) => {
        const res = await request(t.server)
          .get('/api/v1/audit/export.csv')
          .query({ from: value })
          .set(admin.auth);
        expect(jsonError(res)).toEqual(errorShape(400, 'VALIDATION_FAILED'));
        expect(JSON.stringify(res.body.message)).toMatch(/from must be/);
      },
    );

    it('statement ranges in the API refuse impossible dates', async () => {
      const res = await request(t.server)
        .get(`/api/v1/funds/${fundId}/statement`)
        .query({ from: '2026-02-30' })
        .set(admin.auth);
      expect(jsonError(res)).toEqual(errorShape(400, 'VALIDATION_FAILED'));
    });

    it('the back-office campaign form sends an impossible date back beside its field', async () => {
      const staff = formSession(t.server);
      await staff.signIn(admin.email, TEST_PASSWORD);
      const campaign = buildCampaign();
      const res = await staff.post('/admin/campaigns/new?lang=en', {
        fundId,
        slug: campaign.slug,
        titleZh: campaign.titleZh,
        titleEn: campaign.titleEn,
        startsAt: '2026-02-30T10:00',
      });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/id="e-c-startsAt">[^<]+</);
      const rows = await t.dataSource.query(`SELECT 1 FROM campaigns WHERE slug = $1`, [
        campaign.slug,
      ]);
      expect(rows).toHaveLength(0);
    });

    it('the back-office offline gift form sends an impossible received date back beside its field', async () => {
      const staff = formSession(t.server);
      await staff.signIn(finance.email, TEST_PASSWORD);
      const reference = `FORM-DATE-${Math.random().toString(36).slice(2, 10)}`;
      const res = await staff.post('/admin/donations/offline?lang=en', {
        campaignSlug,
        amount: '50.00',
        donorName: '张伟',
        donorEmail: 'zhang.wei@example.org',
        method: 'BANK',
        reference,
        receivedAt: '2026-02-30',
      });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/id="e-o-receivedAt">Date received must be a real calendar date/);
      const rows = await t.dataSource.query(
        `SELECT 1 FROM donations WHERE provider_payment_id = $1`,
        [`offline:${reference}`],
      );
      expect(rows).toHaveLength(0);
    });

    it.each(['1900-01-01', '2026-02-30', '9999-12-31'])(
      'back-office date filters refuse %s with a message',
      async (value) => {
        const staff = formSession(t.server);
        await staff.signIn(admin.email, TEST_PASSWORD);
        const res = await staff.agent.get('/admin/audit').query({ from: value, lang: 'en' });
        expect(res.status).toBe(400);
        const csv = await staff.agent.get('/admin/audit.csv').query({ from: value });
        expect(csv.status).toBe(400);
      },
    );
  });

  describe('personal data and policies', () => {
    it.each(['/api/v1/me', '/api/v1/me/tokens', '/api/v1/users'])(
      '%s is sent with Cache-Control: no-store',
      async (path) => {
        const res = await request(t.server).get(path).set(admin.auth).expect(200);
        expect(res.headers['cache-control']).toBe('no-store');
      },
    );

    it('a gift answered by /api/v1/donations/{id} is not cached, and ADMIN may record offline gifts as in the back office', async () => {
      const res = await request(t.server)
        .post('/api/v1/donations/offline')
        .set(admin.auth)
        .send({
          campaignSlug,
          amountMinor: 5000,
          donorName: '张伟',
          donorEmail: 'zhang.wei@example.org',
          method: 'CASH',
          reference: `ADMIN-${Math.random().toString(36).slice(2, 10)}`,
          receivedAt: '2026-11-20',
        });
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      const id = (res.body.donation?.id ?? res.body.id) as string;
      const gift = await request(t.server).get(`/api/v1/donations/${id}`).set(finance.auth);
      expect(gift.status).toBe(200);
      expect(gift.headers['cache-control']).toBe('no-store');
    });

    it('the sandbox checkout page shows the donor email masked to whoever holds its address', async () => {
      const started = await request(t.server)
        .post(`/api/v1/campaigns/${campaignSlug}/donations`)
        .send({ amountMinor: 5000, donorName: '李明', donorEmail: 'li.ming@example.org' })
        .expect(201);
      const page = await request(t.server).get(
        new URL(started.body.checkoutUrl, 'http://x').pathname,
      );
      expect(page.status).toBe(200);
      expect(page.text).toContain('l***@example.org');
      expect(page.text).not.toContain('li.ming');
    });

    it('public answers stay cacheable by their own rules', async () => {
      const res = await request(t.server).get('/api/v1/funds').expect(200);
      expect(res.headers['cache-control']).not.toBe('no-store');
    });

    it('the OpenAPI document marks only required fields as required', async () => {
      const doc = (await request(t.server).get('/api/docs-json').expect(200)).body as {
        components: { schemas: Record<string, { required?: string[] }> };
      };
      const required = (name: string) => doc.components.schemas[name]?.required ?? [];
      expect(required('CreateCampaignDto')).not.toContain('goalMinor');
      expect(required('CreateCampaignDto')).not.toContain('minAmountMinor');
      expect(required('RefundRequestDto')).not.toContain('amountMinor');
      // The address is made from the Chinese title when left out; the English title is optional.
      expect(required('CreateCampaignDto')).toEqual(expect.arrayContaining(['fundId', 'titleZh']));
      expect(required('CreateCampaignDto')).not.toContain('slug');
      expect(required('CreateCampaignDto')).not.toContain('titleEn');
      // Every field the validation lets clients leave out (@IsOptional) is optional in the document.
      const storage = getMetadataStorage() as unknown as {
        validationMetadatas: Map<{ name: string }, Array<{ name?: string; propertyName: string }>>;
      };
      const wronglyRequired: string[] = [];
      for (const [target, metadatas] of storage.validationMetadatas) {
        const optional = metadatas
          .filter((m) => m.name === 'isOptional')
          .map((m) => m.propertyName);
        for (const field of optional)
          if (required(target.name).includes(field))
            wronglyRequired.push(`${target.name}.${field}`);
      }
      expect(wronglyRequired).toEqual([]);
    });
  });
});
