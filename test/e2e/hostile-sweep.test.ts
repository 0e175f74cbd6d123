import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { wantsJson } from '../../src/common/errors/http-error.filter';
import { createUser } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { routesFromTable, type Route } from '../utils/routes';
import { signedInStaff, signedOutVisitor, type Identity } from '../utils/sweep-identities';
import { createTestApp, type TestApp } from '../utils/test-app';

/** WeChat Pay's and Alipay's notifications are answered in each platform's own format, not ours. */
const PLATFORM_ANSWERS = /^\/webhooks\/(wechatpay|alipay)(\?|$)/;

/**
 * The hostile sweep: every route the running app serves (read from Fastify's route table, so a
 * new route is swept without touching this file) gets malformed Unicode, deep nesting, wrong
 * types, huge strings, impossible dates, odd paths and missing CSRF tokens, signed out and as a
 * signed-in staff user. No answer may be a 500, and JSON error answers keep the error shape.
 */
const LONE = '\\ud800';
const TEXT_FIELDS = [
  'email',
  'donorEmail',
  'donorName',
  'name',
  'nameZh',
  'nameEn',
  'titleZh',
  'slug',
  'password',
  'reason',
  'reference',
  'message',
  'csv',
  'token',
  'next',
  'code',
  'description',
  'campaignSlug',
];
const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const huge = 'x'.repeat(20_000);

/** JSON bodies, written by hand so that escapes such as \ud800 reach the parser as sent. */
const JSON_BODIES: Array<[string, string]> = [
  ['lone surrogates', `{${TEXT_FIELDS.map((f) => `"${f}":"a${LONE}"`).join(',')}}`],
  ['deep nesting', `{"amountMinor":${deep(1500)}}`],
  [
    'wrong types',
    JSON.stringify({
      amountMinor: '12',
      email: [1],
      startsAt: true,
      endsAt: 12345,
      receivedAt: {},
      roles: { $ne: 1 },
      limit: -1,
      fundId: 'not-a-uuid',
      presetAmountsMinor: 'x',
      goalMinor: 1e300,
      kind: 7,
      communityIds: [null],
      monthly: 'yes',
    }),
  ],
  [
    'impossible dates',
    JSON.stringify({
      startsAt: '-271821-04-20T00:00:00Z',
      endsAt: '2026-02-30',
      receivedAt: '+275760-09-13T00:00:00Z',
      from: '0000-00-00',
      to: '2026-13-45',
    }),
  ],
  ['huge strings', JSON.stringify(Object.fromEntries(TEXT_FIELDS.map((f) => [f, huge])))],
  ['a list', '[1,2,3]'],
  ['null', 'null'],
  ['malformed', '{"a":'],
];

const FORM_FIELDS: Record<string, string> = {
  email: 'a%ED%A0%80@example.org',
  donorEmail: 'x@',
  password: 'x',
  amount: '1e309',
  goal: '-1',
  startsAt: '2026-02-30T10:00',
  endsAt: '-271821-04-20T00:00',
  receivedAt: '2026-02-30',
  from: '0000-01-01',
  to: '9999-99-99',
  name: huge,
  roles: 'ROOT',
  'a[b][c]': '1',
  next: '/中文',
};

const QUERIES = [
  `from=2026-02-30&to=-271821-04-20&limit=abc&cursor=%ED%A0%80&lang=%00&status=%3Cscript%3E&q=${'x'.repeat(5000)}`,
  'from=1&from=2&limit=1e999&cursor=eyJ4IjoxfQ&campaign=%F0%9F&email=a%40b&next=//evil.example&attempt=-5&token=%00',
];

const ODD_PATHS = [
  '/%ED%A0%80',
  '/api/v1/%00',
  '/api/v1/funds/..%2F..%2Fetc',
  `/${'a'.repeat(8000)}`,
  `/api/v1/campaigns/${'b'.repeat(8000)}`,
  '/static/..%2F..%2Fpackage.json',
  '//admin',
  '/admin/%2e%2e/',
  '/api/v1/funds/%E4%B8%AD',
  '/campaigns/%ED%A0%80',
  '/api/v1/donations/%20',
];

