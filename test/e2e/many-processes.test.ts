import { Queue } from 'bullmq';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { CampaignsService } from '../../src/modules/campaigns/campaigns.service';
import type { CampaignView } from '../../src/modules/campaigns/campaigns.types';
import { FundsService, type FundView } from '../../src/modules/funds/funds.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MatchingService } from '../../src/modules/matching/matching.service';
import { QUEUE_NAMES } from '../../src/queue/queue.constants';
import { buildMatchingRule, createCampaign } from '../factories/campaigns.factory';
import { createFoundation, createFund, fundFromOutside } from '../factories/foundation.factory';
import { startSmtpServer, type TestSmtpServer } from '../utils/mail-testing';
import { cleanEnv, freePort, startServer, startWorker, stopServer } from '../utils/processes';
import {
  createFileDatabase,
  dropFileDatabase,
  fileQueuePrefix,
  startConfiguredContext,
  type TestApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

/**
 * The scale-out shape, from dist/: two web processes (QUEUE_PROCESSORS=false) behind an imagined
 * proxy and one worker, on one PostgreSQL database and one Redis. A webhook storm for one matched
 * campaign is split between the web processes, a third of the events delivered to both and a
 * third twice to one: every gift settles once, the ledger and the totals add up, every donor is
 * thanked once by the worker, and the gift-start limit is one limit across both processes.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = fileQueuePrefix();
const GIFTS = 150;
const GIFT_MINOR = 1_000;
/** The pool matches this many gifts 1:1, then is empty. */
const MATCHED = 60;
const GIFTS_PER_IP = 5;

let dataDir: string;
let smtp: TestSmtpServer;
let context: TestingModule;
/** The app's services in this test process (CLI shape: no loops, no HTTP), for set-up and checks. */
let here: TestApp;
const children: ChildProcess[] = [];
let web: [string, string];
/** One campaign matched 1:1 from `pool` until the pool is empty. */
let campaign: CampaignView;
let pool: FundView;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'lianxin-many-'));
  await createFileDatabase();
  smtp = await startSmtpServer();
  context = await startConfiguredContext({ redisUrl: undefined, queue: { processors: false } });
  here = {
    get: (type) => context.get(type),
    dataSource: context.get(DataSource),
  } as TestApp;

  await createFoundation(here);
  pool = await createFund(here, { kind: 'MATCHING' });
  await fundFromOutside(here, pool, MATCHED * GIFT_MINOR);
  campaign = await createCampaign(here);
  await here.get(MatchingService).setRule(campaign.id, buildMatchingRule(pool.id));

  const shared = {
    DATABASE_URL: process.env.DATABASE_URL!,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    SMTP_URL: smtp.url,
    DATA_DIR: dataDir,
    OUTBOX_POLL_MS: '100',
    DONATION_LIMIT_PER_IP: String(GIFTS_PER_IP),
    LOG_LEVEL: 'warn',
  };
  const ports = [await freePort(), await freePort()];
  const started = await Promise.all([
    ...ports.map((port) =>
      startServer(
        cleanEnv({ ...shared, PORT: String(port), HOST: '127.0.0.1', QUEUE_PROCESSORS: 'false' }),
      ),
    ),
    startWorker(cleanEnv(shared)),
  ]);
  children.push(...started.map((s) => s.child));
  web = [`http://127.0.0.1:${ports[0]}`, `http://127.0.0.1:${ports[1]}`];
}, 120_000);

