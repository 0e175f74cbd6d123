import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { MetricsListener } from '../../src/modules/metrics/metrics-listener';
import { createCampaign } from '../factories/campaigns.factory';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';
import { freePort } from '../utils/processes';
import {
  createFileDatabase,
  dropFileDatabase,
  fileQueuePrefix,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';

/**
 * /metrics in Prometheus's text format: a gift settled through the webhook moves the gift counter
 * and the HTTP counters; the inbox, outbox, queue, ledger and pool gauges are there; the token or
 * the internal listener keeps it from anyone else.
 */
const TOKEN = 'metrics-token-for-the-tests-0123456789';
const HOST = '127.0.0.1';

/** The value of one series (`name{a="b",…}`), or undefined when it is absent. */
function value(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    const match = line.match(/^([a-z_:]+)(?:\{(.*)\})? (\S+)$/);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return undefined;
}

let t: TestApp;

beforeAll(async () => {
  await createFileDatabase();
  t = await startConfiguredApp({
    queue: { prefix: fileQueuePrefix(), processors: false },
    metrics: { token: TOKEN, host: HOST },
  });
}, 120_000);
afterAll(async () => {
  await t?.close();
  await dropFileDatabase();
});

const scrape = async () =>
  (await request(t.server).get('/metrics').set('authorization', `Bearer ${TOKEN}`).expect(200))
    .text;

it('refuses a scrape without the token, or with another', async () => {
  const none = await request(t.server).get('/metrics').expect(401);
  expect(none.headers['www-authenticate']).toBe('Bearer realm="metrics"');
  await request(t.server).get('/metrics').set('authorization', 'Bearer nope').expect(401);
  await request(t.server).get('/metrics').set('authorization', TOKEN).expect(401);
});

it('counts a gift settled through the webhook, and the requests that made it', async () => {
  const campaign = await createCampaign(t);
  const before = await scrape();
  const gifts = (rail: string, text: string) =>
    value(text, 'lianxin_gifts_confirmed_total', { rail }) ?? 0;
  const started = (text: string) =>
    value(text, 'lianxin_http_requests_total', {
      method: 'POST',
      route: '/api/v1/campaigns/:slug/donations',
      status: '201',
    }) ?? 0;

  const gift = await request(t.server)
    .post(`/api/v1/campaigns/${campaign.slug}/donations`)
    .send({
      amountMinor: 5_000,
      donorName: '测试捐赠人',
      donorEmail: `metrics-${randomUUID().slice(0, 8)}@example.org`,
    })
    .expect(201);
  const id = (gift.body as { id: string }).id;
  const event = stripeEvent(`evt_m_${id}`, 'checkout.session.completed', paidSession(id, 5_000));
  await deliver(t.server, event).expect(200);
  await deliver(t.server, event).expect(200); // a repeat delivery confirms nothing more

  const after = await scrape();
  expect(gifts('STRIPE', after)).toBe(gifts('STRIPE', before) + 1);
  expect(started(after)).toBe(started(before) + 1);
  expect(
    value(after, 'lianxin_http_requests_total', {
      method: 'POST',
      route: '/webhooks/stripe',
      status: '200',
    }),
  ).toBeGreaterThanOrEqual(2);
  expect(
    value(after, 'lianxin_http_request_duration_seconds_count', {
      route: '/webhooks/stripe',
      status: '200',
    }),
  ).toBeGreaterThanOrEqual(2);
  // The event's time is Stripe's `created`: the lag was observed once, for the one settlement.
  expect(
    (value(after, 'lianxin_webhook_lag_seconds_count', { rail: 'STRIPE' }) ?? 0) -
      (value(before, 'lianxin_webhook_lag_seconds_count', { rail: 'STRIPE' }) ?? 0),
  ).toBe(1);
  // The scrape itself is not a route.
  expect(after).not.toMatch(/route="\/metrics"/);
});

it('reads the inbox, outbox, queue, ledger and pool gauges on scrape', async () => {
  const text = await scrape();
  for (const name of [
    'lianxin_payment_inbox_backlog',
    'lianxin_payment_inbox_failing',
    'lianxin_payment_inbox_dead_letters',
    'lianxin_outbox_oldest_age_seconds',
    'lianxin_ledger_check_violations',
    'lianxin_ledger_check_age_seconds',
  ]) {
    expect([name, value(text, name)]).toEqual([name, expect.any(Number)]);
  }
  expect(value(text, 'lianxin_payment_inbox_dead_letters')).toBe(0);
  expect(value(text, 'lianxin_ledger_check_ok')).toBe(1);
  // The settled gift's receipt and fee wait in the outbox: processors are off in this app.
  expect(value(text, 'lianxin_outbox_backlog', { kind: 'RECEIPT_SYNC' })).toBeGreaterThanOrEqual(1);
  expect(value(text, 'lianxin_outbox_failed', { kind: 'EMAIL' })).toBe(0);
  expect(value(text, 'lianxin_queue_jobs', { queue: 'receipt-sync', state: 'failed' })).toBe(0);
  expect(value(text, 'lianxin_db_pool_connections', { state: 'max' })).toBeGreaterThan(0);
  expect(value(text, 'lianxin_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
  expect(value(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
});

it('serves metrics only on the internal listener when METRICS_PORT is set', async () => {
  const port = await freePort();
  const internal = await startConfiguredApp({
    queue: { prefix: fileQueuePrefix(), processors: false },
    metrics: { port, host: HOST },
  });
  try {
    await internal.app.init();
    expect(internal.get(MetricsListener).port).toBe(port);
    await request(internal.server).get('/metrics').expect(404);
    const text = (await request(`http://${HOST}:${port}`).get('/metrics').expect(200)).text;
    expect(value(text, 'lianxin_payment_inbox_backlog')).toEqual(expect.any(Number));
    await request(`http://${HOST}:${port}`).get('/health').expect(404);
  } finally {
    await internal.close();
  }
}, 120_000);
