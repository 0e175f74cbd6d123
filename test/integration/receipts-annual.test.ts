import { randomUUID } from 'node:crypto';
import { RequestContext } from '../../src/common/context/request-context';
import type { CampaignView } from '../../src/modules/campaigns/campaigns.types';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { OfflineGiftsService } from '../../src/modules/donations/offline-gifts.service';
import { AnnualStatementsService } from '../../src/modules/receipts/annual/annual-statements.service';
import { shanghaiYear } from '../../src/modules/receipts/receipt-number';
import { ReceiptsService } from '../../src/modules/receipts/receipts.service';
import type { Receipt } from '../../src/modules/receipts/receipts.types';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../utils/mail-testing';
import { pdfText } from '../utils/pdf-text';
import { runCli } from '../utils/processes';
import {
  createFileDatabase,
  dropFileDatabase,
  fileQueuePrefix,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, refundedCharge, stripeEvent } from '../utils/webhooks';

/**
 * Annual statements: one per donor and year (Beijing time) with every received gift net of
 * refunds, numbered in the ANNUAL series, emailed with the PDF to a real SMTP server (through
 * Redis and the queue's workers); a second run issues and sends nothing; the CLI refuses a bad
 * year and a year still running without --force.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const system = { kind: 'system', label: 'test' } as const;

let smtp: TestSmtpServer;
let t: TestApp;
let campaign: CampaignView;

beforeAll(async () => {
  await createFileDatabase();
  smtp = await startSmtpServer();
  t = await startConfiguredApp({
    redisUrl: REDIS_URL,
    smtpUrl: smtp.url,
    queue: { prefix: fileQueuePrefix(), pollMs: 100, processors: true },
  });
  await t.app.getHttpAdapter().getInstance().ready();
  await createFoundation(t, { receiptPrefix: 'AN' });
  campaign = await createCampaign(t);
});

afterAll(async () => {
  await t?.close();
  await smtp?.close();
  await dropFileDatabase();
});

const annual = () => t.get(AnnualStatementsService);
const statementsOf = async (year: number): Promise<Receipt[]> => {
  const rows: { id: string }[] = await t.dataSource.query(
    `SELECT id FROM receipts WHERE series = 'ANNUAL' AND year = $1 ORDER BY seq`,
    [year],
  );
  return Promise.all(rows.map((r) => t.get(ReceiptsService).get(r.id)));
};
const annualMails = (to: string): ReceivedMail[] =>
  smtp.to(to).filter((m) => m.headers['x-lianxin-template'] === 'receipt-annual');

/** Receipts and emails have nothing left to do (the sandbox's fee jobs may still wait). */
const outboxIdle = () =>
  waitUntil(async () => {
    const [row] = await t.dataSource.query(
      `SELECT count(*)::int AS n, string_agg(kind || ' ' || status || ' ' || coalesce(last_error, ''), '; ') AS what FROM outbox WHERE status IN ('PENDING', 'RELAYED') AND kind IN ('EMAIL', 'RECEIPT_SYNC')`,
    );
    if ((row as { n: number }).n > 0) throw new Error((row as { what: string }).what);
    return true;
  }, 'the outbox to be idle');

/** The PDF attached to a raw email (base64 part of type application/pdf). */
function attachedPdf(mail: ReceivedMail): { filename: string; content: Buffer } {
  const part =
    /Content-Type: application\/pdf;[^\n]*\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/.exec(
      mail.raw,
    );
  const filename = /filename="?([^";\r\n]+)"?/.exec(mail.raw);
  if (!part || !filename) throw new Error('no PDF attached');
  return { filename: filename[1]!, content: Buffer.from(part[1]!.replace(/\s/g, ''), 'base64') };
}

/**
 * A gift received at `at` (an earlier year: set in the database, as the sandbox cannot pay in the
 * past), `refundedMinor` of it given back.
 */
