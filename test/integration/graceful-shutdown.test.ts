import { Queue } from 'bullmq';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { QueryRunner } from 'typeorm';
import { TransactionService } from '../../src/database/transaction.service';
import { OutboxService } from '../../src/modules/notifications/outbox.service';
import { createCampaign } from '../factories/campaigns.factory';
import { startSmtpServer, type TestSmtpServer } from '../utils/mail-testing';
import { cleanEnv, freePort, startServer, startWorker, stopServer } from '../utils/processes';
import {
  createFileDatabase,
  dropFileDatabase,
  fileQueuePrefix,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { waitForLockWaiter, waitUntil } from '../utils/wait';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

/**
 * SIGTERM as an orchestrator sends it, to the built app (dist/): requests in progress are
 * answered, claimed outbox rows not started are due again at once for the next process, and a
 * job that hangs does not hold the process past SHUTDOWN_TIMEOUT_SECONDS.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let t: TestApp;
let smtp: TestSmtpServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  await createFileDatabase();
  smtp = await startSmtpServer();
  // Writes rows for the processes under test; runs no outbox loop of its own.
  t = await startConfiguredApp({ redisUrl: undefined, queue: { processors: false } });
});
afterAll(async () => {
  for (const child of children) await stopServer(child);
  await t?.close();
  await smtp?.close();
  await dropFileDatabase();
});

/** A web process on this file's database, without Redis (the in-process outbox drainer). */
async function web(extra: Record<string, string> = {}) {
  const port = await freePort();
  const started = await startServer(
    cleanEnv({
      DATABASE_URL: process.env.DATABASE_URL!,
      DATABASE_POOL_SIZE: '5',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'log',
      OUTBOX_POLL_MS: '100',
      SMTP_URL: smtp.url,
      ...extra,
    }),
  );
  children.push(started.child);
  return { ...started, url: `http://127.0.0.1:${port}` };
}

/** Resolves with the exit code (or signal) once the process has ended. */
function exited(child: ChildProcess): Promise<string> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(String(child.exitCode ?? child.signalCode));
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(String(code ?? signal))),
  );
}

function enqueueEmail(to: string): Promise<string> {
  return t.get(TransactionService).run((m) =>
    t.get(OutboxService).enqueue(m, {
      template: 'donor-magic-link',
      to,
      locale: 'en',
      data: { url: 'https://give.example.org/donor/login?token=t', expiresAt: new Date() },
    }),
  );
}

async function outboxRows(ids: string[]) {
  return t.dataSource.query<{ id: string; status: string; due: boolean }[]>(
    `SELECT id, status, next_attempt_at <= now() AS due FROM outbox WHERE id = ANY($1::uuid[])`,
    [ids],
  );
}

it('answers the request in progress with 200, refuses new connections, and exits 0', async () => {
  const campaign = await createCampaign(t);
  const created = await request(t.server)
    .post(`/api/v1/campaigns/${campaign.slug}/donations`)
    .send({ amountMinor: 2_500, donorName: '李雷', donorEmail: 'lilei@example.org' })
    .expect(201);
  const donationId = (created.body as { id: string }).id;
  const server = await web({ QUEUE_PROCESSORS: 'false' });

  // Hold the donation's row: the webhook's settlement waits for it, in flight.
  const holder: QueryRunner = t.dataSource.createQueryRunner();
  await holder.connect();
  try {
    await holder.startTransaction();
    await holder.query(`SELECT id FROM donations WHERE id = $1 FOR UPDATE`, [donationId]);
    const [{ pid }] = (await holder.query(`SELECT pg_backend_pid() AS pid`)) as [{ pid: number }];
    const answer = deliver(
      server.url,
      stripeEvent(
        `evt_${randomUUID()}`,
        'checkout.session.completed',
        paidSession(donationId, 2_500),
      ),
    ).then((res) => res);
    await waitForLockWaiter(t.dataSource, pid, 'the webhook to wait for the donation row');

    server.child.kill('SIGTERM');
    const exit = exited(server.child);
    // No new connections once it stops listening, though the request above is still running.
    await waitUntil(
      () =>
        fetch(`${server.url}/health`).then(
          () => false,
          () => true,
        ),
      'the server to stop accepting connections',
    );
    expect(server.child.exitCode).toBeNull();

    await holder.commitTransaction();
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await exit).toBe('0');
  } finally {
    if (holder.isTransactionActive) await holder.rollbackTransaction();
    await holder.release();
  }
  const [donation] = await t.dataSource.query<{ status: string }[]>(
    `SELECT status FROM donations WHERE id = $1`,
    [donationId],
  );
  expect(donation!.status).toBe('SUCCEEDED');
  expect(server.output()).toMatch(/SIGTERM: stopping[\s\S]*stopped in/);
}, 120_000);