describe('hostile sweep over every route', () => {
  let t: TestApp;
  let base: string;
  let routes: Route[];
  let slug: string;
  const identities: Identity[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const fastify = t.app.getHttpAdapter().getInstance();
    base = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
    routes = routesFromTable(fastify.printRoutes({ commonPrefix: false }));
    await createFoundation(t);
    slug = (await createCampaign(t)).slug;
    const staff = await createUser(t, ['ADMIN', 'FINANCE']);
    identities.push(
      await signedOutVisitor(base),
      await signedInStaff(base, staff.email, staff.auth),
    );
  });
  afterAll(() => t.close());

  interface Probe {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
    label: string;
  }

  function probesFor(route: Route, who: Identity): Probe[] {
    const fill = (value: string) => route.path.replace(/:[^/]+/g, value).replace(/\*/g, 'x');
    const paramValues = /[:*]/.test(route.path)
      ? [randomUUID(), slug, '%ED%A0%80', 'c'.repeat(300), '..%2F..']
      : [''];
    const api = route.path.startsWith('/api/') || route.path.startsWith('/webhooks/');
    const headers = api ? who.apiHeaders : who.pageHeaders;
    const probes: Probe[] = [];
    paramValues.forEach((value, i) => {
      const path = fill(value);
      const label = `${who.name} ${route.method} ${route.path} [${value.slice(0, 20)}]`;
      if (route.method === 'GET') {
        probes.push({ method: 'GET', url: path, headers, label });
        for (const q of QUERIES)
          probes.push({ method: 'GET', url: `${path}?${q}`, headers, label: `${label} ?query` });
        return;
      }
      // Every body for the first two parameter values (a fresh id, a real slug); one for the rest.
      const bodies = i < 2 ? JSON_BODIES : JSON_BODIES.slice(0, 1);
      for (const [name, body] of bodies)
        probes.push({
          method: route.method,
          url: path,
          headers: { ...headers, 'content-type': 'application/json', 'x-csrf-token': who.csrf },
          body,
          label: `${label} json ${name}`,
        });
      if (!api) {
        const form = new URLSearchParams(FORM_FIELDS).toString();
        probes.push({
          method: route.method,
          url: path,
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
          label: `${label} form without CSRF`,
        });
        probes.push({
          method: route.method,
          url: path,
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          body: `${form}&_csrf=${encodeURIComponent(who.csrf)}`,
          label: `${label} form`,
        });
      }
    });
    return probes;
  }

  it('answers every hostile request without a 500, and JSON errors in the error shape', async () => {
    expect(routes.length).toBeGreaterThan(80);
    expect(routes).toContainEqual({
      method: 'POST',
      path: '/api/v1/campaigns/:slug|:id/donations',
    });
    const probes: Probe[] = [];
    for (const who of identities) {
      // Signing out would end the staff session half-way: the signed-out visitor covers it.
      for (const route of routes.filter((r) => who.name !== 'staff' || r.path !== '/logout'))
        probes.push(...probesFor(route, who));
      for (const path of ODD_PATHS)
        for (const method of ['GET', 'POST'])
          probes.push({
            method,
            url: path,
            headers: { ...who.apiHeaders, ...who.pageHeaders },
            label: `${who.name} ${method} ${path.slice(0, 40)}`,
          });
    }

    const problems: string[] = [];
    /** Successful answers per identity: the staff user must really be signed in. */
    const ok: Record<string, number> = {};
    let next = 0;
    const worker = async () => {
      while (next < probes.length) {
        const probe = probes[next++]!;
        const res = await fetch(`${base}${probe.url}`, {
          method: probe.method,
          headers: probe.headers,
          body: probe.body,
          redirect: 'manual',
        });
        const text = await res.text();
        if (res.status < 300)
          ok[probe.label.split(' ')[0]!] = (ok[probe.label.split(' ')[0]!] ?? 0) + 1;
        if (res.status >= 500) problems.push(`${probe.label}: ${res.status} ${text.slice(0, 200)}`);
        else if (res.status >= 400 && wantsJson(probe.url) && !PLATFORM_ANSWERS.test(probe.url)) {
          const body = (() => {
            try {
              return JSON.parse(text) as Record<string, unknown>;
            } catch {
              return null;
            }
          })();
          const shaped =
            body !== null &&
            body.statusCode === res.status &&
            typeof body.error === 'string' &&
            typeof body.code === 'string' &&
            (typeof body.message === 'string' || Array.isArray(body.message));
          if (!shaped)
            problems.push(
              `${probe.label}: ${res.status} not the JSON error shape: ${text.slice(0, 200)}`,
            );
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    expect(problems).toEqual([]);
    expect(probes.length).toBeGreaterThan(2000);
    expect(ok.staff ?? 0).toBeGreaterThan(ok.signed ?? 0);
    // About 60 s on a quiet 2-core machine (three rails' routes); the margin is for a busy one.
  }, 300_000);
});