async function pastGift(
  email: string,
  amountMinor: number,
  at: string,
  { name = '李明', refundedMinor = 0, status = '' } = {},
): Promise<string> {
  const gift = await t
    .get(DonationsService)
    .start(campaign.slug, { amountMinor, donorName: name, donorEmail: email }, {});
  const settled =
    status ||
    (refundedMinor === 0
      ? 'SUCCEEDED'
      : refundedMinor >= amountMinor
        ? 'REFUNDED'
        : 'PARTIALLY_REFUNDED');
  await t.dataSource.query(
    `UPDATE donations SET status = $2, succeeded_at = $3, refunded_minor = $4,
            provider_payment_id = $5 WHERE id = $1`,
    [gift.id, settled, at, refundedMinor, `pi_past_${gift.id.slice(0, 8)}`],
  );
  return gift.id;
}

describe('annual statements for an ended year', () => {
  const li = 'li.ming@example.org';
  const wang = 'wang.fang@example.org';
  const zhao = 'zhao.lei@example.org';
  const gifts: Record<string, string> = {};

  beforeAll(async () => {
    // Li: three gifts of 2025 in Beijing time (one at 00:30 on 1 January), one partly refunded;
    // one at 00:00 on 1 January 2026 (not 2025), one that failed.
    gifts.first = await pastGift(li, 10_000, '2025-03-01T02:00:00Z', { name: 'Li M.' });
    gifts.refunded = await pastGift(li, 25_050, '2025-06-01T02:00:00Z', { refundedMinor: 5_050 });
    gifts.newYear = await pastGift(li, 1_000, '2024-12-31T16:30:00Z');
    gifts.next = await pastGift(li, 7_700, '2025-12-31T16:00:00Z');
    gifts.failed = await pastGift(li, 9_900, '2025-07-01T02:00:00Z', { status: 'FAILED' });
    // The first gift has its own receipt: the statement names it.
    await t.get(ReceiptsService).syncGift(gifts.first);
    // Wang chose the annual statement only; Zhao's one gift went back in full.
    await t.dataSource.query(
      `INSERT INTO receipt_preferences (donor_email, mode) VALUES ($1, 'ANNUAL_ONLY')`,
      [wang],
    );
    gifts.wang = await pastGift(wang, 500_000, '2025-09-09T09:00:00Z', { name: '王芳' });
    gifts.zhao = await pastGift(zhao, 3_000, '2025-05-05T05:00:00Z', { refundedMinor: 3_000 });
    await outboxIdle();
  });

  it('issues one statement per donor with every gift of the year net of refunds, and emails it with the PDF', async () => {
    const summary = await annual().issue('2025');
    expect(summary).toMatchObject({
      year: 2025,
      donors: 3,
      issued: 2,
      alreadyIssued: 0,
      nothingKept: 1,
      issuedMinor: 10_000 + 20_000 + 1_000 + 500_000,
    });

    const statements = await statementsOf(2025);
    expect(statements.map((s) => s.number)).toEqual(['AN-2025-Y000001', 'AN-2025-Y000002']);
    const ofLi = statements.find((s) => s.donorEmail === li)!;
    expect(ofLi).toMatchObject({
      kind: 'ANNUAL',
      series: 'ANNUAL',
      donationId: null,
      issueKey: `annual:2025:${li}`,
      amountMinor: 31_000,
      currency: 'CNY',
    });
    expect(ofLi.content.donor).toEqual({ name: '李明', address: null, taxId: null });
    expect(ofLi.content.foundation.legalNameZh).toBe('测试区社区发展基金会');
    const [firstReceipt] = await t.get(ReceiptsService).listForDonation(gifts.first!);
    expect(ofLi.content.statement).toEqual({
      year: 2025,
      gifts: [
        expect.objectContaining({
          donationId: gifts.newYear,
          amountMinor: 1_000,
          receivedAt: '2024-12-31T16:30:00.000Z',
          receiptNumber: null,
        }),
        expect.objectContaining({
          donationId: gifts.first,
          amountMinor: 10_000,
          receiptNumber: firstReceipt!.number,
          fundNameZh: expect.any(String),
          campaignTitleZh: campaign.titleZh,
          reference: expect.stringMatching(/^pi_past_/),
        }),
        expect.objectContaining({ donationId: gifts.refunded, amountMinor: 20_000 }),
      ],
    });
    const ofWang = statements.find((s) => s.donorEmail === wang)!;
    expect(ofWang.amountMinor).toBe(500_000);
    expect(ofWang.content.statement?.gifts).toHaveLength(1);
    expect(statements.some((s) => s.donorEmail === zhao)).toBe(false);

    // Each donor gets one email, the statement's PDF attached (the annual-only donor too).
    await waitUntil(() => annualMails(li).length === 1 && annualMails(wang).length === 1, 'emails');
    const mail = annualMails(li)[0]!;
    expect(mail.subject).toBe(`您的2025年度捐赠汇总 ${ofLi.number}`);
    const pdf = attachedPdf(mail);
    expect(pdf.filename).toBe(`${ofLi.number}.pdf`);
    const text = await pdfText(pdf.content);
    expect(text).toContain(ofLi.number);
    expect(text).toContain('李明');
    expect(text).toContain('叁佰壹拾元整');
    expect(attachedPdf(annualMails(wang)[0]!).filename).toBe(`${ofWang.number}.pdf`);
    expect(annualMails(zhao)).toHaveLength(0);

    const deliveries = await t.dataSource.query(
      `SELECT d.purpose, d.recipient, o.status FROM receipt_deliveries d JOIN outbox o ON o.id = d.outbox_id
        WHERE d.receipt_id = $1`,
      [ofLi.id],
    );
    expect(deliveries).toEqual([{ purpose: 'ISSUED', recipient: li, status: 'SENT' }]);
  });

  it('issues and sends nothing the second time', async () => {
    const summary = await annual().issue('2025');
    expect(summary).toMatchObject({ donors: 3, issued: 0, alreadyIssued: 2, nothingKept: 1 });
    expect(await statementsOf(2025)).toHaveLength(2);
    await outboxIdle();
    expect(annualMails(li)).toHaveLength(1);
    expect(annualMails(wang)).toHaveLength(1);
    const [{ n }] = await t.dataSource.query(
      `SELECT count(*)::int AS n FROM receipt_counters WHERE series = 'ANNUAL' AND year = 2025 AND last_seq = 2`,
    );
    expect(n).toBe(1);
  });
});

