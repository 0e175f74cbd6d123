import { apiBuilders, PROFILE, uid } from '../factories/api.factory';
import { bodyOf, err, invalid, describeWholeFileChecks, useApiTestApp } from '../utils/api-client';

/**
 * The JSON API end to end, the foundation profile, health, the API description and the public home page: real HTTP against the full app on this file's own database
 * (test/utils/api-client.ts refuses any 500 or malformed error body). Each describe makes the
 * foundation, communities and funds it needs through the builders in test/factories/api.factory.ts.
 */
const { t, api } = useApiTestApp();
const { ensureFoundation, activate, newFund } = apiBuilders(api, t);

describe('health and API description', () => {
  it('reports the database and Redis up', async () => {
    const health = bodyOf(await api.get('/health'), 200);
    expect(health).toMatchObject({
      status: 'ok',
      mode: { database: 'external', queue: 'redis' },
      checks: { database: { status: 'up' }, queue: { status: 'up' } },
    });
  });

  it('serves an OpenAPI document listing the funds, allocations and ledger routes', async () => {
    const doc = bodyOf(await api.get('/api/docs-json'), 200);
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths['/api/v1/funds'])).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
    expect(doc.paths['/api/v1/allocations']).toHaveProperty('post');
    expect(doc.paths['/api/v1/ledger/entries']).toHaveProperty('post');
  });

  it('answers an unknown route with a coded 404', async () => {
    expect(err(await api.get('/api/v1/no-such-thing'))).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
  });
});

describe('foundation profile', () => {
  it('is reported as not configured before the first PUT, and funds cannot be created yet', async () => {
    expect(err(await api.get('/api/v1/foundation'))).toMatchObject({
      status: 404,
      code: 'FOUNDATION_NOT_CONFIGURED',
    });
    const fund = await api.post('/api/v1/funds', {
      kind: 'PROGRAM',
      nameZh: '早',
      nameEn: 'Early',
    });
    expect(err(fund)).toMatchObject({ status: 404, code: 'FOUNDATION_NOT_CONFIGURED' });
  });

  it.each([
    ['an unknown currency', { currency: 'RMB' }, 'currency'],
    ['a lower-case currency', { currency: 'cny' }, 'currency'],
    ['a lower-case receipt prefix', { receiptPrefix: 'lx' }, 'receiptPrefix'],
    ['a receipt prefix of 17 characters', { receiptPrefix: 'A'.repeat(17) }, 'receiptPrefix'],
    ['an unknown locale', { defaultLocale: 'fr' }, 'defaultLocale'],
    ['a blank English name', { legalNameEn: '   ' }, 'legalNameEn'],
    ['a missing Chinese name', { legalNameZh: undefined }, 'legalNameZh'],
    ['a missing registration number', { registrationNumber: undefined }, 'registrationNumber'],
    ['a missing currency', { currency: undefined }, 'currency'],
    ['an unknown property', { website: 'https://example.org' }, 'website'],
  ])('refuses %s with 400 naming the field', async (_what, change, field) => {
    const res = await api.put('/api/v1/foundation', { ...PROFILE, ...change });
    expect(err(res)).toMatchObject(invalid(field));
  });

  it('saved nothing from the refused PUTs', async () => {
    expect(err(await api.get('/api/v1/foundation'))).toMatchObject({
      code: 'FOUNDATION_NOT_CONFIGURED',
    });
  });

  it('saves a valid profile (trimmed) and returns it on GET', async () => {
    const saved = bodyOf(
      await api.put('/api/v1/foundation', {
        ...PROFILE,
        legalNameZh: `  ${PROFILE.legalNameZh}  `,
      }),
      200,
    );
    expect(saved).toMatchObject(PROFILE);
    expect(bodyOf(await api.get('/api/v1/foundation'), 200)).toMatchObject(PROFILE);
  });

  it('lets the currency change while the ledger is empty', async () => {
    expect(
      bodyOf(await api.put('/api/v1/foundation', { ...PROFILE, currency: 'USD' }), 200).currency,
    ).toBe('USD');
    expect(bodyOf(await api.put('/api/v1/foundation', PROFILE), 200).currency).toBe('CNY');
  });

  it('locks the currency once a fund exists, but still accepts other changes', async () => {
    await newFund('PROGRAM', { active: false });
    const res = await api.put('/api/v1/foundation', { ...PROFILE, currency: 'HKD' });
    expect(err(res)).toMatchObject({ status: 409, code: 'CURRENCY_LOCKED' });
    expect(bodyOf(await api.get('/api/v1/foundation'), 200).currency).toBe('CNY');

    const renamed = { ...PROFILE, legalNameEn: 'Lianxin Test Foundation (renamed)' };
    expect(bodyOf(await api.put('/api/v1/foundation', renamed), 200)).toMatchObject(renamed);
    expect(bodyOf(await api.get('/api/v1/foundation'), 200).legalNameEn).toBe(renamed.legalNameEn);
    bodyOf(await api.put('/api/v1/foundation', PROFILE), 200);
  });
});

describe('public home page', () => {
  const XSS = '<script>alert(1)</script>';

  beforeAll(ensureFoundation);

  it('renders HTML with the foundation name in the chosen language', async () => {
    const zh = await api.get('/');
    expect(zh.status).toBe(200);
    expect(zh.type).toBe('text/html');
    expect(zh.text).toContain(PROFILE.legalNameZh);
    const en = await api.get('/?lang=en');
    expect(en.text).toContain(PROFILE.legalNameEn);
    expect((await api.get('/', { 'accept-language': 'en-GB,en;q=0.9' })).text).toContain(
      PROFILE.legalNameEn,
    );
  });

  it('shows the same coverage figures as the API', async () => {
    await newFund('COMMUNITY');
    const coverage = bodyOf(await api.get('/api/v1/funds/coverage'), 200);
    const page = await api.get('/');
    expect(page.text).toContain(
      `${coverage.communitiesWithActiveFund} / ${coverage.communitiesTotal}`,
    );
  });

  it('escapes a fund name that contains markup, in both languages', async () => {
    const fund = bodyOf(
      await api.post('/api/v1/funds', {
        kind: 'PROGRAM',
        code: `XSS-${uid()}`,
        nameZh: XSS,
        nameEn: XSS,
      }),
      201,
    );
    await activate(fund.id);
    for (const path of ['/', '/?lang=en']) {
      const page = await api.get(path);
      expect(page.status).toBe(200);
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.text).not.toContain(XSS);
    }
  });
});

describeWholeFileChecks(api, {
  movedMoney: false,
  codes: ['VALIDATION_FAILED', 'CURRENCY_LOCKED', 'FOUNDATION_NOT_CONFIGURED'],
});
