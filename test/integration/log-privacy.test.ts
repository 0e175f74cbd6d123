import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createCampaign } from '../factories/campaigns.factory';
import { cookieFrom, formSession } from '../utils/form-session';
import { mailText, startSmtpServer, type TestSmtpServer } from '../utils/mail-testing';
import { cleanEnv, freePort, startServer, stopServer } from '../utils/processes';
import {
  createFileDatabase,
  dropFileDatabase,
  fileQueuePrefix,
  startConfiguredApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

/**
 * A donor's whole journey through the built server with LOG_LEVEL=debug: the gift, the webhook
 * that settles it, the thank-you email, the portal's sign-in link and the receipt. Its log lines
 * (every line the process wrote) carry none of the donor's name or email, the session token, the
 * webhook secret or the sign-in link's token; and the webhook request's id is on the job lines of
 * the side effects it caused.
 */
const DONOR_NAME = '欧阳泽菲琳 Zephyrine';
const DONOR_EMAIL = `zephyrine.${randomUUID().slice(0, 8)}@example.org`;
const WEBHOOK_SECRET = process.env.STRIPE_WEBHOOK_SECRET!;

let smtp: TestSmtpServer;
let server: { child: ChildProcess; output: () => string } | undefined;
let base: string;
let slug: string;

beforeAll(async () => {
  await createFileDatabase();
  smtp = await startSmtpServer();
  // The foundation and a live campaign, made by the app in this process, which then steps aside.
  const setup = await startConfiguredApp({
    queue: { prefix: fileQueuePrefix(), processors: false },
  });
  try {
    slug = (await createCampaign(setup)).slug;
  } finally {
    await setup.close();
  }
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startServer(
    cleanEnv({
      DATABASE_URL: process.env.DATABASE_URL!,
      REDIS_URL: process.env.REDIS_URL!,
      DATABASE_POOL_SIZE: '5',
      SMTP_URL: smtp.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      LOG_LEVEL: 'debug',
      OUTBOX_POLL_MS: '100',
    }),
  );
}, 180_000);
afterAll(async () => {
  if (server) await stopServer(server.child);
  await smtp?.close();
  await dropFileDatabase();
});

/** The server's output as JSON log lines (the human-readable start banner is not JSON). */
function logLines(): Record<string, unknown>[] {
  return server!
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

it('logs a whole journey without the donor, their tokens or the webhook secret', async () => {
  // The gift, from the public API.
  const started = await request(base)
    .post(`/api/v1/campaigns/${slug}/donations`)
    .send({ amountMinor: 8_800, donorName: DONOR_NAME, donorEmail: DONOR_EMAIL })
    .expect(201);
  const giftId = (started.body as { id: string }).id;

  // The provider's webhook settles it; the thank-you email carries the receipt.
  const event = stripeEvent(`evt_lp_${giftId}`, 'checkout.session.completed', {
    ...paidSession(giftId, 8_800),
    customer_details: { email: DONOR_EMAIL, name: DONOR_NAME },
  });
  await deliver(base, event).expect(200);
  const thanks = await waitUntil(() => smtp.to(DONOR_EMAIL)[0], 'the thank-you email', {
    timeoutMs: 60_000,
  });
  expect(mailText(thanks)).toMatch(/\S/);

  // The portal's sign-in link, followed: a donor session.
  const browser = formSession(base);
  expect((await browser.post('/donor/login', { email: DONOR_EMAIL })).status).toBe(200);
  const linkMail = await waitUntil(
    () => smtp.to(DONOR_EMAIL).find((m) => /\/donor\/verify\?token=/.test(mailText(m))),
    'the sign-in link',
    { timeoutMs: 60_000 },
  );
  const signInToken = /\/donor\/verify\?token=([\w-]+)/.exec(mailText(linkMail))![1]!;
  await browser.agent.get(`/donor/verify?token=${signInToken}`).expect(200);
  const verified = await browser.post('/donor/verify', { token: signInToken });
  expect(verified.status).toBe(303);
  const sessionToken = cookieFrom(verified, 'lx_session')!;
  expect(sessionToken.length).toBeGreaterThan(20);

  // The receipt, from the portal.
  const receiptId = await waitUntil(
    async () =>
      /\/donor\/receipts\/([0-9a-f-]{36})/.exec((await browser.agent.get('/donor')).text)?.[1],
    'the receipt in the portal',
    { timeoutMs: 60_000 },
  );
  await browser.agent.get(`/donor/receipts/${receiptId}`).expect(200);

  // Every line is JSON from here on: wait for the job lines of the gift's side effects.
  const webhookLine = logLines().find(
    (l) => l.msg === 'request' && l.route === '/webhooks/stripe' && l.status === 200,
  );
  expect(webhookLine).toBeDefined();
  const jobLines = await waitUntil(
    () => {
      const jobs = logLines().filter(
        (l) => l.msg === 'job' && l.requestId === webhookLine!.requestId,
      );
      return jobs.some((l) => l.kind === 'RECEIPT_SYNC') ? jobs : null;
    },
    'a job line under the webhook request id',
    { timeoutMs: 60_000 },
  );
  expect(jobLines.map((l) => l.outcome)).toContain('sent');

  const output = server!.output();
  expect(logLines().length).toBeGreaterThan(20);
  expect(logLines().some((l) => l.level === 'debug')).toBe(true);
  for (const [what, secret] of [
    ['donor email', DONOR_EMAIL],
    ['donor email (local part)', DONOR_EMAIL.split('@')[0]!],
    ['donor name', DONOR_NAME],
    ['donor name (Latin part)', 'Zephyrine'],
    ['donor name (Chinese part)', '欧阳泽菲琳'],
    ['session token', sessionToken],
    ['sign-in link token', signInToken],
    ['webhook secret', WEBHOOK_SECRET],
  ] as const) {
    expect([what, output.includes(secret)]).toEqual([what, false]);
  }
}, 300_000);
