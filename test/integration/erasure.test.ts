import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { DonationsService } from '../../src/modules/donations/donations.service';
import {
  ErasureAlreadyCompletedError,
  ErasureNotConfirmedError,
} from '../../src/modules/privacy/privacy.errors';
import { ErasureService } from '../../src/modules/privacy/erasure/erasure.service';
import { ReceiptsService } from '../../src/modules/receipts/receipts.service';
import { QUEUE_NAMES } from '../../src/queue/queue.constants';
import { createUser, TEST_PASSWORD } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { isConfirmationPage, pressConfirm } from '../utils/confirm-step';
import { formSession } from '../utils/form-session';
import { scanDatabase } from '../utils/personal-data-scan';
import { mailText, startSmtpServer, type TestSmtpServer } from '../utils/mail-testing';
import {
  createFileDatabase,
  dropFileDatabase,
  fileQueuePrefix,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

/**
 * Erasure that keeps the books: a donor asks in the portal, confirms by the emailed link (sent
 * through a real SMTP server), FINANCE completes it; afterwards the person's name, email,
 * address, ID code and message are in no column of any table, while amounts, the ledger and
 * receipt numbers are exactly as before. Every refusal, in both languages; races and a failure
 * half-way leave nothing half-erased.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = fileQueuePrefix();

let smtp: TestSmtpServer;
let t: TestApp;
let finance: { id: string; email: string };
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
  finance = await createUser(t, ['FINANCE']);
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

/** A donor's personal data, unique to one test, so a scan of the database can look for it. */
function person() {
  const tag = randomUUID().slice(0, 8);
  return {
    email: `erase-${tag}@example.org`,
    name: `欧阳${tag}`,
    address: `北京市朝阳区测试路${tag}号`,
    taxId: `11010119900101${tag.slice(0, 4).replace(/[^0-9]/g, '7')}`,
    message: `加油 message-${tag}`,
  };
}
type Person = ReturnType<typeof person>;

async function paidGift(p: Person, amountMinor: number, tax = false) {
  const gift = await t.get(DonationsService).start(
    slug,
    {
      amountMinor,
      donorName: p.name,
      donorEmail: p.email,
      message: p.message,
      locale: 'zh-CN',
      ...(tax ? { receiptAddress: p.address, receiptTaxId: p.taxId, receiptTaxConsent: true } : {}),
    },
    { ip: '203.0.113.9' },
  );
  await deliver(
    t.server,
    stripeEvent(
      `evt_e_${gift.id}`,
      'checkout.session.completed',
      paidSession(gift.id, amountMinor, {
        customer_email: p.email,
        customer_details: { email: p.email, name: p.name, phone: null, tax_exempt: 'none' },
      }),
    ),
  ).expect(200);
  return gift.id;
}

const liveReceipt = (donationId: string) =>
  waitUntil(async () => {
    const receipts = await t.get(ReceiptsService).listForDonation(donationId);
    return receipts.find((r) => r.voidedAt === null);
  }, 'a live receipt');

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

async function financeSession() {
  const browser = formSession(t.server);
  expect((await browser.signIn(finance.email, TEST_PASSWORD)).status).toBe(303);
  return browser;
}

/** The donor asks through the portal (the page, then its confirmation step). */
async function requestInPortal(donor: ReturnType<typeof formSession>, lang = 'zh-CN') {
  const first = await donor.post(`/donor/delete?lang=${lang}`, {});
  expect(isConfirmationPage(first)).toBe(true);
  return pressConfirm(donor.agent, first);
}

/** The token of the newest confirmation link emailed (queued) to an address. */
async function confirmationToken(email: string): Promise<string> {
  const [row] = await t.dataSource.query(
    `SELECT payload->'data'->>'url' AS url FROM outbox WHERE payload->>'template' = 'erasure-confirm'
      AND payload->>'to' = $1 ORDER BY created_at DESC LIMIT 1`,
    [email],
  );
  return new URL((row as { url: string }).url).searchParams.get('token')!;
}

async function requestOf(email: string) {
  const [row] = await t.dataSource.query(
    `SELECT id, status, due_at FROM erasure_requests WHERE email = $1
      ORDER BY requested_at DESC LIMIT 1`,
    [email],
  );
  return row as { id: string; status: string; due_at: Date | null } | undefined;
}

/** Asks and confirms through the service (for the tests about completion). */
async function confirmedRequest(p: Person): Promise<string> {
  await t.get(ErasureService).request(p.email, 'zh-CN');
  await t.get(ErasureService).confirm(await confirmationToken(p.email));
  return (await requestOf(p.email))!.id;
}

/** Where any of `needles` is found in the database: empty when nowhere. */
async function whereFound(needles: string[]): Promise<string[]> {
  const found = await scanDatabase(t.dataSource, needles);
  return Object.entries(found).flatMap(([needle, places]) =>
    places.map((p) => `${needle} in ${p.table}.${p.column}`),
  );
}

/** What must not change: amounts, the ledger, the receipts' numbers and amounts, the totals. */
async function books(donationIds: string[]) {
  return {
    gifts: await t.dataSource.query(
      `SELECT id, amount_minor, fee_minor, matched_minor, refunded_minor, status, provider_payment_id
         FROM donations WHERE id = ANY ($1::uuid[]) ORDER BY id`,
      [donationIds],
    ),
    receipts: await t.dataSource.query(
      `SELECT number, amount_minor, currency, issued_at, verify_code FROM receipts
        WHERE donation_id = ANY ($1::uuid[]) ORDER BY number`,
      [donationIds],
    ),
    postings: await t.dataSource.query(
      `SELECT account_id, sum(amount_minor)::text AS total, count(*)::int AS n FROM postings
        GROUP BY account_id ORDER BY account_id`,
    ),
    journals: await t.dataSource.query(`SELECT count(*)::int AS n FROM journal_entries`),
    totals: await t.dataSource.query(
      `SELECT sum(raised_minor)::text AS raised, sum(gifts)::int AS gifts, sum(donors)::int AS donors
         FROM campaign_totals`,
    ),
  };
}

describe('the whole flow', () => {
  it('request → emailed link → confirm → FINANCE completes; the person is nowhere, the books unchanged', async () => {
    const p = person();
    const first = await paidGift(p, 12_300, true);
    const second = await paidGift(p, 4_500);
    const receipt = await liveReceipt(first);
    await liveReceipt(second);
    // Last year's annual statement: its key names the address (`annual:<year>:<email>`).
    const [annual] = await t.dataSource.query(
      `INSERT INTO receipts (number, series, year, seq, kind, issue_key, donor_email, amount_minor,
                             currency, locale, verify_code, content)
       SELECT 'LX-A-2025-' || lpad((count(*) + 1)::text, 6, '0'), 'ANNUAL', 2025, count(*) + 1,
              'ANNUAL', $1, $2, 16800, 'CNY', 'zh-CN', 'ANNUAL01', $3
         FROM receipts WHERE series = 'ANNUAL' AND year = 2025
       RETURNING id, number`,
      [
        `annual:2025:${p.email}`,
        p.email,
        JSON.stringify({
          ...receipt.content,
          donor: { name: p.name, address: p.address, taxId: p.taxId },
        }),
      ],
    );
    const donor = await donorSession(p.email);

    // The page says what deletion does and by when, in Chinese by default.
    const page = await donor.agent.get('/donor/delete').expect(200);
    expect(page.text).toContain('已删除的捐赠人 #编号');
    expect(page.text).toContain('15 天内完成删除');
    const en = await donor.agent.get('/donor/delete?lang=en').expect(200);
    expect(en.text).toContain('receipt numbers stay as they are');

    // A plain POST only shows the confirmation step; nothing is asked yet.
    const step = await donor.post('/donor/delete?lang=en', {});
    expect(isConfirmationPage(step)).toBe(true);
    expect(await requestOf(p.email)).toBeUndefined();
    const asked = await pressConfirm(donor.agent, step);
    expect(asked.status).toBe(303);
    expect((await requestOf(p.email))!.status).toBe('AWAITING_CONFIRMATION');

    // The link arrives by email; opening it (GET) does nothing but show a button.
    const [mail] = await waitUntil(() => {
      const found = smtp.to(p.email).filter((m) => /Confirm the deletion/.test(m.subject));
      return found.length > 0 ? found : undefined;
    }, 'the confirmation email');
    const link = /https?:\/\/\S+\/donor\/delete\/confirm\?token=[A-Za-z0-9_-]+/.exec(
      mailText(mail!),
    )?.[0];
    expect(link).toBeDefined();
    const token = new URL(link!).searchParams.get('token')!;
    const anonymous = formSession(t.server);
    const confirmPage = await anonymous.agent.get(`/donor/delete/confirm?token=${token}`);
    expect(confirmPage.status).toBe(200);
    expect(confirmPage.text).toContain(`value="${token}"`);
    expect((await requestOf(p.email))!.status).toBe('AWAITING_CONFIRMATION');

    // Confirmed without being signed in: the link is the proof of the address.
    const confirmed = await anonymous.post('/donor/delete/confirm?lang=en', { token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('The foundation will complete the deletion by');
    const open = (await requestOf(p.email))!;
    expect(open.status).toBe('CONFIRMED');
    const dueDays = (open.due_at!.getTime() - Date.now()) / 86_400_000;
    expect(dueDays).toBeGreaterThan(14.9);
    expect(dueDays).toBeLessThan(15.1);

    // FINANCE sees it, with what will be erased, and completes it through a confirmation.
    const staff = await financeSession();
    const list = await staff.agent.get('/admin/privacy/requests?lang=en').expect(200);
    expect(list.text).toContain(p.email);
    expect(list.text).toMatch(/1[45] days left/);
    const detail = await staff.agent.get(`/admin/privacy/requests/${open.id}?lang=en`).expect(200);
    expect(detail.text).toMatch(/id="erasure-gifts">2</);
    expect(detail.text).toMatch(/id="erasure-receipts">3</);
    const before = await books([first, second]);
    const done = await staff.postConfirmed(`/admin/privacy/requests/${open.id}/complete`, {});
    expect(done.status).toBe(303);
    const [{ no }] = await t.dataSource.query(
      `SELECT erased_no AS no FROM erasure_requests WHERE id = $1`,
      [open.id],
    );
    const after = await staff.agent.get(`/admin/privacy/requests/${open.id}?lang=en`).expect(200);
    expect(after.text).toContain(
      `Erasure completed: this donor is now &quot;Erased donor #${no}&quot;`,
    );
    expect(after.text).not.toContain(p.email);
    const listAfter = await staff.agent.get('/admin/privacy/requests?lang=en').expect(200);
    expect(listAfter.text).toContain(`Erased donor #${no}`);
    expect(listAfter.text).not.toContain(p.email);

    // Nothing of the person is left in any column of any table; the books are as they were.
    expect(await whereFound([p.email, p.name, p.address, p.taxId, p.message])).toEqual([]);
    expect(await books([first, second])).toEqual(before);
    const gifts: { donor_name: string; donor_erased_no: number }[] = await t.dataSource.query(
      `SELECT donor_name, donor_erased_no FROM donations WHERE id = ANY ($1::uuid[])`,
      [[first, second]],
    );
    expect(gifts).toEqual([
      { donor_name: `已删除的捐赠人 #${no}`, donor_erased_no: no },
      { donor_name: `已删除的捐赠人 #${no}`, donor_erased_no: no },
    ]);
    const [erasedReceipt] = await t.dataSource.query(
      `SELECT number, donor_email, donor_erased_no, content->'donor' AS donor FROM receipts WHERE id = $1`,
      [receipt.id],
    );
    expect(erasedReceipt).toEqual({
      number: receipt.number,
      donor_email: '',
      donor_erased_no: no,
      donor: { name: `已删除的捐赠人 #${no}`, kind: 'PERSON', address: null, taxId: null },
    });
    const [erasedAnnual] = await t.dataSource.query(
      `SELECT number, issue_key, donor_erased_no FROM receipts WHERE id = $1`,
      [(annual as { id: string }).id],
    );
    expect(erasedAnnual).toEqual({
      number: (annual as { number: string }).number,
      issue_key: `annual:2025:erased:${no}`,
      donor_erased_no: no,
    });
    const [audit] = await t.dataSource.query(
      `SELECT after FROM audit_log WHERE action = 'privacy.erasure_completed' AND entity_id = $1`,
      [open.id],
    );
    expect((audit as { after: { erasedNo: number } }).after.erasedNo).toBe(no);

    // The portal is closed to the address: its session is gone.
    const home = await donor.agent.get('/donor');
    expect(home.status).toBe(303);
    expect(home.headers.location).toMatch(/^\/donor\/login/);
  });

  it('a later gift from the same address is a new person, not linked to the erased one', async () => {
    const p = person();
    const old = await paidGift(p, 1_000);
    await liveReceipt(old);
    const id = await confirmedRequest(p);
    const { no } = await t.get(ErasureService).complete(id, finance.id);
    const [{ donors: donorsBefore }] = await t.dataSource.query(
      `SELECT sum(donors)::int AS donors FROM campaign_totals`,
    );
    const fresh = await paidGift(p, 2_000);
    const rows: { id: string; donor_email: string | null; donor_erased_no: number | null }[] =
      await t.dataSource.query(
        `SELECT id, donor_email, donor_erased_no FROM donations WHERE id = ANY ($1::uuid[]) ORDER BY created_at`,
        [[old, fresh]],
      );
    expect(rows).toEqual([
      { id: old, donor_email: null, donor_erased_no: no },
      { id: fresh, donor_email: p.email, donor_erased_no: null },
    ]);
    const [{ donors }] = await t.dataSource.query(
      `SELECT sum(donors)::int AS donors FROM campaign_totals`,
    );
    expect(donors).toBe(donorsBefore + 1);
    const donor = await donorSession(p.email);
    const home = await donor.agent.get('/donor?lang=en').expect(200);
    expect(home.text).toContain('¥20.00');
    expect(home.text).not.toContain('¥10.00');
  });
});

describe('refusals', () => {
  it('a second request while one is open: 409 saying when it was asked (both languages)', async () => {
    const p = person();
    await paidGift(p, 1_000);
    const donor = await donorSession(p.email);
    expect((await requestInPortal(donor)).status).toBe(303);
    const twice = await requestInPortal(donor);
    expect(twice.status).toBe(409);
    expect(twice.text).toMatch(/您已于 .+ 申请删除个人信息，请打开我们发到您邮箱的链接确认/);
    const twiceEn = await requestInPortal(donor, 'en');
    expect(twiceEn.status).toBe(409);
    expect(twiceEn.text).toMatch(/You asked for your data to be deleted on .+; confirm it/);

    // Once confirmed: it says by when it will be done.
    await t.get(ErasureService).confirm(await confirmationToken(p.email));
    const confirmedTwice = await requestInPortal(donor, 'en');
    expect(confirmedTwice.status).toBe(409);
    expect(confirmedTwice.text).toMatch(/the foundation will complete it by .+Beijing/);
    const zh = await requestInPortal(donor);
    expect(zh.text).toMatch(/基金会将在 .+ 前完成/);
  });

  it('an expired link: 410, the request expires, and a new one is allowed', async () => {
    const p = person();
    await paidGift(p, 1_000);
    const donor = await donorSession(p.email);
    await requestInPortal(donor);
    const token = await confirmationToken(p.email);
    await t.dataSource.query(
      `UPDATE one_time_tokens SET expires_at = now() - interval '1 minute' WHERE email = $1 AND purpose = 'ERASURE_CONFIRM'`,
      [p.email],
    );
    await t.dataSource.query(
      `UPDATE erasure_requests SET confirm_by = now() - interval '1 minute' WHERE email = $1`,
      [p.email],
    );
    const browser = formSession(t.server);
    const expired = await browser.post('/donor/delete/confirm', { token });
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('此确认链接已过期，申请已失效');
    const expiredEn = await browser.post('/donor/delete/confirm?lang=en', { token });
    expect(expiredEn.status).toBe(410);
    expect(expiredEn.text).toContain('This confirmation link has expired');
    expect((await requestOf(p.email))!.status).toBe('EXPIRED');
    expect((await requestInPortal(donor)).status).toBe(303);
    expect((await requestOf(p.email))!.status).toBe('AWAITING_CONFIRMATION');
  });

  it('a used or unknown link: 400 (both languages), and a GET never confirms', async () => {
    const p = person();
    await paidGift(p, 1_000);
    await t.get(ErasureService).request(p.email, 'en');
    const token = await confirmationToken(p.email);
    const browser = formSession(t.server);
    await browser.agent.get(`/donor/delete/confirm?token=${token}`).expect(200);
    expect((await browser.post('/donor/delete/confirm', { token })).status).toBe(200);
    const used = await browser.post('/donor/delete/confirm', { token });
    expect(used.status).toBe(400);
    expect(used.text).toContain('此确认链接无效或已使用');
    const unknown = await browser.post('/donor/delete/confirm?lang=en', { token: 'x'.repeat(43) });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('This confirmation link is not valid or was used already');
    const empty = await browser.post('/donor/delete/confirm?lang=en', {});
    expect(empty.status).toBe(400);
  });

  it('only a confirmed request can be completed, once: 409 otherwise, in the reader’s language', async () => {
    const p = person();
    await paidGift(p, 1_000);
    const asked = await t.get(ErasureService).request(p.email, 'zh-CN');
    await expect(t.get(ErasureService).complete(asked.id, finance.id)).rejects.toBeInstanceOf(
      ErasureNotConfirmedError,
    );
    const staff = await financeSession();
    const refused = await staff.postConfirmed(`/admin/privacy/requests/${asked.id}/complete`, {});
    expect(refused.status).toBe(303);
    const shown = await staff.agent.get(refused.headers.location as string).expect(200);
    expect(shown.text).toContain('此删除申请尚未经捐赠人确认');

    await t.get(ErasureService).confirm(await confirmationToken(p.email));
    const { no } = await t.get(ErasureService).complete(asked.id, finance.id);
    await expect(t.get(ErasureService).complete(asked.id, finance.id)).rejects.toBeInstanceOf(
      ErasureAlreadyCompletedError,
    );
    const again = await staff.postConfirmed(
      `/admin/privacy/requests/${asked.id}/complete?lang=en`,
      {},
    );
    const shownEn = await staff.agent
      .get(`${again.headers.location as string}?lang=en`)
      .expect(200);
    expect(shownEn.text).toContain(`already been completed (Erased donor #${no})`);
    const missing = await staff.agent.get(`/admin/privacy/requests/${randomUUID()}?lang=en`);
    expect(missing.status).toBe(404);
  });
});

describe('races and failures', () => {
  it('two completions at once: exactly one erases, the other is told it is done', async () => {
    const p = person();
    const gift = await paidGift(p, 1_000);
    const id = await confirmedRequest(p);
    const [{ people: peopleBefore }] = await t.dataSource.query(
      `SELECT count(*)::int AS people FROM erased_people`,
    );
    const results = await Promise.allSettled([
      t.get(ErasureService).complete(id, finance.id),
      t.get(ErasureService).complete(id, finance.id),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(
      ErasureAlreadyCompletedError,
    );
    const [{ people }] = await t.dataSource.query(
      `SELECT count(*)::int AS people FROM erased_people`,
    );
    expect(people).toBe(peopleBefore + 1);
    const { no } = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))[0]!;
    const [row] = await t.dataSource.query(
      `SELECT d.donor_erased_no AS gift, r.erased_no AS request
         FROM donations d, erasure_requests r WHERE d.id = $1 AND r.id = $2`,
      [gift, id],
    );
    expect(row).toEqual({ gift: no, request: no });
  });

  it('a failure inside the transaction leaves nothing half-erased, and a retry completes it', async () => {
    const p = person();
    const gift = await paidGift(p, 1_000, true);
    await liveReceipt(gift);
    const id = await confirmedRequest(p);
    const [{ people: peopleBefore }] = await t.dataSource.query(
      `SELECT count(*)::int AS people FROM erased_people`,
    );
    const receipts = t.get(ReceiptsService);
    const spy = jest
      .spyOn(receipts, 'eraseDonor')
      .mockRejectedValueOnce(new Error('disk on fire after the donations step'));
    await expect(t.get(ErasureService).complete(id, finance.id)).rejects.toThrow('disk on fire');
    spy.mockRestore();
    const [row] = await t.dataSource.query(
      `SELECT donor_name, donor_email, receipt_address, donor_erased_no FROM donations WHERE id = $1`,
      [gift],
    );
    expect(row).toEqual({
      donor_name: p.name,
      donor_email: p.email,
      receipt_address: p.address,
      donor_erased_no: null,
    });
    expect((await requestOf(p.email))!.status).toBe('CONFIRMED');
    const [{ people }] = await t.dataSource.query(
      `SELECT count(*)::int AS people FROM erased_people`,
    );
    expect(people).toBe(peopleBefore);

    await t.get(ErasureService).complete(id, finance.id);
    expect(await whereFound([p.email, p.name, p.address, p.taxId])).toEqual([]);
  });

  it('a monthly gift that cannot be stopped: nothing is erased, FINANCE is told to retry', async () => {
    const p = person();
    const gift = await paidGift(p, 1_000);
    const id = await confirmedRequest(p);
    const spy = jest
      .spyOn(t.get(DonationsService), 'stopAllMonthly')
      .mockRejectedValueOnce(new Error('provider down'));
    const staff = await financeSession();
    const refused = await staff.postConfirmed(`/admin/privacy/requests/${id}/complete?lang=en`, {});
    spy.mockRestore();
    const shown = await staff.agent
      .get(`${refused.headers.location as string}?lang=en`)
      .expect(200);
    expect(shown.text).toContain(
      'could not be stopped at the payment provider, so nothing was erased',
    );
    const [row] = await t.dataSource.query(`SELECT donor_email FROM donations WHERE id = $1`, [
      gift,
    ]);
    expect(row).toEqual({ donor_email: p.email });
    expect((await requestOf(p.email))!.status).toBe('CONFIRMED');
  });
});