afterAll(async () => {
  await Promise.all(children.map((child) => stopServer(child)));
  await context?.close();
  for (const name of Object.values(QUEUE_NAMES)) {
    const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await smtp?.close();
  await dropFileDatabase();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

/** Starts a gift through one web process, from a client address (X-Forwarded-For). */
const startGift = (base: string, from: string, email: string) =>
  request(base)
    .post(`/api/v1/campaigns/${campaign.slug}/donations`)
    .set('x-forwarded-for', from)
    .send({ amountMinor: GIFT_MINOR, donorName: '捐赠人', donorEmail: email });

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

it('settles a webhook storm split between two web processes once per gift, and the worker thanks each donor once', async () => {
  // Each donor on a network of their own: the per-address limit is not what this part is about.
  const emails = Array.from({ length: GIFTS }, (_, i) => `storm-${i}-${prefix}@example.org`);
  const gifts: { id: string; email: string }[] = [];
  await inBatches(
    emails.map((email, i) => ({ email, i })),
    15,
    async ({ email, i }) => {
      const res = await startGift(web[i % 2]!, `10.20.${i >> 8}.${i & 255}`, email).expect(201);
      gifts.push({ id: (res.body as { id: string }).id, email });
    },
  );

  // A third of the events go to one process, a third to both, a third twice to the same one.
  const deliveries = gifts.flatMap((g, i) => {
    const event = stripeEvent(
      `evt_many_${g.id}`,
      'checkout.session.completed',
      paidSession(g.id, GIFT_MINOR),
    );
    const targets = [[web[i % 2]!], [web[0], web[1]], [web[i % 2]!, web[i % 2]!]][i % 3]!;
    return targets.map((target) => ({ target, event }));
  });
  deliveries.sort(() => Math.random() - 0.5);
  const statuses: number[] = [];
  await inBatches(deliveries, 30, async ({ target, event }) =>
    statuses.push((await deliver(target, event)).status),
  );
  expect(deliveries).toHaveLength((GIFTS / 3) * 5);
  expect(new Set(statuses)).toEqual(new Set([200]));

  const ids = gifts.map((g) => g.id);
  const [donations] = await here.dataSource.query<unknown[]>(
    `SELECT count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded,
            count(*) FILTER (WHERE matched_minor > 0)::int AS matched,
            coalesce(sum(matched_minor), 0)::int AS "matchedMinor"
     FROM donations WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  expect(donations).toEqual({
    succeeded: GIFTS,
    matched: MATCHED,
    matchedMinor: MATCHED * GIFT_MINOR,
  });
  const [entries] = await here.dataSource.query<unknown[]>(
    `SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM journal_entries
     WHERE kind = 'DONATION' AND metadata->>'donationId' = ANY($1::text[])`,
    [ids],
  );
  expect(entries).toEqual({ n: GIFTS, keys: GIFTS });
  const funds = here.get(FundsService);
  expect((await funds.get(campaign.fundId)).balanceMinor).toBe((GIFTS + MATCHED) * GIFT_MINOR);
  expect((await funds.get(pool.id)).balanceMinor).toBe(0);
  expect(await here.get(CampaignsService).totals(campaign.id)).toMatchObject({
    raisedMinor: GIFTS * GIFT_MINOR,
    matchedMinor: MATCHED * GIFT_MINOR,
    gifts: GIFTS,
  });
  const [events] = await here.dataSource.query<unknown[]>(
    `SELECT count(*)::int AS stored, count(*) FILTER (WHERE processed_at IS NULL)::int AS pending
     FROM payment_events WHERE event_id LIKE 'evt_many_%'`,
  );
  expect(events).toEqual({ stored: GIFTS, pending: 0 });
  const ledger = here.get(LedgerService);
  expect((await ledger.check()).ok).toBe(true);
  expect((await ledger.checkAcrossModules()).violations).toEqual([]);

  // The web processes run no processors: the worker sends every thank-you, each once.
  const thanked = async () =>
    (
      await here.dataSource.query<{ sent: number }[]>(
        `SELECT count(*) FILTER (WHERE status = 'SENT')::int AS sent FROM outbox
         WHERE dedupe_key = ANY($1::text[])`,
        [ids.map((id) => `donation-thanks:${id}`)],
      )
    )[0]!.sent;
  await waitUntil(async () => (await thanked()) === GIFTS, 'the worker to thank every donor', {
    timeoutMs: 90_000,
    intervalMs: 250,
  });
  const perDonor = gifts.map((g) => smtp.to(g.email).length);
  expect(perDonor.filter((n) => n !== 1)).toEqual([]);
}, 240_000);

it('holds one gift-start limit for a client address across both web processes', async () => {
  const from = '198.51.100.77';
  const statuses: number[] = [];
  for (let i = 0; i < GIFTS_PER_IP + 2; i++) {
    statuses.push((await startGift(web[i % 2]!, from, `limit-${i}@example.org`)).status);
  }
  expect(statuses).toEqual([...Array<number>(GIFTS_PER_IP).fill(201), 429, 429]);
}, 60_000);
