import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { ReceiptDeliveryService } from '../../src/modules/receipts/receipt-delivery.service';
import { ReceiptsService } from '../../src/modules/receipts/receipts.service';
import type { Receipt } from '../../src/modules/receipts/receipts.types';
import { QUEUE_NAMES } from '../../src/queue/queue.constants';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { formSession } from '../utils/form-session';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../utils/mail-testing';
import { pdfText } from '../utils/pdf-text';
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
 * Receipts reach people: the app sends through a real SMTP server run here (smtp-server), with
 * BullMQ on Redis, as in production. The thank-you carries the PDF; a donor who chose the annual
 * statement gets the number only; copies (staff, donor) and void notices with the correction
 * arrive too; voiding twice is refused in the reader's language.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = fileQueuePrefix();

let smtp: TestSmtpServer;
let t: TestApp;
let staff: { email: string; auth: Record<string, string> };
let slug: string;

beforeAll(async () => {
  await createFileDatabase();
  smtp = await startSmtpServer();
  t = await startConfiguredApp({
    redisUrl: REDIS_URL,
    smtpUrl: smtp.url,
    queue: { prefix, pollMs: 100, backoffMs: 50 },
  });
  await t.app.getHttpAdapter().getInstance().ready();
  await createFoundation(t, { receiptPrefix: 'LX' });
  slug = (await createCampaign(t)).slug;
  staff = await createUser(t, ['ADMIN', 'FINANCE']);
});
afterAll(async () => {
  await t?.close();
  for (const name of Object.values(QUEUE_NAMES)) {
    const queue = new Queue(name, { connection: { url: REDIS_URL }, prefix });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await smtp?.close();
  await dropFileDatabase();
});

// ---------------------------------------------------------------------------------------------
// A MIME reader just big enough for what nodemailer writes
// ---------------------------------------------------------------------------------------------

interface MimePart {
  headers: Record<string, string>;
  /** The decoded body (base64 and quoted-printable undone). */
  body: Buffer;
}

function splitHead(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function decode(body: string, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64');
    case 'quoted-printable':
      return Buffer.from(
        body
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
            String.fromCharCode(parseInt(hex, 16)),
          ),
        'latin1',
      );
    default:
      return Buffer.from(body, 'utf8');
  }
}

/** Every leaf part of a message, depth first. */
function leafParts(raw: string): MimePart[] {
  const { headers, body } = splitHead(raw);
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!type.toLowerCase().startsWith('multipart/') || !boundary) {
    return [{ headers, body: decode(body, headers['content-transfer-encoding']) }];
  }
  const sections = body.split(`--${boundary}`).slice(1);
  return sections
    .filter((s) => !s.startsWith('--'))
    .flatMap((s) => leafParts(s.replace(/^\r?\n/, '').replace(/\r?\n$/, '')));
}

function pdfAttachments(mail: ReceivedMail) {
  return leafParts(mail.raw)
    .filter((p) => (p.headers['content-type'] ?? '').toLowerCase().startsWith('application/pdf'))
    .map((p) => ({
      filename: /filename="?([^";]+)"?/i.exec(p.headers['content-disposition'] ?? '')?.[1],
      disposition: (p.headers['content-disposition'] ?? '').split(';')[0],
      content: p.body,
    }));
}

function bodyText(mail: ReceivedMail): string {
  return leafParts(mail.raw)
    .filter((p) => (p.headers['content-type'] ?? '').toLowerCase().startsWith('text/plain'))
    .map((p) => p.body.toString('utf8'))
    .join('\n');
}

// ---------------------------------------------------------------------------------------------

async function paidGift(
  amountMinor: number,
  {
    email = `d-${randomUUID().slice(0, 8)}@example.org`,
    locale = 'en',
  }: { email?: string; locale?: 'en' | 'zh-CN' } = {},
) {
  const gift = await t
    .get(DonationsService)
    .start(slug, { amountMinor, donorName: '王小明', donorEmail: email, locale }, {});
  await deliver(
    t.server,
    stripeEvent(
      `evt_d_${gift.id}`,
      'checkout.session.completed',
      paidSession(gift.id, amountMinor),
    ),
  ).expect(200);
  return { id: gift.id, email };
}

const liveReceipt = (donationId: string, not?: string) =>
  waitUntil(async () => {
    const receipts = await t.get(ReceiptsService).listForDonation(donationId);
    return receipts.find((r) => r.voidedAt === null && r.id !== not);
  }, 'a live receipt');