describe('two runs at once', () => {
  it('issues each statement once, numbered without gaps', async () => {
    const donors = ['a', 'b', 'c', 'd'].map((x) => `concurrent-${x}@example.org`);
    for (const [i, email] of donors.entries()) {
      await pastGift(email, 1_000 * (i + 1), `2024-0${i + 1}-15T04:00:00Z`);
    }
    const runs = await Promise.all([
      annual().issue('2024', { batchSize: 1 }),
      annual().issue('2024', { batchSize: 1 }),
    ]);
    expect(runs[0].issued + runs[1].issued).toBe(donors.length);
    expect(runs[0].alreadyIssued + runs[1].alreadyIssued).toBe(donors.length);
    const statements = await statementsOf(2024);
    expect(statements.map((s) => s.seq)).toEqual([1, 2, 3, 4]);
    expect(new Set(statements.map((s) => s.donorEmail))).toEqual(new Set(donors));
    await waitUntil(
      () => donors.every((email) => annualMails(email).length === 1),
      'one email per donor',
    );
  });
});

describe('the year', () => {
  it('refuses a year that has not ended in Beijing time unless forced, and one not begun', () => {
    const lastSecond = new Date('2026-12-31T15:59:59Z');
    expect(() => annual().checkYear('2026', { now: lastSecond })).toThrow(
      expect.objectContaining({ code: 'RECEIPT_YEAR_NOT_ENDED' }),
    );
    expect(() => annual().checkYear('2026', { now: lastSecond })).toThrow(/--force/);
    expect(annual().checkYear('2026', { now: lastSecond, force: true })).toBe(2026);
    expect(annual().checkYear('2026', { now: new Date('2026-12-31T16:00:00Z') })).toBe(2026);
    expect(() => annual().checkYear('2027', { now: lastSecond, force: true })).toThrow(
      expect.objectContaining({ code: 'RECEIPT_YEAR_INVALID' }),
    );
  });

  it.each(['20x6', '1999', '26', ''])('refuses the year %j', async (year) => {
    await expect(annual().issue(year)).rejects.toMatchObject({ code: 'RECEIPT_YEAR_INVALID' });
  });
});