it('gives back the outbox rows it claimed and has not started, due at once for the next process', async () => {
  const recipients = Array.from(
    { length: 4 },
    (_, i) => `drain-${i}-${randomUUID().slice(0, 8)}@example.org`,
  );
  const ids: string[] = [];
  for (const to of recipients) ids.push(await enqueueEmail(to));
  smtp.slowDown(4_000);
  const first = await web();
  // The drainer took the whole batch under its lease (ten minutes).
  await waitUntil(
    async () => (await outboxRows(ids)).every((row) => !row.due),
    'the first process to claim all four rows',
  );
  first.child.kill('SIGTERM');
  expect(await exited(first.child)).toBe('0');

  // The one in progress was finished (two, if the signal came as the second began); the rest
  // are due now, not in ten minutes.
  const rows = await outboxRows(ids);
  const sent = rows.filter((row) => row.status === 'SENT').length;
  const givenBack = rows.filter((row) => row.status === 'PENDING' && row.due).length;
  expect(sent).toBeGreaterThanOrEqual(1);
  expect(givenBack).toBeGreaterThanOrEqual(1);
  expect(sent + givenBack).toBe(4);

  smtp.slowDown(0);
  const second = await web();
  await waitUntil(
    async () => (await outboxRows(ids)).every((row) => row.status === 'SENT'),
    'the second process to send the rows given back',
    { timeoutMs: 15_000 },
  );
  for (const to of recipients) expect(smtp.to(to).length).toBe(1);
  expect(await stopServer(second.child)).toBe('0');
}, 120_000);

it('exits within SHUTDOWN_TIMEOUT_SECONDS when a job hangs, naming what it abandoned', async () => {
  // An SMTP server that accepts the connection and never greets: the send hangs.
  const sockets = new Set<Socket>();
  const silent: NetServer = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const prefix = `${fileQueuePrefix()}h`;
  const inspector = new Queue('email', { connection: { url: REDIS_URL }, prefix });
  try {
    const id = await enqueueEmail(`hang-${randomUUID().slice(0, 8)}@example.org`);
    const worker = await startWorker(
      cleanEnv({
        DATABASE_URL: process.env.DATABASE_URL!,
        DATABASE_POOL_SIZE: '5',
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        OUTBOX_POLL_MS: '100',
        SMTP_URL: `smtp://127.0.0.1:${(silent.address() as AddressInfo).port}`,
        SHUTDOWN_TIMEOUT_SECONDS: '2',
        LOG_LEVEL: 'log',
      }),
    );
    children.push(worker.child);
    await waitUntil(() => sockets.size > 0, 'the job to connect to the silent SMTP server', {
      timeoutMs: 30_000,
    });
    expect(await inspector.getJobState(id)).toBe('active');

    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    expect(await exited(worker.child)).toBe('1');
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(worker.output()).toMatch(new RegExp(`exiting anyway, abandoned: .*EMAIL ${id}`));
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await inspector.obliterate({ force: true });
    await inspector.close();
  }
}, 120_000);
