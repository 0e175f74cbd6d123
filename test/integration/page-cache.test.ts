import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { RequestContext } from '../../src/common/context/request-context';
import { CSRF_COOKIE } from '../../src/common/http/cookies';
import { PageCache } from '../../src/common/page-cache/page-cache.module';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { CampaignPagesService } from '../../src/modules/public-site/campaign-pages.service';
import { TEST_PASSWORD, createUser } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation, fundFromOutside, generalFund } from '../factories/foundation.factory';
import { cookieFrom, formSession } from '../utils/form-session';
import { waitUntil } from '../utils/wait';
import {
  createFileDatabase,
  dropFileDatabase,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

/**
 * The public page cache against the real app on PostgreSQL: pages kept and served before the Nest
 * pipeline, dropped by the database's change notices long before their TTL (an hour here), never
 * kept for signed-in visitors or drafts; ETag/304, gzip and brotli; the donation form checked by
 * Origin instead of a per-visitor token.
 */
describe('public page cache', () => {
  const TTL_SECONDS = 3_600;
  /** Changes must show well within this (the TTL is an hour): the notice, not expiry, did it. */
  const NOTICE_BOUND_MS = 3_000;
  let t: TestApp;
  let base: string;
  let origin: string;

  beforeAll(async () => {
    await createFileDatabase();
    t = await startConfiguredApp({ pageCacheTtlSeconds: TTL_SECONDS });
    await t.app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    base = origin;
    await createFoundation(t);
  });
  afterAll(async () => {
    await t?.close();
    await dropFileDatabase();
  });

  /**
   * A GET as a browser makes it, bytes untouched (supertest would decompress). The browser reads
   * English, so a `?lang=en` link sets no remembered-language cookie (language-cookie.ts).
   */
  const raw = (path: string, extra: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
      (resolve, reject) => {
        http
          .get(`${base}${path}`, { headers: { 'accept-language': 'en', ...extra } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode!,
                headers: res.headers,
                body: Buffer.concat(chunks),
              }),
            );
          })
          .on('error', reject);
      },
    );

  const system = { kind: 'system', label: 'test' } as const;

  /**
   * Waits until the cache has heard every change committed so far: notices arrive in commit
   * order, so once a marker sent now is heard, so are the ones before it.
   */
  const changesHeard = async () => {
    const marker = `test:${randomUUID()}`;
    await t.dataSource.query(`SELECT pg_notify('lianxin_page_changes', $1)`, [marker]);
    await waitUntil(() => t.get(PageCache).lastNotice === marker, 'the marker notice');
  };

  it('serves the second anonymous visit from the cache, without rendering and without cookies', async () => {
    const campaign = await createCampaign(t, { titleEn: 'Benches for the park' });
    await changesHeard();
    const path = `/campaigns/${campaign.slug}?lang=en`;
    const render = jest.spyOn(t.get(CampaignPagesService), 'campaign');
    try {
      const first = await raw(path);
      expect(first.status).toBe(200);
      expect(first.headers['x-page-cache']).toBe('miss');
      expect(first.headers['set-cookie']).toBeUndefined();
      expect(first.headers['cache-control']).toBe('public, max-age=0, must-revalidate');
      expect(first.headers['content-security-policy']).toContain("default-src 'self'");
      expect(first.body.toString()).toContain('Benches for the park');
      // Cached pages carry no per-visitor token.
      expect(first.body.toString()).not.toContain('name="_csrf"');
      expect(render).toHaveBeenCalledTimes(1);

      const second = await raw(path);
      expect(second.headers['x-page-cache']).toBe('hit');
      expect(second.headers['set-cookie']).toBeUndefined();
      expect(second.headers['content-security-policy']).toBe(
        first.headers['content-security-policy'],
      );
      expect(second.headers['content-type']).toBe(first.headers['content-type']);
      expect(second.headers.etag).toBe(first.headers.etag);
      expect(second.body.equals(first.body)).toBe(true);
      const head = await request(t.server).head(path).expect(200);
      expect(head.headers['x-page-cache']).toBe('hit');
      expect(head.headers['content-length']).toBe(String(first.body.length));
      // The query's order does not make another page.
      const reordered = await raw(`/campaigns/${campaign.slug}?utm=x&lang=en`);
      const again = await raw(`/campaigns/${campaign.slug}?lang=en&utm=x`);
      expect([reordered.headers['x-page-cache'], again.headers['x-page-cache']]).toEqual([
        'miss',
        'hit',
      ]);
      expect(render).toHaveBeenCalledTimes(2);
    } finally {
      render.mockRestore();
    }
  });

  it('answers 304 to If-None-Match, and gzip or brotli by Accept-Encoding with the same page inside', async () => {
    const campaign = await createCampaign(t);
    await changesHeard();
    const path = `/campaigns/${campaign.slug}?lang=en`;
    const plain = await raw(path);
    const etag = plain.headers.etag!;
    expect(etag).toMatch(/^W\/"[\w-]+"$/);

    const notModified = await raw(path, { 'if-none-match': etag });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(notModified.headers.etag).toBe(etag);
    expect((await raw(path, { 'if-none-match': 'W/"other"' })).status).toBe(200);

    const gz = await raw(path, { 'accept-encoding': 'gzip, deflate' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers.vary).toMatch(/accept-encoding/);
    expect(Number(gz.headers['content-length'])).toBe(gz.body.length);
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);

    const br = await raw(path, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.body.length / 2);
    expect(plain.headers['content-encoding']).toBeUndefined();

    // Pages the cache does not keep are compressed on the way out too.
    const login = await raw('/login?lang=en', { 'accept-encoding': 'gzip' });
    expect(login.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(login.body).toString()).toContain('name="_csrf"');
    // And static files (a stream from @fastify/static).
    const css = await raw('/static/site.css');
    const cssBr = await raw('/static/site.css', { 'accept-encoding': 'br' });
    expect(cssBr.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(cssBr.body).equals(css.body)).toBe(true);
    expect(css.headers['content-encoding']).toBeUndefined();
  });

  it('keeps each language apart', async () => {
    const campaign = await createCampaign(t, { titleEn: 'Library books', titleZh: '社区图书' });
    await changesHeard();
    const path = `/campaigns/${campaign.slug}`;
    const en = await raw(path, { 'accept-language': 'en-GB,en;q=0.9' });
    const zh = await raw(path, { 'accept-language': 'zh-CN' });
    const none = await raw(path, { 'accept-language': '' });
    expect(en.body.toString()).toContain('Library books');
    expect(zh.body.toString()).toContain('社区图书');
    expect(none.body.toString()).toContain('社区图书');
    expect((await raw(path, { 'accept-language': 'en' })).headers['x-page-cache']).toBe('hit');
    const enAgain = await raw(path, { 'accept-language': 'en-US' });
    expect(enAgain.headers['x-page-cache']).toBe('hit');
    expect(enAgain.body.toString()).toContain('Library books');
    const zhAgain = await raw(path, { 'accept-language': 'zh-TW' });
    expect(zhAgain.body.toString()).toContain('社区图书');
    expect(zhAgain.headers.vary).toMatch(/accept-language/);
  });

  it('shows a settled gift within the bound after the database announces it', async () => {
    const campaign = await createCampaign(t);
    await changesHeard();
    const path = `/campaigns/${campaign.slug}?lang=en`;
    expect((await raw(path)).body.toString()).not.toContain('¥88.00');
    expect((await raw(path)).headers['x-page-cache']).toBe('hit');

    const gift = await t.get(DonationsService).start(
      campaign.slug,
      {
        amountMinor: 8_800,
        donorName: 'Zhang Wei',
        donorEmail: `cache-${randomUUID().slice(0, 6)}@example.org`,
      },
      {},
    );
    await deliver(
      t.server,
      stripeEvent(`evt_pc_${gift.id}`, 'checkout.session.completed', paidSession(gift.id, 8_800)),
    ).expect(200);
    const settledAt = Date.now();
    const page = await waitUntil(
      async () => {
        const res = await raw(path);
        return res.body.toString().includes('¥88.00') ? res : null;
      },
      'the gift on the cached campaign page',
      { timeoutMs: NOTICE_BOUND_MS },
    );
    expect(Date.now() - settledAt).toBeLessThan(NOTICE_BOUND_MS);
    expect(page.body.toString()).toContain('Zhang Wei');
  });

  it('renders a changed page once: one visitor renders it, the others meanwhile get it as it was', async () => {
    const campaign = await createCampaign(t);
    await changesHeard();
    const path = `/campaigns/${campaign.slug}?lang=en`;
    await raw(path);
    const render = jest.spyOn(t.get(CampaignPagesService), 'campaign');
    try {
      t.get(PageCache).changed(`campaign:${campaign.id}`);
      const answers = await Promise.all(Array.from({ length: 8 }, () => raw(path)));
      const states = answers.map((a) => a.headers['x-page-cache']);
      expect(states.filter((s) => s === 'miss')).toHaveLength(1);
      expect(states.every((s) => s === 'miss' || s === 'stale' || s === 'hit')).toBe(true);
      expect(render).toHaveBeenCalledTimes(1);
      expect((await raw(path)).headers['x-page-cache']).toBe('hit');
    } finally {
      render.mockRestore();
    }
  });

  it('shows an edited campaign, and money reaching a fund, within the bound', async () => {
    const campaign = await createCampaign(t, { titleEn: 'Old title' });
    await changesHeard();
    const path = `/campaigns/${campaign.slug}?lang=en`;
    await raw(path);
    expect((await raw(path)).headers['x-page-cache']).toBe('hit');
    await RequestContext.run({ actor: system }, () =>
      t.get(CampaignsService).update(system, campaign.id, { titleEn: 'New title' }),
    );
    await waitUntil(
      async () => (await raw(path)).body.toString().includes('New title'),
      'the edited title on the cached page',
      { timeoutMs: NOTICE_BOUND_MS },
    );

    // The home page shows the general fund's balance: a posting on its account drops it.
    const general = await generalFund(t);
    await changesHeard();
    await raw('/?lang=en');
    expect((await raw('/?lang=en')).headers['x-page-cache']).toBe('hit');
    const before = (await raw('/?lang=en')).body.toString();
    await fundFromOutside(t, general, 123_456);
    const after = await waitUntil(
      async () => {
        const body = (await raw('/?lang=en')).body.toString();
        return body !== before ? body : null;
      },
      'the home page after money reached the general fund',
      { timeoutMs: NOTICE_BOUND_MS },
    );
    expect(after).toContain('1,234.56');
  });

  it('never keeps a page for signed-in visitors, so a draft staff preview never reaches anyone else', async () => {
    const draft = await createCampaign(t, { status: 'DRAFT', titleEn: 'Secret draft' });
    const staff = await createUser(t, ['ADMIN']);
    const session = formSession(t.server);
    expect((await session.signIn(staff.email, TEST_PASSWORD)).status).toBe(303);
    const path = `/campaigns/${draft.slug}?lang=en`;
    const preview = await session.agent.get(path).expect(200);
    expect(preview.text).toContain('Secret draft');
    expect(preview.headers['x-page-cache']).toBeUndefined();
    const again = await session.agent.get(path).expect(200);
    expect(again.headers['x-page-cache']).toBeUndefined();

    const anonymous = await raw(path);
    expect(anonymous.status).toBe(404);
    expect(anonymous.body.toString()).not.toContain('Secret draft');
    expect((await raw(path)).status).toBe(404);

    // A cached public page is not what a signed-in visitor gets: they bypass the cache.
    const live = await createCampaign(t);
    await changesHeard();
    const livePath = `/campaigns/${live.slug}?lang=en`;
    await raw(livePath);
    expect((await raw(livePath)).headers['x-page-cache']).toBe('hit');
    const signedIn = await session.agent.get(livePath).expect(200);
    expect(signedIn.headers['x-page-cache']).toBeUndefined();
    expect(signedIn.text).toContain('href="/admin"');
    expect((await raw(livePath)).body.toString()).not.toContain('href="/admin"');
    // Nothing in the cache holds the draft.
    expect(t.get(PageCache).store!.size).toBeGreaterThan(0);
  });

  it('takes a gift from a same-origin form without a token, and refuses a cross-site one', async () => {
    const campaign = await createCampaign(t);
    const donations = () =>
      t.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM donations WHERE campaign_id = $1`,
        [campaign.id],
      );
    const form = {
      amount: '50.00',
      donorName: 'Li Ming',
      donorEmail: 'li@example.org',
      step: 'pay',
    };
    const post = (headers: Record<string, string>) =>
      request(t.server)
        .post(`/campaigns/${campaign.slug}/donate?lang=en`)
        .set(headers)
        .type('form')
        .send(form);

    const bySecFetch = await post({ 'sec-fetch-site': 'same-origin' });
    expect(bySecFetch.status).toBe(303);
    const byOrigin = await post({ origin });
    expect(byOrigin.status).toBe(303);
    expect(byOrigin.headers.location).toMatch(/\/sandbox\/checkout\//);
    expect((await donations())[0]!.n).toBe(2);

    const refusedHeaders: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site', origin },
      { 'sec-fetch-site': 'same-site' },
      {}, // neither header and no token: not a browser form we can vouch for
    ];
    for (const headers of refusedHeaders) {
      const refused = await post(headers);
      expect([JSON.stringify(headers), refused.status]).toEqual([JSON.stringify(headers), 403]);
      expect(refused.headers['content-type']).toMatch(/text\/html/);
      expect(refused.text).toMatch(/did not come from this site/);
    }
    expect((await donations())[0]!.n).toBe(2);

    // Other forms keep the double-submit token: Origin alone does not sign anyone in.
    const staff = await createUser(t, ['ADMIN']);
    const login = await request(t.server)
      .post('/login')
      .set('origin', origin)
      .type('form')
      .send({ email: staff.email, password: TEST_PASSWORD });
    expect(login.status).toBe(403);
  });

  it('still gives the CSRF cookie on pages that are not cached', async () => {
    const res = await request(t.server).get('/login').expect(200);
    expect(cookieFrom(res, CSRF_COOKIE)).toMatch(/^[\w-]{32,64}$/);
    const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1];
    expect(token).toBe(cookieFrom(res, CSRF_COOKIE));
  });
});