const mailsTo = (to: string, subject: RegExp, n = 1) =>
  waitUntil(() => {
    const found = smtp.to(to).filter((m) => subject.test(m.subject));
    return found.length >= n ? found : undefined;
  }, `${n} email(s) "${subject.source}" to ${to}`);

const deliveriesOf = async (receipt: Receipt) =>
  (await t.get(ReceiptDeliveryService).one(receipt.id)).deliveries;

async function donorSession(email: string) {
  const browser = formSession(t.server);
  await browser.post('/donor/login', { email });
  const [{ url }] = await t.dataSource.query(
    `SELECT payload->'data'->>'url' AS url FROM outbox WHERE payload->>'template' = 'donor-magic-link'
      AND payload->>'to' = $1 ORDER BY created_at DESC LIMIT 1`,
    [email],
  );
  const verified = await browser.post('/donor/verify', {
    token: new URL(url as string).searchParams.get('token')!,
  });
  expect(verified.status).toBe(303);
  return browser;
}

async function staffSession() {
  const browser = formSession(t.server);
  expect((await browser.signIn(staff.email, TEST_PASSWORD)).status).toBe(303);
  return browser;
}

it('the thank-you arrives at the SMTP server with the receipt as a PDF attachment', async () => {
  const gift = await paidGift(123_450);
  const receipt = await liveReceipt(gift.id);
  const [mail] = await mailsTo(gift.email, /^Thank you for your gift/);
  const [pdf, ...others] = pdfAttachments(mail!);
  expect(others).toHaveLength(0);
  expect(pdf!.disposition).toBe('attachment');
  expect(pdf!.filename).toBe(`${receipt.number}.pdf`);
  expect(pdf!.filename).toMatch(/^LX-\d{4}-\d{6}\.pdf$/);
  expect(pdf!.content.subarray(0, 5).toString()).toBe('%PDF-');
  const text = await pdfText(pdf!.content);
  expect(text).toContain(receipt.number);
  expect(text).toContain('王小明');
  expect(bodyText(mail!)).toContain(`Your receipt ${receipt.number} is attached`);
  await waitUntil(
    async () =>
      (await deliveriesOf(receipt)).find((d) => d.purpose === 'ISSUED' && d.status === 'SENT'),
    'the ISSUED delivery to be SENT',
  );
});

it('a donor who chose the annual statement gets a thank-you naming the number, with no PDF', async () => {
  const email = `annual-${randomUUID().slice(0, 8)}@example.org`;
  const donor = await donorSession(email);
  const portal = await donor.agent.get('/donor?lang=en').expect(200);
  expect(portal.text).toContain('Now: Email a receipt for each gift');
  const saved = await donor.post('/donor/receipts/preference?lang=en', { mode: 'ANNUAL_ONLY' });
  expect(saved.status).toBe(303);
  const after = await donor.agent.get('/donor?lang=en').expect(200);
  expect(after.text).toContain('Saved: Only the annual statement');
  expect(after.text).toMatch(/value="ANNUAL_ONLY" checked/);
  expect(after.text).toContain('Now: Only the annual statement');
  expect((await donor.post('/donor/receipts/preference', { mode: 'NEVER' })).status).toBe(303);
  expect(await t.get(ReceiptDeliveryService).preference(email)).toBe('ANNUAL_ONLY');

  const gift = await paidGift(5_000, { email });
  const receipt = await liveReceipt(gift.id);
  const [mail] = await mailsTo(email, /^Thank you for your gift/);
  expect(pdfAttachments(mail!)).toEqual([]);
  expect(bodyText(mail!)).toContain(`Your receipt number is ${receipt.number}`);
  expect(await deliveriesOf(receipt)).toEqual([]);

  // The portal lists it with its view and PDF links.
  const listed = await donor.agent.get('/donor?lang=en').expect(200);
  expect(listed.text).toContain(receipt.number);
  expect(listed.text).toContain(`href="/donor/receipts/${receipt.id}"`);
  expect(listed.text).toContain(`href="/donor/receipts/${receipt.id}/pdf"`);
});

