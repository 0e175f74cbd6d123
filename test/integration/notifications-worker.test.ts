import { Queue } from 'bullmq';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { TransactionService } from '../../src/database/transaction.service';
import { OutboxService } from '../../src/modules/notifications/outbox.service';
import { cleanEnv, ROOT, startWorker, stopServer } from '../utils/processes';
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
 * The scale-out shape: the web app with QUEUE_PROCESSORS=false only writes and relays; a separate
 * `npm run start:worker` process (the built dist/src/worker.js, as `npm test` builds first) runs
 * the processors, and stops cleanly on SIGTERM.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = fileQueuePrefix();

let smtp: TestSmtpServer;
let web: TestApp;
let inspector: Queue;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  await createFileDatabase();
  smtp = await startSmtpServer();
  web = await startConfiguredApp({
    redisUrl: REDIS_URL,
    smtpUrl: smtp.url,
    queue: { prefix, pollMs: 100, processors: false },
  });
  inspector = new Queue('email', { connection: { url: REDIS_URL }, prefix });
});
afterAll(async () => {
  if (worker) await stopServer(worker);
  await web?.close();
  await inspector?.obliterate({ force: true });
  await inspector?.close();
  await smtp?.close();
  await dropFileDatabase();
});

function workerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return cleanEnv({ LOG_LEVEL: 'warn', OUTBOX_POLL_MS: '100', ...extra });
}

it('leaves jobs to a separate worker process, which sends them and exits cleanly on SIGTERM', async () => {
  const to = `worker-${randomUUID().slice(0, 8)}@example.org`;
  const id = await web.get(TransactionService).run((m) =>
    web.get(OutboxService).enqueue(m, {
      template: 'donor-magic-link',
      to,
      locale: 'en',
      data: { url: 'https://give.example.org/donor/login?token=t', expiresAt: new Date() },
    }),
  );
  // Relayed by the web app, but nobody there processes it.
  await waitUntil(async () => (await inspector.getJobState(id)) === 'waiting', 'the job to wait');
  // The relay marks the row after the queue has the job: wait for that write too.
  const status = async () =>
    (
      await web.dataSource.query<{ status: string }[]>(`SELECT status FROM outbox WHERE id = $1`, [
        id,
      ])
    )[0]?.status;
  await waitUntil(async () => (await status()) === 'RELAYED', 'the row to be marked RELAYED');
  expect(await status()).toBe('RELAYED');

  const started = await startWorker(
    workerEnv({
      DATABASE_URL: process.env.DATABASE_URL!,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      SMTP_URL: smtp.url,
    }),
  );
  worker = started.child;
  await waitUntil(() => smtp.to(to).length === 1, 'the worker to send the email');
  expect(smtp.to(to)[0]!.subject).toBe('Your sign-in link for Lianxin');
  await waitUntil(
    async () => (await inspector.getJobState(id)) === 'completed',
    'the job to complete',
  );

  expect(await stopServer(worker)).toMatch(/^(0|SIGTERM)$/);
  worker = undefined;
  expect(started.output()).not.toMatch(/error/i);
});

it('refuses to start on the embedded database, which belongs to the web process', () => {
  const result = spawnSync(process.execPath, ['dist/src/worker.js'], {
    cwd: ROOT,
    env: workerEnv({}),
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('The worker needs DATABASE_URL');
});
