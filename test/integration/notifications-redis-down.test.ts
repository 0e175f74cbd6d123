import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { TransactionService } from '../../src/database/transaction.service';
import { OutboxService } from '../../src/modules/notifications/outbox.service';
import { OutboxDispatcher } from '../../src/queue/outbox-dispatcher';
import { startSmtpServer, type TestSmtpServer } from '../utils/mail-testing';
import {
  createFileDatabase,
  dropFileDatabase,
  fileQueuePrefix,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';

/**
 * DESIGN.md: "If Redis is down, nothing is lost: the outbox waits." An app whose REDIS_URL points
 * at nothing keeps serving and keeps accepting emails; they stay PENDING until a relay that can
 * reach Redis runs, and then go out once each.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const UNREACHABLE = 'redis://127.0.0.1:1';
const prefix = fileQueuePrefix();

let smtp: TestSmtpServer;

beforeAll(async () => {
  await createFileDatabase();
  smtp = await startSmtpServer();
});
afterAll(async () => {
  const inspector = new Queue('email', { connection: { url: REDIS_URL }, prefix });
  await inspector.obliterate({ force: true });
  await inspector.close();
  await smtp?.close();
  await dropFileDatabase();
});

async function statuses(t: TestApp, ids: string[]) {
  const rows: { status: string; attempts: number; relayed_at: Date | null }[] =
    await t.dataSource.query(
      `SELECT status, attempts, relayed_at FROM outbox WHERE id = ANY($1::uuid[]) ORDER BY created_at`,
      [ids],
    );
  return rows;
}

it('keeps emails PENDING while Redis is unreachable and relays them once it can', async () => {
  const config = { smtpUrl: smtp.url, queue: { prefix, pollMs: 100, backoffMs: 50 } };
  const broken = await startConfiguredApp({ ...config, redisUrl: UNREACHABLE });
  const recipients = [1, 2, 3].map((n) => `waiting-${n}-${randomUUID().slice(0, 8)}@example.org`);
  let ids: string[];
  try {
    ids = await broken.get(TransactionService).run(async (m) => {
      const queued: string[] = [];
      for (const to of recipients) {
        const message = { note: 'queued while Redis was down' };
        queued.push(
          await broken
            .get(OutboxService)
            .enqueue(m, { template: 'test', to, locale: 'en', data: message }),
        );
      }
      return queued;
    });
    // The relay keeps turning (ten more passes) without touching the rows.
    const passes = broken.get(OutboxDispatcher).passes;
    await waitUntil(() => broken.get(OutboxDispatcher).passes >= passes + 10, 'ten relay passes');
    expect(await statuses(broken, ids)).toEqual(
      ids.map(() => ({ status: 'PENDING', attempts: 0, relayed_at: null })),
    );

    const health = await request(broken.server).get('/health').expect(200);
    expect(health.body.checks.database.status).toBe('up');
    expect(health.body.checks.queue.status).toBe('down');
  } finally {
    const started = Date.now();
    await broken.close();
    // Closing never waits on the unreachable Redis.
    expect(Date.now() - started).toBeLessThan(5_000);
  }
  expect(smtp.received).toHaveLength(0);

  const working = await startConfiguredApp({ ...config, redisUrl: REDIS_URL });
  try {
    await waitUntil(
      async () => (await statuses(working, ids)).every((r) => r.status === 'SENT'),
      'the waiting emails to be sent',
    );
    for (const to of recipients) expect(smtp.to(to)).toHaveLength(1);
  } finally {
    await working.close();
  }
});
