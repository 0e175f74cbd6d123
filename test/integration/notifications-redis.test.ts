import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { TransactionService } from '../../src/database/transaction.service';
import type { EmailMessage } from '../../src/modules/notifications/email-message';
import { OutboxService } from '../../src/modules/notifications/outbox.service';
import { BullQueues } from '../../src/queue/bull-queues';
import { OutboxExecutor } from '../../src/queue/outbox-executor';
import type { OutboxStatus } from '../../src/queue/outbox-status';
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
 * Production mode: outbox → relay → BullMQ on the real Redis → worker → SMTP (a real SMTP server
 * in this process). The queues use this file's own prefix.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = fileQueuePrefix();
const BACKOFF_MS = 60;
const MAX_ATTEMPTS = 4;

let smtp: TestSmtpServer;
let t: TestApp;
let inspector: Queue;

beforeAll(async () => {
  await createFileDatabase();
  smtp = await startSmtpServer();
  t = await startConfiguredApp({
    redisUrl: REDIS_URL,
    smtpUrl: smtp.url,
    queue: {
      prefix,
      pollMs: 200,
      backoffMs: BACKOFF_MS,
      maxAttempts: MAX_ATTEMPTS,
      processors: true,
    },
  });
  inspector = new Queue('email', { connection: { url: REDIS_URL }, prefix });
});

afterAll(async () => {
  await t?.close();
  await inspector?.obliterate({ force: true });
  await inspector?.close();
  await smtp?.close();
  await dropFileDatabase();
});