it('the donor asks for a copy: it arrives with the PDF; a second ask within ten minutes is refused', async () => {
  const gift = await paidGift(2_000, { locale: 'zh-CN' });
  const receipt = await liveReceipt(gift.id);
  const donor = await donorSession(gift.email);
  const stranger = await donorSession(`stranger-${randomUUID().slice(0, 6)}@example.org`);

  const theirs = await stranger.post(`/donor/receipts/${receipt.id}/resend?lang=en`, {});
  expect(theirs.status).toBe(303);
  expect((await stranger.agent.get('/donor?lang=en')).text).toContain(`No receipt ${receipt.id}`);
  expect((await deliveriesOf(receipt)).filter((d) => d.purpose === 'RESENT')).toEqual([]);

  expect((await donor.post(`/donor/receipts/${receipt.id}/resend?lang=en`, {})).status).toBe(303);
  const page = await donor.agent.get('/donor?lang=en').expect(200);
  expect(page.text).toContain(`Receipt ${receipt.number} is on its way to your inbox again.`);
  const [copy] = await mailsTo(gift.email, new RegExp(`${receipt.number}`));
  expect(pdfAttachments(copy!).map((a) => a.filename)).toEqual([`${receipt.number}.pdf`]);
  await waitUntil(
    async () =>
      (await deliveriesOf(receipt)).find((d) => d.purpose === 'RESENT' && d.status === 'SENT'),
    'the RESENT delivery to be SENT',
  );

  const again = await donor.post(`/donor/receipts/${receipt.id}/resend?lang=zh-CN`, {});
  expect(again.headers.location).toBe('/donor?lang=zh-CN#receipts');
  const refused = await donor.agent.get('/donor?lang=zh-CN').expect(200);
  expect(refused.text).toContain(`票据 ${receipt.number} 的副本在 10 分钟内刚发送过`);
  expect((await deliveriesOf(receipt)).filter((d) => d.purpose === 'RESENT')).toHaveLength(1);
});

it('staff resend from the gift’s page: a RESENT delivery that becomes SENT, shown in words', async () => {
  const gift = await paidGift(3_000);
  const receipt = await liveReceipt(gift.id);
  await mailsTo(gift.email, /^Thank you/);
  const browser = await staffSession();
  const resent = await browser.post(
    `/admin/donations/${gift.id}/receipts/${receipt.id}/resend?lang=en`,
    {},
  );
  expect(resent.status).toBe(303);
  expect(resent.headers.location).toBe(`/admin/donations/${gift.id}`);
  await waitUntil(
    async () =>
      (await deliveriesOf(receipt)).find((d) => d.purpose === 'RESENT' && d.status === 'SENT'),
    'the RESENT delivery to be SENT',
  );
  const [copy] = await mailsTo(gift.email, new RegExp(`^Your receipt ${receipt.number}$`));
  expect(pdfAttachments(copy!).map((a) => a.filename)).toEqual([`${receipt.number}.pdf`]);

  const page = await browser.agent.get(`/admin/donations/${gift.id}?lang=en`).expect(200);
  expect(page.text).toContain(`Receipt ${receipt.number} is being sent to ${gift.email} again.`);
  const section = page.text.slice(page.text.indexOf('id="gift-receipts"'));
  expect(section).toContain(`${receipt.number} · Donation receipt`);
  expect(section).toMatch(
    /<td>Receipt issued <span[^>]*>[^<]*<\/span><\/td><td>[^<]+<\/td><td>Sent<\/td>/,
  );
  expect(section).toMatch(
    /<td>Sent again <span[^>]*>[^<]*<\/span><\/td><td>[^<]+<\/td><td>Sent<\/td>/,
  );
  expect(section).toContain(`href="/admin/receipts/${receipt.id}/pdf"`);
  expect(section).not.toContain('id="issue-receipt-form"');
});

it('a partial refund voids the receipt and emails the notice with the correction attached', async () => {
  const gift = await paidGift(10_000);
  const first = await liveReceipt(gift.id);
  await mailsTo(gift.email, /^Thank you/);
  await deliver(
    t.server,
    stripeEvent(`evt_d_rf_${gift.id}`, 'charge.refunded', refundedCharge(gift.id, 4_000)),
  ).expect(200);
  const correction = await liveReceipt(gift.id, first.id);
  expect(correction).toMatchObject({ kind: 'CORRECTION', amountMinor: 6_000 });
  const [notice] = await mailsTo(
    gift.email,
    new RegExp(`^Your receipt ${first.number} has been voided`),
  );
  const [pdf, ...others] = pdfAttachments(notice!);
  expect(others).toEqual([]);
  expect(pdf!.filename).toBe(`${correction.number}.pdf`);
  const text = await pdfText(pdf!.content);
  expect(text).toContain(correction.number);
  expect(bodyText(notice!)).toContain(`The corrected receipt ${correction.number}`);
  await waitUntil(
    async () =>
      (await deliveriesOf(first)).find((d) => d.purpose === 'VOIDED' && d.status === 'SENT'),
    'the void notice to be SENT',
  );

  const browser = await staffSession();
  const page = await browser.agent.get(`/admin/donations/${gift.id}?lang=en`).expect(200);
  expect(page.text).toContain('part of the gift was refunded; a corrected receipt replaces it');
  expect(page.text).toContain(`Corrects ${first.number}`);
});

