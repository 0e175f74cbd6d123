import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { AppConfig } from '../../src/config/app-config';
import { TransactionService } from '../../src/database/transaction.service';
import {
  EMAIL_TEMPLATE_NAMES,
  type EmailMessage,
} from '../../src/modules/notifications/email-message';
import { EmailRenderer } from '../../src/modules/notifications/email-renderer';
import { OutboxService } from '../../src/modules/notifications/outbox.service';
import { OutboxDispatcher } from '../../src/queue/outbox-dispatcher';
import { OutboxExecutor } from '../../src/queue/outbox-executor';
import type { OutboxStatus } from '../../src/queue/outbox-status';
import {
  decodeMimeWords,
  mailText,
  startSmtpServer,
  type TestSmtpServer,
} from '../utils/mail-testing';
import {
  createFileDatabase,
  dropFileDatabase,
  startConfiguredApp,
  startConfiguredContext,
  type TestApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';

/**
 * Embedded queue mode (no REDIS_URL): the in-process drainer sends due outbox rows itself and
 * keeps the retry schedule in the table. First to a real SMTP server, then (no SMTP_URL either)
 * to .eml files listed on the dev outbox page.
 */
const BACKOFF_MS = 80;
const MAX_ATTEMPTS = 3;
const queue = { pollMs: 100, backoffMs: BACKOFF_MS, maxAttempts: MAX_ATTEMPTS, processors: true };

beforeAll(() => createFileDatabase());
afterAll(() => dropFileDatabase());

const address = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.org`;

function reset(to: string, extra: Partial<EmailMessage> = {}): EmailMessage {
  return {
    template: 'password-reset',
    to,
    locale: 'zh-CN',
    data: { url: 'https://give.example.org/password/reset?token=abc', expiresAt: new Date() },
    ...extra,
  };
}

function enqueue(t: TestApp, message: EmailMessage): Promise<string> {
  return t.get(TransactionService).run((m) => t.get(OutboxService).enqueue(m, message));
}

async function row(t: TestApp, id: string) {
  const [found] = await t.dataSource.query(
    `SELECT status, attempts, last_error, next_attempt_at, relayed_at FROM outbox WHERE id = $1`,
    [id],
  );
  return found as {
    status: OutboxStatus;
    attempts: number;
    last_error: string | null;
    next_attempt_at: Date;
    relayed_at: Date | null;
  };
}

const untilStatus = (t: TestApp, id: string, status: OutboxStatus) =>
  waitUntil(async () => (await row(t, id)).status === status, `outbox ${id} to be ${status}`);

describe('in-process drainer with SMTP', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startConfiguredApp({ redisUrl: undefined, smtpUrl: smtp.url, queue });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('runs in-process and sends one email per committed enqueue', async () => {
    expect(t.get(OutboxDispatcher).mode).toBe('in-process');
    const to = address('reset');
    const id = await enqueue(t, reset(to));
    await untilStatus(t, id, 'SENT');
    expect(smtp.to(to)).toHaveLength(1);
    expect(smtp.to(to)[0]!.subject).toBe('重置您的连心密码');
    expect(smtp.to(to)[0]!.headers['content-language']).toBe('zh-CN');
    expect(await row(t, id)).toMatchObject({ attempts: 1, relayed_at: null });
  });

  it('states times in Beijing time with the zone, and gives links the reader language', async () => {
    const to = address('words');
    const site = t.get(AppConfig).publicUrl.replace(/\/+$/, '');
    const id = await enqueue(t, {
      template: 'password-reset',
      to,
      locale: 'en',
      data: {
        url: `${site}/password/reset?token=abc`,
        // 16:30 UTC on 31 December is already 1 January in Beijing.
        expiresAt: new Date('2026-12-31T16:30:00Z'),
      },
    });
    await untilStatus(t, id, 'SENT');
    const text = mailText(smtp.to(to)[0]!);
    expect(text).toContain(`${site}/password/reset?token=abc&lang=en`);
    expect(text).toContain('Jan 1, 2027, 00:30 (Beijing time)');
  });

  it('sends nothing for a rolled-back enqueue, and one email per dedupe key', async () => {
    const rolledBack = address('rolled-back');
    await expect(
      t.get(TransactionService).run(async (m) => {
        await t.get(OutboxService).enqueue(m, reset(rolledBack));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const to = address('dedupe');
    const dedupeKey = `reset:${randomUUID()}`;
    const first = await enqueue(t, reset(to, { dedupeKey }));
    expect(await enqueue(t, reset(to, { dedupeKey }))).toBe(first);
    await untilStatus(t, first, 'SENT');
    expect(smtp.to(to)).toHaveLength(1);
    expect(smtp.to(rolledBack)).toHaveLength(0);
  });

  it('keeps the retry schedule in the table: attempts, growing waits, then SENT', async () => {
    const to = address('flaky');
    smtp.failNext(to, 2);
    const id = await enqueue(t, reset(to));
    const afterFirst = await waitUntil(async () => {
      const r = await row(t, id);
      return r.attempts === 1 ? r : undefined;
    }, 'the first failed attempt');
    expect(afterFirst).toMatchObject({ status: 'PENDING' });
    expect(afterFirst.last_error).toMatch(/451/);
    await untilStatus(t, id, 'SENT');
    const times = [
      ...smtp.refused.filter((r) => r.to === to).map((r) => r.at),
      smtp.to(to)[0]!.receivedAt,
    ];
    expect(times).toHaveLength(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(BACKOFF_MS - 10);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(2 * BACKOFF_MS - 10);
    expect(await row(t, id)).toMatchObject({ attempts: 3, last_error: null });
  });

  it('marks a row FAILED after OUTBOX_MAX_ATTEMPTS and never tries it again', async () => {
    const to = address('down');
    smtp.failNext(to, 100);
    const id = await enqueue(t, reset(to));
    await untilStatus(t, id, 'FAILED');
    expect(await row(t, id)).toMatchObject({ attempts: MAX_ATTEMPTS });
    expect(smtp.refused.filter((r) => r.to === to)).toHaveLength(MAX_ATTEMPTS);
    await expect(t.get(OutboxExecutor).execute(id, 'table')).resolves.toMatchObject({
      result: 'skipped',
    });
  });

  it('shares the work between two processes without sending anything twice', async () => {
    const second = await startConfiguredApp({ redisUrl: undefined, smtpUrl: smtp.url, queue });
    try {
      const recipients = Array.from({ length: 30 }, (_, i) => address(`shared-${i}`));
      const ids: string[] = [];
      for (const to of recipients) ids.push(await enqueue(i2(ids.length), reset(to)));
      await waitUntil(async () => {
        const [{ n }] = await t.dataSource.query(
          `SELECT count(*)::int AS n FROM outbox WHERE id = ANY($1::uuid[]) AND status = 'SENT'`,
          [ids],
        );
        return n === ids.length;
      }, 'all 30 emails to be sent');
      for (const to of recipients) expect(smtp.to(to)).toHaveLength(1);
    } finally {
      await second.close();
    }
    function i2(n: number): TestApp {
      return n % 2 === 0 ? t : second;
    }
  });

  it('has no dev outbox page when SMTP_URL is set', async () => {
    await request(t.server).get('/dev/outbox').expect(404);
  });
});

describe('file transport and the dev outbox page (no SMTP_URL)', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lianxin-mail-'));
  let t: TestApp;
  let id: string;
  const to = address('files');
  beforeAll(async () => {
    t = await startConfiguredApp({ redisUrl: undefined, smtpUrl: undefined, dataDir, queue });
    id = await enqueue(t, {
      template: 'user-invite',
      to,
      locale: 'en',
      data: {
        inviteeName: '<b>Li</b> & Co',
        inviterName: 'Chen "CJ" Jing',
        url: 'https://give.example.org/invite/abc?x=1&y=2',
        expiresAt: '2026-12-01T08:00:00Z',
      },
    });
    await untilStatus(t, id, 'SENT');
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes each message as an .eml file under DATA_DIR/mail', () => {
    const eml = readFileSync(path.join(dataDir, 'mail', `${id}.eml`), 'utf8');
    const subject = /^Subject: (.*)$/m.exec(eml)?.[1] ?? '';
    expect(decodeMimeWords(subject)).toBe('Chen "CJ" Jing invited you to Lianxin');
    expect(eml).toMatch(new RegExp(`^To: ${to}$`, 'm'));
    expect(eml).toMatch(/^Content-Language: en$/m);
    expect(eml).toMatch(/multipart\/alternative/);
    expect(existsSync(path.join(dataDir, 'mail', `${id}.json`))).toBe(true);
  });

  it('lists the messages and shows one with its links clickable and its data escaped', async () => {
    const list = await request(t.server).get('/dev/outbox?lang=en').expect(200);
    expect(list.text).toContain(`href="/dev/outbox/${id}?lang=en"`);
    expect(list.text).toContain('Chen &quot;CJ&quot; Jing invited you to Lianxin');
    expect(list.text).toContain(to);

    const page = await request(t.server).get(`/dev/outbox/${id}?lang=en`).expect(200);
    expect(page.text).toContain(
      '<a href="https://give.example.org/invite/abc?x&#x3D;1&amp;y&#x3D;2">https://give.example.org/invite/abc?x&#x3D;1&amp;y&#x3D;2</a>',
    );
    expect(page.text).toContain('Hello &lt;b&gt;Li&lt;/b&gt; &amp; Co,');
    expect(page.text).not.toContain('<b>Li</b>');
    // Ready for a strict CSP: no inline scripts or styles.
    expect(page.text).not.toMatch(/<script|<style|\sstyle=/);

    const raw = await request(t.server).get(`/dev/outbox/${id}/raw`).expect(200);
    expect(raw.headers['content-type']).toMatch(/^text\/plain/);
    expect(raw.text).toContain(`Message-ID: <${id}@localhost>`);

    const html = await request(t.server).get(`/dev/outbox/${id}/html`).expect(200);
    expect(html.headers['content-security-policy']).toMatch(/^sandbox/);
    expect(html.text).toContain('&lt;b&gt;Li&lt;/b&gt; &amp; Co');
  });

  /** Requests to this machine's own non-loopback address arrive from a non-local peer. */
  async function expectLocalOnly(externalAddress: string): Promise<void> {
    await t.app.listen(0, '0.0.0.0');
    const { port } = t.server.address() as AddressInfo;
    for (const url of ['/dev/outbox', `/dev/outbox/${id}`, `/dev/outbox/${id}/raw`]) {
      expect((await fetch(`http://127.0.0.1:${port}${url}`)).status).toBe(200);
      const remote = await fetch(`http://${externalAddress}:${port}${url}`, {
        headers: { 'x-forwarded-for': '127.0.0.1' },
      });
      expect(remote.status).toBe(404);
    }
  }
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && !a.internal && a.family === 'IPv4');
  (external ? it : it.skip)(
    'answers only a browser on the same machine, since the emails hold sign-in links',
    () => expectLocalOnly(external!.address),
  );

  it('answers 404 for a message that does not exist', async () => {
    await request(t.server).get(`/dev/outbox/${randomUUID()}`).expect(404);
    await request(t.server).get('/dev/outbox/..%2F..%2Fetc%2Fpasswd').expect(404);
    await request(t.server).get('/dev/outbox/not-an-id/raw').expect(404);
  });

  it('escapes data in the HTML part only, and renders every template in both languages', () => {
    const renderer = t.get(EmailRenderer);
    const data = {
      inviteeName: '<i>x</i>',
      inviterName: 'A & B',
      url: 'https://give.example.org/x',
      expiresAt: '2026-12-01T08:00:00Z',
    };
    const invite = renderer.render({ template: 'user-invite', to, locale: 'en', data });
    expect(invite.html).toContain('&lt;i&gt;x&lt;/i&gt;');
    expect(invite.html).not.toContain('<i>x</i>');
    expect(invite.text).toContain('Hello <i>x</i>,');
    expect(invite.text).toContain('A & B has invited you');
    expect(invite.subject).toBe('A & B invited you to Lianxin');
    for (const template of EMAIL_TEMPLATE_NAMES) {
      for (const locale of ['zh-CN', 'en'] as const) {
        const email = renderer.render({ template, to, locale, data });
        // A missing string shows up as its key ("email.…").
        expect([email.subject, email.html, email.text].join('\n')).not.toMatch(/email\.[\w-]+\./);
        expect(email.subject).not.toBe('');
        expect(email.text).not.toContain('&amp;');
      }
    }
  });
});

describe('dev outbox page in production', () => {
  it('does not exist when NODE_ENV is production, even without SMTP_URL', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lianxin-mail-'));
    const t = await startConfiguredApp({
      redisUrl: undefined,
      smtpUrl: undefined,
      dataDir,
      nodeEnv: 'production',
      queue,
    });
    try {
      await request(t.server).get('/dev/outbox').expect(404);
      await request(t.server).get(`/dev/outbox/${randomUUID()}/raw`).expect(404);
    } finally {
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('outside a web or worker process (the CLI)', () => {
  it('runs no relay or drainer: rows wait for a process that does', async () => {
    const context = await startConfiguredContext({ redisUrl: undefined, queue });
    try {
      const dispatcher = context.get(OutboxDispatcher);
      expect(dispatcher.role).toBe('cli');
      dispatcher.nudge();
      expect(dispatcher.passes).toBe(0);
    } finally {
      await context.close();
    }
  });
});