const address = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.org`;

function invite(to: string, extra: Partial<EmailMessage> = {}): EmailMessage {
  return {
    template: 'user-invite',
    to,
    locale: 'en',
    data: {
      inviteeName: 'Li Wei',
      inviterName: 'Chen Jing',
      url: 'https://give.example.org/invite/abc',
      expiresAt: new Date('2026-12-01T08:00:00Z'),
    },
    ...extra,
  };
}

function enqueue(message: EmailMessage): Promise<string> {
  return t.get(TransactionService).run((m) => t.get(OutboxService).enqueue(m, message));
}

async function row(id: string) {
  const [found] = await t.dataSource.query(
    `SELECT status, attempts, last_error, relayed_at, sent_at, next_attempt_at FROM outbox WHERE id = $1`,
    [id],
  );
  return found as {
    status: OutboxStatus;
    attempts: number;
    last_error: string | null;
    relayed_at: Date | null;
    sent_at: Date | null;
  };
}

const statusOf = async (id: string) => (await row(id)).status;
const untilStatus = (id: string, status: OutboxStatus) =>
  waitUntil(async () => (await statusOf(id)) === status, `outbox ${id} to be ${status}`);

describe('email through the outbox, BullMQ and SMTP', () => {
  it('sends exactly one email for a committed enqueue, with the right subject, recipient and locale', async () => {
    const to = address('zh');
    const id = await enqueue(
      invite(to, {
        locale: 'zh-CN',
        data: {
          inviteeName: '李伟',
          inviterName: '陈静',
          url: 'https://give.example.org/invite/xyz',
          expiresAt: '2026-12-01T08:00:00Z',
        },
      }),
    );
    await untilStatus(id, 'SENT');
    const mails = smtp.to(to);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.to).toEqual([to]);
    expect(mail.subject).toBe('陈静 邀请您加入连心');
    expect(mail.headers['content-language']).toBe('zh-CN');
    expect(mail.headers['message-id']).toContain(id);
    expect(mail.headers['x-lianxin-template']).toBe('user-invite');
    expect(mail.from).toBe('no-reply@lianxin.localhost');
    expect(mail.raw).toMatch(/multipart\/alternative/);
    const sent = await row(id);
    expect(sent).toMatchObject({ attempts: 1, last_error: null });
    expect(sent.relayed_at).not.toBeNull();
  });

  it('sends nothing when the enqueueing transaction rolls back', async () => {
    const to = address('rolled-back');
    await expect(
      t.get(TransactionService).run(async (m) => {
        await t.get(OutboxService).enqueue(m, invite(to));
        throw new Error('the business rule failed after the enqueue');
      }),
    ).rejects.toThrow('the business rule failed');
    // A sentinel enqueued afterwards goes through the same relay and worker: once it has arrived,
    // anything committed before it would have too.
    const sentinel = address('sentinel');
    await untilStatus(await enqueue(invite(sentinel)), 'SENT');
    expect(smtp.to(sentinel)).toHaveLength(1);
    expect(smtp.to(to)).toHaveLength(0);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM outbox WHERE payload->>'to' = $1`,
      [to],
    );
    expect(n).toBe(0);
  });

  it('sends one email for a dedupe key enqueued twice, and returns the first id both times', async () => {
    const to = address('dedupe');
    const dedupeKey = `invite:${randomUUID()}`;
    const first = await enqueue(invite(to, { dedupeKey }));
    const again = await t.get(TransactionService).run(async (m) => {
      const a = await t.get(OutboxService).enqueue(m, invite(to, { dedupeKey }));
      const b = await t.get(OutboxService).enqueue(m, invite(to, { dedupeKey, locale: 'zh-CN' }));
      return [a, b];
    });
    expect(again).toEqual([first, first]);
    await untilStatus(first, 'SENT');
    const sentinel = address('sentinel');
    await untilStatus(await enqueue(invite(sentinel)), 'SENT');
    expect(smtp.to(to)).toHaveLength(1);
    expect(smtp.to(to)[0]!.headers['content-language']).toBe('en');
  });

  it('uses the outbox id as the BullMQ job id, so adding a row twice makes one job', async () => {
    const to = address('job-id');
    const id = await enqueue(invite(to));
    await untilStatus(id, 'SENT');
    const job = await inspector.getJob(id);
    expect(job?.id).toBe(id);
    expect(job?.data).toEqual({ outboxId: id });
    expect(await inspector.getJobState(id)).toBe('completed');

    const before = await inspector.getJobCounts();
    await t.get(BullQueues).add('EMAIL', [id]);
    await t.get(BullQueues).add('EMAIL', [id, id]);
    expect(await inspector.getJobCounts()).toEqual(before);

    // A processor handed a job for a row already SENT does nothing.
    await expect(t.get(OutboxExecutor).execute(id, 'queue')).resolves.toEqual({
      result: 'skipped',
      reason: 'already SENT',
    });
    expect(smtp.to(to)).toHaveLength(1);
  });

  it('retries an SMTP failure with exponential backoff, then sends', async () => {
    const to = address('flaky');
    smtp.failNext(to, 2);
    const id = await enqueue(invite(to));
    await untilStatus(id, 'SENT');
    expect(smtp.to(to)).toHaveLength(1);
    const attempts = [
      ...smtp.refused.filter((r) => r.to === to).map((r) => r.at),
      smtp.to(to)[0]!.receivedAt,
    ];
    expect(attempts).toHaveLength(3);
    // Waits of about 1× and 2× the base backoff (timers may fire a little early or late).
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(BACKOFF_MS - 10);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(2 * BACKOFF_MS - 10);
    expect(await row(id)).toMatchObject({ status: 'SENT', attempts: 3, last_error: null });
    expect(await inspector.getJob(id).then((j) => j?.attemptsMade)).toBe(3);
  });

  it('gives up after OUTBOX_MAX_ATTEMPTS temporary failures', async () => {
    const to = address('down');
    smtp.failNext(to, 100);
    const id = await enqueue(invite(to));
    await untilStatus(id, 'FAILED');
    expect(smtp.refused.filter((r) => r.to === to)).toHaveLength(MAX_ATTEMPTS);
    expect(await row(id)).toMatchObject({ attempts: MAX_ATTEMPTS });
    expect((await row(id)).last_error).toMatch(/451/);
    await waitUntil(async () => (await inspector.getJobState(id)) === 'failed', 'job to fail');
  });

  it('fails at once, without retrying, when the server refuses the recipient for good', async () => {
    const to = address('nobody');
    smtp.rejectRecipient(to);
    const id = await enqueue(invite(to));
    await untilStatus(id, 'FAILED');
    expect(await row(id)).toMatchObject({ attempts: 1 });
    expect((await row(id)).last_error).toMatch(/550/);
  });

  it('re-queues a row whose job Redis lost after it was relayed', async () => {
    const to = address('lost-job');
    const [{ id }] = await t.dataSource.query(
      `INSERT INTO outbox (kind, payload, status, relayed_at)
       VALUES ('EMAIL', $1, 'RELAYED', now() - interval '1 day') RETURNING id`,
      [{ template: 'test', to, locale: 'en', data: { note: 'relayed, then lost' } }],
    );
    expect(await inspector.getJobState(id as string)).toBe('unknown');
    await untilStatus(id as string, 'SENT');
    expect(smtp.to(to)).toHaveLength(1);
    expect(smtp.to(to)[0]!.subject).toBe('Lianxin test email');
  });

  it('refuses an email that could never render, before anything is written', async () => {
    await expect(
      enqueue(invite(address('bad'), { data: { inviteeName: 'x', url: 'javascript:alert(1)' } })),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