it('staff void once, with a confirmed reason; a second void is a 409 in Chinese and in English', async () => {
  const gift = await paidGift(4_000);
  const receipt = await liveReceipt(gift.id);
  await mailsTo(gift.email, /^Thank you/);
  const browser = await staffSession();
  const path = `/admin/donations/${gift.id}/receipts/${receipt.id}/void`;

  const unconfirmed = await browser.post(`${path}?lang=en`, { note: 'Wrong name' });
  expect(unconfirmed.status).toBe(400);
  expect(unconfirmed.text).toContain('Tick the confirmation to void the receipt.');
  expect(unconfirmed.text).toContain('Wrong name');
  const noNote = await browser.post(`${path}?lang=zh-CN`, { confirm: 'yes' });
  expect(noNote.status).toBe(400);
  expect(noNote.text).toContain('请写明作废原因（1–500 字）。');
  expect((await t.get(ReceiptsService).get(receipt.id)).voidedAt).toBeNull();

  const voided = await browser.post(`${path}?lang=en`, { note: 'Wrong name', confirm: 'yes' });
  expect(voided.status).toBe(303);
  const [notice] = await mailsTo(gift.email, /has been voided/);
  expect(pdfAttachments(notice!)).toEqual([]);
  expect(bodyText(notice!)).toContain('issued in error and voided by the foundation');

  const zh = await browser.post(`${path}?lang=zh-CN`, { note: '再次作废', confirm: 'yes' });
  expect(zh.status).toBe(409);
  expect(zh.text).toContain(`票据 ${receipt.number} 已经作废。`);
  expect(zh.text).not.toContain('is already void');
  const en = await browser.post(`${path}?lang=en`, { note: 'again', confirm: 'yes' });
  expect(en.status).toBe(409);
  expect(en.text).toContain(`Receipt ${receipt.number} is already void.`);
  expect(en.text).not.toContain('已经作废');
  const api = await request(t.server)
    .post(`/api/v1/receipts/${receipt.id}/void`)
    .set(staff.auth)
    .send({ note: 'again' });
  expect(api.status).toBe(409);
  expect(api.body).toMatchObject({ code: 'RECEIPT_ALREADY_VOID' });

  const after = await t.get(ReceiptsService).get(receipt.id);
  expect(after).toMatchObject({ voidReason: 'STAFF', voidNote: 'Wrong name' });
  const page = await browser.agent.get(`/admin/donations/${gift.id}?lang=en`).expect(200);
  expect(page.text).toContain('Note: Wrong name');
  expect(page.text).not.toContain(`/receipts/${receipt.id}/void"`);
});

it('issuing now is refused for a gift not received: 422 from the API, no button and a flash on the page', async () => {
  const pending = await t
    .get(DonationsService)
    .start(slug, { amountMinor: 1_000, donorName: '赵六', donorEmail: 'pending@example.org' }, {});
  const api = await request(t.server)
    .post(`/api/v1/donations/${pending.id}/receipt`)
    .set(staff.auth);
  expect(api.status).toBe(422);
  expect(api.body).toMatchObject({ code: 'RECEIPT_GIFT_NOT_RECEIVED' });

  const browser = await staffSession();
  const page = await browser.agent.get(`/admin/donations/${pending.id}?lang=en`).expect(200);
  expect(page.text).toContain('This gift has no receipt yet.');
  expect(page.text).not.toContain('id="issue-receipt-form"');
  const refused = await browser.post(`/admin/donations/${pending.id}/receipt?lang=zh-CN`, {});
  expect(refused.status).toBe(303);
  const flashed = await browser.agent.get(`/admin/donations/${pending.id}?lang=zh-CN`).expect(200);
  expect(flashed.text).toContain('只有已到账的捐赠才能开具票据。');
  expect(await t.get(ReceiptsService).listForDonation(pending.id)).toEqual([]);
});