describe('the CLI, for the current year with real gifts and a refund', () => {
  const year = shanghaiYear(new Date());
  const email = `cli-${randomUUID().slice(0, 8)}@example.org`;

  it('refuses a bad year and the running year without --force, then issues with it', async () => {
    const bad = runCli(['issue-annual-receipts', '--year', '20x6'], process.env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('"20x6" is not a year to issue statements for');

    // A card gift refunded in part (its receipt voided and corrected), and a bank transfer.
    const gift = await t
      .get(DonationsService)
      .start(campaign.slug, { amountMinor: 20_000, donorName: '陈静', donorEmail: email }, {});
    await deliver(
      t.server,
      stripeEvent(`evt_an_${gift.id}`, 'checkout.session.completed', paidSession(gift.id, 20_000)),
    ).expect(200);
    await waitUntil(
      async () => (await t.get(ReceiptsService).listForDonation(gift.id)).length > 0,
      'the gift’s receipt',
    );
    await deliver(
      t.server,
      stripeEvent(`evt_anr_${gift.id}`, 'charge.refunded', refundedCharge(gift.id, 4_000)),
    ).expect(200);
    const { donation: bank } = await RequestContext.run({ actor: system }, () =>
      t.get(OfflineGiftsService).record({
        campaignSlug: campaign.slug,
        amountMinor: 8_800,
        donorName: '陈静',
        donorEmail: email.toUpperCase(),
        method: 'BANK',
        reference: `AN-${randomUUID().slice(0, 8)}`,
      }),
    );
    const correction = await waitUntil(async () => {
      const live = (await t.get(ReceiptsService).listForDonation(gift.id)).find((r) => !r.voidedAt);
      return live?.kind === 'CORRECTION' ? live : undefined;
    }, 'the corrected receipt');
    const bankReceipt = await waitUntil(
      async () => (await t.get(ReceiptsService).listForDonation(bank.id))[0],
      'the bank transfer’s receipt',
    );
    await outboxIdle();

    const running = runCli(['issue-annual-receipts', '--year', String(year)], process.env);
    expect(running.status).toBe(1);
    expect(running.stderr).toContain(`${year} has not ended in Beijing time`);
    expect(running.stderr).toContain('--force');
    expect((await statementsOf(year)).some((s) => s.donorEmail === email)).toBe(false);

    const forced = runCli(
      ['issue-annual-receipts', '--year', String(year), '--force'],
      process.env,
    );
    expect(forced.stderr).toBe('');
    expect(forced.status).toBe(0);
    expect(forced.stdout).toMatch(/issued now +[1-9]\d* /);
    const statement = (await statementsOf(year)).find((s) => s.donorEmail === email)!;
    expect(statement.amountMinor).toBe(16_000 + 8_800);
    expect(statement.content.statement?.gifts.map((g) => [g.amountMinor, g.receiptNumber])).toEqual(
      [
        [16_000, correction.number],
        [8_800, bankReceipt.number],
      ],
    );
    expect(statement.number).toMatch(new RegExp(`^AN-${year}-Y\\d{6}$`));

    // The CLI only queues the email: this app's workers send it.
    await waitUntil(() => annualMails(email).length === 1, 'the statement email');

    const again = runCli(['issue-annual-receipts', '--year', String(year), '--force'], process.env);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/issued now +0 /);
    expect(again.stdout).toMatch(/already issued +[1-9]/);
    await outboxIdle();
    expect(annualMails(email)).toHaveLength(1);
  }, 120_000);
});
