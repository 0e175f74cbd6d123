import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { ReceiptsService } from '../../src/modules/receipts/receipts.service';
import { VERIFY_LIMIT } from '../../src/modules/receipts/receipt-pages.service';
import type { Receipt } from '../../src/modules/receipts/receipts.types';
import { createUser } from '../factories/accounts.factory';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

/**
 * The public verification page: number + code → genuine (with the masked name only), one "not
 * found" for an unknown number, a wrong code and malformed input alike, never a 500, and a limit
 * per address. Every request here comes from one address, so the file counts its lookups.
 */
describe('receipt verification page', () => {
  let t: TestApp;
  let receipt: Receipt;
  let email: string;
  let lookups = 0;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
    await createFoundation(t, { receiptPrefix: 'LX' });
    const campaign = await createCampaign(t);
    email = `v-${randomUUID().slice(0, 8)}@example.org`;
    const gift = await t
      .get(DonationsService)
      .start(campaign.slug, { amountMinor: 5_000, donorName: '张三丰', donorEmail: email }, {});
    await deliver(
      t.server,
      stripeEvent(`evt_v_${gift.id}`, 'checkout.session.completed', paidSession(gift.id, 5_000)),
    ).expect(200);
    receipt = await waitUntil(
      async () =>
        (await t.get(ReceiptsService).listForDonation(gift.id)).find((r) => r.voidedAt === null),
      'a live receipt',
    );
  });
  afterAll(() => t.close());

  /** A lookup (a query with a number or a code), counted against this address's limit. */
  async function lookup(query: string) {
    const res = await request(t.server).get(`/receipts/verify?${query}`);
    // What the page counts: a query reaching it with a number or a code that is not blank.
    const params = new URLSearchParams(query);
    const given = (v: string | null) => v !== null && v.trim() !== '';
    const asked = given(params.get('number')) || given(params.get('code'));
    if ((res.status === 200 || res.status === 429) && asked) lookups++;
    return res;
  }
  const q = (number: string, code: string, lang?: string) =>
    new URLSearchParams({ number, code, ...(lang ? { lang } : {}) }).toString();

  it('shows the empty form, in Chinese first, without counting it as a lookup', async () => {
    const zh = await request(t.server).get('/receipts/verify').expect(200);
    expect(zh.text).toContain('票据真伪查验');
    expect(zh.text).toContain('name="number"');
    expect(zh.text).toContain('name="code"');
    expect(zh.text).not.toContain('verify-not-found');
    const en = await request(t.server).get('/receipts/verify?lang=en').expect(200);
    expect(en.text).toContain('Check a receipt');
  });

  it('confirms a genuine receipt with its facts and the masked name only', async () => {
    const res = await lookup(q(receipt.number, receipt.verifyCode));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    expect(res.text).toContain('真实有效');
    expect(res.text).toMatch(new RegExp(`id="verified-number">${receipt.number}<`));
    expect(res.text).toContain('id="verified-amount">¥50.00<');
    expect(res.text).toContain('id="verified-donor">张**<');
    expect(res.text).toContain(receipt.content.gift!.fund.nameZh);
    expect(res.text).toContain('id="verified-status">有效<');
    // No personal data beyond the masked name: not the name, the email, the payment reference.
    expect(res.text).not.toContain('张三丰');
    expect(res.text).not.toContain(email);
    expect(res.text).not.toContain(receipt.content.gift!.reference);

    // The code as a person might type it: lower case, spaced, with a dash.
    const typed = `${receipt.verifyCode.slice(0, 4).toLowerCase()} -${receipt.verifyCode.slice(4)}`;
    const loose = await lookup(q(receipt.number, typed, 'en'));
    expect(loose.text).toContain('Genuine: the foundation issued this receipt.');
    expect(loose.text).toContain('id="verified-donor">张**<');
  });

  it('answers a wrong code exactly as it answers an unknown number', async () => {
    const wrongCode = receipt.verifyCode === 'ABCDEFGH' ? 'ABCDEFGJ' : 'ABCDEFGH';
    const unknownNumber = receipt.number.replace(/\d{6}$/, '999999');
    const wrong = await lookup(q(receipt.number, wrongCode));
    const unknown = await lookup(q(unknownNumber, wrongCode));
    expect(wrong.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(wrong.text).toContain('未找到与该号码和验证码相符的票据');
    // The only difference is the number the form shows again, as typed.
    const blank = (text: string, number: string) => text.split(number).join('#');
    expect(blank(wrong.text, receipt.number)).toBe(blank(unknown.text, unknownNumber));
    expect(wrong.text).not.toContain('真实有效');
    // A real code with another receipt's number is no better.
    const swapped = await lookup(q(unknownNumber, receipt.verifyCode));
    expect(blank(swapped.text, unknownNumber)).toContain('verify-not-found');
  });

  it('shows a void receipt as issued but void, with the reason in words', async () => {
    const finance = await createUser(t, ['FINANCE']);
    await t.get(ReceiptsService).voidByStaff(receipt.id, '内部说明 not for the public', finance.id);
    const zh = await lookup(q(receipt.number, receipt.verifyCode));
    expect(zh.text).toContain('本基金会开具了这张票据，但它已作废。');
    expect(zh.text).toMatch(/id="verified-status">已作废（\d{4}年\d{1,2}月\d{1,2}日）</);
    expect(zh.text).toContain('id="verified-reason">票据开具有误，已由基金会作废<');
    expect(zh.text).not.toContain('内部说明');
    const en = await lookup(q(receipt.number, receipt.verifyCode, 'en'));
    expect(en.text).toContain('The foundation issued this receipt, but it is void.');
    expect(en.text).toContain('it was issued in error and voided by the foundation');
  });

  it('never fails on hostile input: the same not found, or 400 for malformed encoding', async () => {
    const cases = [
      'number[]=a&number[]=b&code=ABCDEFGH',
      `number=${encodeURIComponent(receipt.number)}&code[x]=1`,
      `number=${encodeURIComponent(receipt.number)}&code[]=${receipt.verifyCode}`,
      `number=${'9'.repeat(10_000)}&code=ABCDEFGH`,
      `number=${encodeURIComponent(receipt.number)}&code=${'A'.repeat(10_000)}`,
      'number=%ED%A0%80&code=ABCDEFGH',
      'number=LX-1&code=%F0%9F%98%80%F0%9F%98%80',
      'number=%00%01&code=%0A',
      "number=' OR 1=1 --&code=ABCDEFGH",
      'number=%25&code=%25',
      'number=&code=',
      'number=   &code=ABCDEFGH',
      'number=LX-2026-000001',
      'code=ABCDEFGH',
    ];
    const answers: { query: string; status: number; genuine: boolean; notFound: boolean }[] = [];
    for (const query of cases) {
      const res = await lookup(query);
      answers.push({
        query,
        status: res.status,
        genuine: res.text.includes('verify-result'),
        notFound: res.text.includes('verify-not-found'),
      });
    }
    expect(answers.filter((a) => a.status !== 200 && a.status !== 400)).toEqual([]);
    expect(answers.filter((a) => a.genuine)).toEqual([]);
    // Every page answer is "not found", but the empty form for blank fields.
    expect(answers.filter((a) => a.status === 200 && !a.notFound).map((a) => a.query)).toEqual([
      'number=&code=',
    ]);
    // Arrays are never read as the code: the real code inside an array finds nothing.
    const arrays = await lookup(`number=${receipt.number}&code[]=${receipt.verifyCode}`);
    expect(arrays.text).toContain('verify-not-found');
  });

  it(`refuses more than ${VERIFY_LIMIT} lookups from one address in ten minutes with a 429 page in the reader's language`, async () => {
    const before = lookups;
    expect(before).toBeLessThan(VERIFY_LIMIT);
    while (lookups < VERIFY_LIMIT) {
      expect((await lookup(q(receipt.number, receipt.verifyCode))).status).toBe(200);
    }
    const zh = await lookup(q(receipt.number, receipt.verifyCode));
    expect(zh.status).toBe(429);
    expect(zh.text).toContain('查验次数过多，请 10 分钟后再试');
    expect(zh.text).not.toContain('verify-result');
    const en = await lookup(q('LX-2026-000001', 'ABCDEFGH', 'en'));
    expect(en.status).toBe(429);
    expect(en.text).toContain(
      'Too many checks from your network address. Try again in 10 minutes.',
    );
    // The empty form is still there.
    await request(t.server).get('/receipts/verify').expect(200);
  });
});
