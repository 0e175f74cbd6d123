import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { hashSecret } from '../../src/common/secrets';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { LedgerService } from '../../src/modules/ledger/ledger.service';
import { MailTransport } from '../../src/modules/notifications/mail-transport';
import { RetentionBusyError } from '../../src/modules/privacy/privacy.errors';
import { RETENTION_KINDS } from '../../src/modules/privacy/retention/retention-rules';
import { RetentionService } from '../../src/modules/privacy/retention/retention.service';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import {
  createFileDatabase,
  dropFileDatabase,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

/**
 * The retention job removes exactly what is past its period (rows set just inside and just past
 * each default period), reports it, and a second run removes nothing; money stays as it was.
 */
describe('retention job', () => {
  let t: TestApp;
  let dataDir: string;
  beforeAll(async () => {
    // A DATA_DIR of its own: the run deletes old mail files, and other files' are not its.
    dataDir = await mkdtemp(path.join(tmpdir(), 'lianxin-retention-'));
    await createFileDatabase();
    t = await startConfiguredApp({ dataDir });
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t, { receiptPrefix: 'RT' });
  });
  afterAll(async () => {
    await t?.close();
    await dropFileDatabase();
    await rm(dataDir, { recursive: true, force: true });
  });

  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    t.dataSource.query<T[]>(sql, params);

  async function paidGift(amountMinor: number) {
    const campaign = await createCampaign(t);
    const email = `ret-${randomUUID().slice(0, 8)}@example.org`;
    const gift = await t
      .get(DonationsService)
      .start(campaign.slug, { amountMinor, donorName: '李四', donorEmail: email }, {});
    await deliver(
      t.server,
      stripeEvent(
        `evt_ret_${gift.id}`,
        'checkout.session.completed',
        paidSession(gift.id, amountMinor),
      ),
    ).expect(200);
    const thanks = await waitUntil(async () => {
      const [row] = await q<{ id: string }>(
        `SELECT id FROM outbox WHERE dedupe_key = $1 AND status = 'SENT'`,
        [`donation-thanks:${gift.id}`],
      );
      return row;
    }, 'the thank-you sent');
    await waitUntil(
      async () => (await q(`SELECT 1 FROM receipts WHERE donation_id = $1`, [gift.id])).length > 0,
      'its receipt',
    );
    const [event] = await q<{ id: string }>(`SELECT id FROM payment_events WHERE event_id = $1`, [
      `evt_ret_${gift.id}`,
    ]);
    return { id: gift.id, email, thanksId: thanks.id, eventId: event!.id };
  }

  const money = () =>
    q(
      `SELECT (SELECT json_agg(json_build_object('id', id, 'amount', amount_minor, 'refunded',
                refunded_minor, 'status', status) ORDER BY id) FROM donations) AS donations,
              (SELECT json_agg(json_build_object('number', number, 'amount', amount_minor)
                ORDER BY number) FROM receipts) AS receipts`,
    );

  it('removes what is past each period and nothing inside it; a second run removes nothing', async () => {
    const old = await paidGift(10_000);
    const recent = await paidGift(20_000);
    // Receipts are issued after the gift: all of them exist before the snapshot.
    await waitUntil(
      async () =>
        (
          await q<{ n: number }>(
            `SELECT count(*)::int AS n FROM outbox
              WHERE status IN ('PENDING', 'RELAYED') AND kind = 'RECEIPT_SYNC'`,
          )
        )[0]!.n === 0,
      'the receipts issued',
    );
    const inside = (days: number) => `now() - interval '${days} days' + interval '1 hour'`;
    const past = (days: number) => `now() - interval '${days} days' - interval '1 hour'`;

    // Sessions (30 days after they end) and one-time links (7 days after they expire).
    await q(
      `INSERT INTO sessions (id, donor_email, expires_at) VALUES
         ($1, $3, ${past(30)}), ($2, $3, ${inside(30)})`,
      [hashSecret('s-past'), hashSecret('s-inside'), old.email],
    );
    await q(
      `INSERT INTO one_time_tokens (purpose, token_hash, email, expires_at) VALUES
         ('DONOR_LOGIN', $1, $3, ${past(7)}), ('DONOR_LOGIN', $2, $3, ${inside(7)})`,
      [hashSecret('l-past'), hashSecret('l-inside'), old.email],
    );
    await q(
      `INSERT INTO donor_links (token_hash, purpose, donation_id, expires_at) VALUES
         ($1, 'STOP_MONTHLY', $3, ${past(7)}), ($2, 'STOP_MONTHLY', $3, ${inside(7)})`,
      [hashSecret('d-past'), hashSecret('d-inside'), old.id],
    );
    // Payment notifications: 180 days after settlement; waiting or dead ones are kept whole.
    await q(`UPDATE payment_events SET processed_at = ${past(180)} WHERE id = $1`, [old.eventId]);
    await q(`UPDATE payment_events SET processed_at = ${inside(180)} WHERE id = $1`, [
      recent.eventId,
    ]);
    await q(
      `INSERT INTO payment_events (provider, event_id, type, payload, received_at, attempts, dead_at, failure_reason)
       VALUES ('STRIPE', 'evt_dead_old', 'checkout.session.completed', '{"email": "dead@example.org"}', ${past(400)}, 5, ${past(300)}, 'UNKNOWN_DONATION'),
              ('STRIPE', 'evt_waiting_old', 'checkout.session.completed', '{"email": "wait@example.org"}', ${past(400)}, 1, NULL, NULL)`,
    );
    // Email bodies: 90 days after sending (or failing); a pending one is kept.
    await q(`UPDATE outbox SET sent_at = ${past(90)} WHERE id = $1`, [old.thanksId]);
    await q(`UPDATE outbox SET sent_at = ${inside(90)} WHERE id = $1`, [recent.thanksId]);
    const [failed] = await q<{ id: string }>(
      `INSERT INTO outbox (kind, payload, status, attempts, next_attempt_at, created_at)
       VALUES ('EMAIL', $1, 'FAILED', 5, ${past(90)}, ${past(95)}) RETURNING id`,
      [JSON.stringify({ template: 'test', to: 'failed@example.org', locale: 'en', data: {} })],
    );
    const [pending] = await q<{ id: string }>(
      `INSERT INTO outbox (kind, payload, status, next_attempt_at, created_at)
       VALUES ('EMAIL', $1, 'PENDING', now() + interval '1 day', ${past(200)}) RETURNING id`,
      [JSON.stringify({ template: 'test', to: 'pending@example.org', locale: 'en', data: {} })],
    );
    // The embedded mode's mail files, by when they were written.
    const mailDir = t.get(MailTransport).mailDir;
    await mkdir(mailDir, { recursive: true });
    const oldFile = randomUUID();
    const newFile = randomUUID();
    for (const id of [oldFile, newFile]) {
      const stored = {
        id,
        from: 'test@example.org',
        to: 'files@example.org',
        locale: 'en',
        template: 'test',
        subject: 'retention test',
        html: '',
        text: '',
        attachments: [],
        writtenAt: new Date().toISOString(),
      };
      await writeFile(path.join(mailDir, `${id}.eml`), 'Subject: retention test\r\n\r\n');
      await writeFile(path.join(mailDir, `${id}.json`), JSON.stringify(stored));
    }
    const longAgo = new Date(Date.now() - 91 * 86_400_000);
    await utimes(path.join(mailDir, `${oldFile}.json`), longAgo, longAgo);
    // Tests send no SMTP: mail is written to files, as in embedded mode.
    expect(t.get(MailTransport).kind).toBe('files');
    // IP addresses on gifts: 30 days.
    await q(`UPDATE donations SET ip = '203.0.113.7', created_at = ${past(30)} WHERE id = $1`, [
      old.id,
    ]);
    await q(`UPDATE donations SET ip = '203.0.113.8', created_at = ${inside(30)} WHERE id = $1`, [
      recent.id,
    ]);

    const before = await money();
    expect((await t.get(LedgerService).check()).ok).toBe(true);

    const first = await t.get(RetentionService).run('MANUAL', null);
    expect(first.removed).toEqual({
      sessions: 1,
      oneTimeLinks: 1,
      donorLinks: 1,
      paymentPayloads: 1,
      emailBodies: 2,
      mailFiles: 1,
      donationIps: 1,
      donors: 0,
    });

    const ids = async (table: string, column: string, values: string[]) =>
      (
        await q<{ v: string }>(`SELECT ${column} AS v FROM ${table} WHERE ${column} = ANY($1)`, [
          values,
        ])
      )
        .map((r) => r.v)
        .sort();
    expect(await ids('sessions', 'id', [hashSecret('s-past'), hashSecret('s-inside')])).toEqual([
      hashSecret('s-inside'),
    ]);
    expect(
      await ids('one_time_tokens', 'token_hash', [hashSecret('l-past'), hashSecret('l-inside')]),
    ).toEqual([hashSecret('l-inside')]);
    expect(
      await ids('donor_links', 'token_hash', [hashSecret('d-past'), hashSecret('d-inside')]),
    ).toEqual([hashSecret('d-inside')]);

    const events = await q<{
      event_id: string;
      payload: Record<string, unknown>;
      redacted: boolean;
    }>(
      `SELECT event_id, payload, payload_redacted_at IS NOT NULL AS redacted FROM payment_events ORDER BY id`,
    );
    const event = (id: string) => events.find((e) => e.event_id === id)!;
    expect(event(`evt_ret_${old.id}`)).toEqual({
      event_id: `evt_ret_${old.id}`,
      payload: { redacted: true },
      redacted: true,
    });
    expect(event(`evt_ret_${recent.id}`).redacted).toBe(false);
    expect(JSON.stringify(event(`evt_ret_${recent.id}`).payload)).toContain(recent.id);
    expect(event('evt_dead_old').payload).toEqual({ email: 'dead@example.org' });
    expect(event('evt_waiting_old').payload).toEqual({ email: 'wait@example.org' });

    const emails = await q<{ id: string; payload: Record<string, unknown>; redacted: boolean }>(
      `SELECT id, payload, payload_redacted_at IS NOT NULL AS redacted FROM outbox WHERE id = ANY($1)`,
      [[old.thanksId, recent.thanksId, failed!.id, pending!.id]],
    );
    const email = (id: string) => emails.find((e) => e.id === id)!;
    expect(email(old.thanksId)).toMatchObject({
      payload: { template: 'donation-thanks', locale: 'zh-CN', to: '', data: {} },
      redacted: true,
    });
    expect(JSON.stringify(email(old.thanksId).payload)).not.toContain(old.email);
    expect(email(failed!.id)).toMatchObject({ payload: { to: '', data: {} }, redacted: true });
    expect(email(recent.thanksId)).toMatchObject({
      payload: { to: recent.email },
      redacted: false,
    });
    expect(email(pending!.id)).toMatchObject({
      payload: { to: 'pending@example.org' },
      redacted: false,
    });
    expect(existsSync(path.join(mailDir, `${oldFile}.json`))).toBe(false);
    expect(existsSync(path.join(mailDir, `${oldFile}.eml`))).toBe(false);
    expect(existsSync(path.join(mailDir, `${newFile}.json`))).toBe(true);

    expect(
      await q(`SELECT id, ip FROM donations WHERE id = ANY($1) ORDER BY amount_minor`, [
        [old.id, recent.id],
      ]),
    ).toEqual([
      { id: old.id, ip: null },
      { id: recent.id, ip: '203.0.113.8' },
    ]);

    // Money, receipts and the ledger are exactly as they were.
    expect(await money()).toEqual(before);
    expect((await t.get(LedgerService).check()).ok).toBe(true);

    // Twice-run idempotent: the second run finds nothing.
    const second = await t.get(RetentionService).run('MANUAL', null);
    expect(Object.values(second.removed)).toEqual(RETENTION_KINDS.map(() => 0));
    expect(await money()).toEqual(before);

    // The report rows and their audit rows.
    const runs = await q<{
      id: string;
      trigger: string;
      removed: unknown;
      cutoffs: Record<string, string>;
      finished: boolean;
    }>(
      `SELECT id, trigger, removed, cutoffs, finished_at IS NOT NULL AS finished FROM retention_runs
        WHERE id = ANY($1) ORDER BY started_at`,
      [[first.id, second.id]],
    );
    expect(runs.map((r) => [r.id, r.trigger, r.removed, r.finished])).toEqual([
      [first.id, 'MANUAL', first.removed, true],
      [second.id, 'MANUAL', second.removed, true],
    ]);
    expect(Object.keys(runs[0]!.cutoffs).sort()).toEqual([...RETENTION_KINDS].sort());
    const sessionCutoff = new Date(runs[0]!.cutoffs.sessions!).getTime();
    expect(Math.abs(sessionCutoff - (Date.now() - 30 * 86_400_000))).toBeLessThan(120_000);
    const audit = await q<{ entity_id: string; after: unknown }>(
      `SELECT entity_id, after FROM audit_log WHERE action = 'privacy.retention_run'
        AND entity_type = 'retention_run' ORDER BY id`,
    );
    expect(audit).toEqual([
      { entity_id: first.id, after: { trigger: 'MANUAL', removed: first.removed } },
      { entity_id: second.id, after: { trigger: 'MANUAL', removed: second.removed } },
    ]);
  });

  it('refuses a run while another holds the lock, in any process', async () => {
    const other = t.dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtextextended('privacy:retention-run', 0))`);
      await expect(t.get(RetentionService).run('MANUAL', null)).rejects.toBeInstanceOf(
        RetentionBusyError,
      );
      expect(await t.get(RetentionService).runScheduledIfDue()).toBeNull();
      await other.query(`SELECT pg_advisory_unlock(hashtextextended('privacy:retention-run', 0))`);
      await expect(t.get(RetentionService).run('MANUAL', null)).resolves.toMatchObject({
        trigger: 'MANUAL',
      });
    } finally {
      await other.release();
    }
  });

  it('runs the scheduled job once, then skips it while the last scheduled run is recent', async () => {
    const before = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM retention_runs WHERE trigger = 'SCHEDULED'`,
    );
    expect(before[0]!.n).toBe(0);
    const first = await t.get(RetentionService).runScheduledIfDue();
    expect(first).toMatchObject({ trigger: 'SCHEDULED' });
    expect(await t.get(RetentionService).runScheduledIfDue()).toBeNull();
    // 21 hours later it is due again.
    await q(
      `UPDATE retention_runs SET finished_at = finished_at - interval '21 hours' WHERE id = $1`,
      [first!.id],
    );
    expect(await t.get(RetentionService).runScheduledIfDue()).toMatchObject({
      trigger: 'SCHEDULED',
    });
  });

  it('erases donors past their contact period, unless a monthly gift runs or a request is open', async () => {
    const gone = await paidGift(11_100);
    const recent = await paidGift(22_200);
    const monthly = await paidGift(33_300);
    const asked = await paidGift(44_400);
    const years = (n: number, plus: string) => `now() - interval '${n} years' ${plus}`;
    // Default period: 5 years after the last gift.
    await q(
      `UPDATE donations SET created_at = ${years(5, "- interval '1 day'")} WHERE id = ANY($1)`,
      [[gone.id, monthly.id, asked.id]],
    );
    await q(`UPDATE donations SET created_at = ${years(5, "+ interval '1 day'")} WHERE id = $1`, [
      recent.id,
    ]);
    await q(
      `UPDATE donations SET monthly = true, provider_subscription_id = 'sub_ret_running',
              subscription_cancelled_at = NULL WHERE id = $1`,
      [monthly.id],
    );
    await q(
      `INSERT INTO erasure_requests (email, status, locale, confirm_by, confirmed_at, due_at)
       VALUES ($1, 'CONFIRMED', 'zh-CN', now() + interval '1 day', now(), now() + interval '15 days')`,
      [asked.email],
    );
    const before = await money();

    const first = await t.get(RetentionService).run('MANUAL', null);
    expect(first.removed.donors).toBe(1);
    const rows = await q<{ id: string; email: string | null; erased: number | null }>(
      `SELECT id, donor_email AS email, donor_erased_no AS erased FROM donations WHERE id = ANY($1)`,
      [[gone.id, recent.id, monthly.id, asked.id]],
    );
    const row = (id: string) => rows.find((r) => r.id === id)!;
    expect(row(gone.id).erased).not.toBeNull();
    expect(row(gone.id).email).not.toBe(gone.email);
    expect(row(recent.id)).toMatchObject({ email: recent.email, erased: null });
    expect(row(monthly.id)).toMatchObject({ email: monthly.email, erased: null });
    expect(row(asked.id)).toMatchObject({ email: asked.email, erased: null });
    const [person] = await q<{ reason: string; kind: string }>(
      `SELECT reason, kind FROM erased_people WHERE no = $1`,
      [row(gone.id).erased],
    );
    expect(person).toEqual({ reason: 'RETENTION', kind: 'DONOR' });

    // Amounts, receipts' numbers and amounts, and the books are as they were.
    expect(await money()).toEqual(before);
    expect((await t.get(LedgerService).check()).ok).toBe(true);
    const second = await t.get(RetentionService).run('MANUAL', null);
    expect(second.removed.donors).toBe(0);
  });

  describe('in the back office', () => {
    async function signedIn(roles: Parameters<typeof createUser>[1]) {
      const user = await createUser(t, roles);
      const browser = formSession(t.server);
      expect((await browser.signIn(user.email, TEST_PASSWORD)).status).toBe(303);
      return { user, browser };
    }

    it('shows ADMIN and FINANCE the periods and the runs; others are refused', async () => {
      const { browser: admin } = await signedIn(['ADMIN']);
      const page = await admin.agent.get('/admin/privacy/retention').expect(200);
      expect(page.text).toContain('登录会话（结束后保存天数）');
      expect(page.text).toContain('30 天');
      expect(page.text).toContain('href="/admin/privacy"');
      expect(page.text).toContain('href="/admin/privacy/retention"');
      expect(page.headers['cache-control']).toBe('no-store');

      const { browser: finance } = await signedIn(['FINANCE']);
      const en = await finance.agent.get('/admin/privacy/retention?lang=en').expect(200);
      expect(en.text).toContain('Sign-in sessions (days after they end)');
      expect(en.text).not.toContain('id="change-periods"');

      const { browser: reviewer } = await signedIn(['REVIEWER']);
      await reviewer.agent.get('/admin/privacy/retention').expect(403);
      expect((await reviewer.post('/admin/privacy/retention/run', {})).status).toBe(403);
    });

    it('runs now after a confirmation, recording who; a run in progress is refused with 409', async () => {
      const { user, browser } = await signedIn(['FINANCE']);
      const first = await browser.post('/admin/privacy/retention/run', {});
      expect(first.status).toBe(200);
      expect(first.text).toContain('id="confirm-form"');
      expect(await q(`SELECT 1 FROM retention_runs WHERE started_by = $1`, [user.id])).toEqual([]);

      const done = await browser.postConfirmed('/admin/privacy/retention/run', {});
      expect(done.status).toBe(303);
      expect(done.headers.location).toBe('/admin/privacy/retention');
      const runs = await q<{ id: string }>(
        `SELECT id FROM retention_runs WHERE started_by = $1 AND trigger = 'MANUAL'`,
        [user.id],
      );
      expect(runs).toHaveLength(1);
      const page = await browser.agent.get('/admin/privacy/retention?lang=en').expect(200);
      expect(page.text).toContain(`id="run-${runs[0]!.id}"`);
      expect(page.text).toContain('Test FINANCE');
      expect(page.text).toContain('Manual');

      const other = t.dataSource.createQueryRunner();
      await other.connect();
      try {
        await other.query(`SELECT pg_advisory_lock(hashtextextended('privacy:retention-run', 0))`);
        const zh = await browser.postConfirmed('/admin/privacy/retention/run?lang=zh-CN', {});
        expect(zh.status).toBe(409);
        expect(zh.text).toContain('保存期限清理正在进行中，请稍候。');
        const en = await browser.postConfirmed('/admin/privacy/retention/run?lang=en', {});
        expect(en.status).toBe(409);
        expect(en.text).toContain('A retention run is already in progress; wait for it to finish.');
      } finally {
        await other.query(
          `SELECT pg_advisory_unlock(hashtextextended('privacy:retention-run', 0))`,
        );
        await other.release();
      }
    });
  });
});
