import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { DonationsService } from '../../src/modules/donations/donations.service';
import { ReconciliationService } from '../../src/modules/donations/reconciliation.service';
import { PAYMENT_ADAPTERS, PaymentRails } from '../../src/modules/payments/payment-rails';
import { SandboxProvider } from '../../src/modules/payments/sandbox/sandbox.provider';
import { createCampaign } from '../factories/campaigns.factory';
import { createFoundation } from '../factories/foundation.factory';
import { FakeRail, type FakeNotification, outTradeNo, signFake } from '../utils/fake-rail';
import {
  createFileDatabase,
  dropFileDatabase,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';
import { formSession } from '../utils/form-session';
import { waitUntil } from '../utils/wait';
import { deliver, paidSession, stripeEvent } from '../utils/webhooks';

const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';
const ALIPAY_UA =
  'Mozilla/5.0 (Linux; U; Android 13; zh-CN) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 Mobile Safari/537.36 AlipayClient/10.5.86.8000';

/**
 * The rails registry and everything around the adapters, with two fake rails registered beside
 * the sandbox (Stripe): choosing a rail, the webhook routes answering in each rail's format, the
 * inbox keyed per provider, settlement of per-refund notifications, and reconciliation asking
 * every adapter about unsettled gifts.
 */
describe('payment rails', () => {
  let t: TestApp;
  let server: Server;
  const wechat = new FakeRail('WECHAT_PAY', 'WECHAT_PAY', 'qr');
  const alipay = new FakeRail('ALIPAY', 'ALIPAY', 'redirect');
  let slug: string;
  let fundId: string;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    await createFileDatabase();
    t = await startConfiguredApp(
      {},
      {
        providers: [
          {
            provide: PAYMENT_ADAPTERS,
            useFactory: (sandbox: SandboxProvider) => [sandbox, wechat, alipay],
            inject: [SandboxProvider],
          },
        ],
      },
    );
    await t.app.init();
    await t.app.getHttpAdapter().getInstance().ready();
    server = t.server;
    await createFoundation(t);
    const campaign = await createCampaign(t);
    slug = campaign.slug;
    fundId = campaign.fundId;
  });
  afterAll(async () => {
    await t?.close();
    await dropFileDatabase();
  });

  const start = (body: Record<string, unknown>, ua?: string) => {
    const req = request(server).post(`/api/v1/campaigns/${slug}/donations`);
    if (ua) void req.set('user-agent', ua);
    return req.send({
      amountMinor: 5_000,
      donorName: '捐赠人',
      donorEmail: `rails-${randomUUID().slice(0, 8)}@example.org`,
      ...body,
    });
  };
  const notify = (path: string, body: FakeNotification, signature?: string) => {
    const raw = JSON.stringify(body);
    return request(server)
      .post(path)
      .set('content-type', 'application/json')
      .set('x-fake-signature', signature ?? signFake(raw))
      .send(raw);
  };
  const gift = (id: string) => t.get(DonationsService).get(id);
  /** Waits for the gift's fee job (asked of its adapter) to book the fee: balances settle. */
  const feeBooked = (id: string) =>
    waitUntil(async () => {
      const d = await gift(id);
      return d.feeMinor !== null ? d.feeMinor : null;
    }, 'the fee job to book the fee');
  /**
   * What a gift's own entries (settle, fee, refunds: keys naming the gift) moved on the fund. Not
   * the fund's balance: an earlier test's fee job may still be booking while this one reads.
   */
  const fundNetOf = async (id: string): Promise<number> => {
    const [row] = await t.dataSource.query<{ net: string }[]>(
      `SELECT coalesce(sum(p.amount_minor), 0) AS net
         FROM postings p
         JOIN journal_entries e ON e.id = p.entry_id
         JOIN funds f ON f.account_id = p.account_id
        WHERE f.id = $1 AND e.idempotency_key LIKE $2`,
      [fundId, `%${id}%`],
    );
    return Number(row!.net);
  };
  const inboxRow = async (provider: string, eventId: string) => {
    const rows: Record<string, unknown>[] = await t.dataSource.query(
      `SELECT provider, processed_at, failure_reason, attempts FROM payment_events
       WHERE provider = $1 AND event_id = $2`,
      [provider, eventId],
    );
    return rows[0];
  };

  describe('choosing a rail', () => {
    it('lists the enabled rails in the order the donor’s browser suggests', () => {
      const rails = t.get(PaymentRails);
      expect(rails.enabled()).toEqual(['WECHAT_PAY', 'ALIPAY', 'STRIPE']);
      expect(rails.ordered(WECHAT_UA)).toEqual(['WECHAT_PAY', 'ALIPAY', 'STRIPE']);
      expect(rails.ordered(ALIPAY_UA)).toEqual(['ALIPAY', 'WECHAT_PAY', 'STRIPE']);
      expect(rails.byName('SANDBOX').rail).toBe('STRIPE');
    });

    it('takes the API’s method, and keeps Stripe the default for API clients', async () => {
      const card = await start({}).expect(201);
      expect(card.body).toMatchObject({ method: 'STRIPE' });
      expect(card.body.checkoutUrl).toMatch(/\/sandbox\/checkout\/cs_sandbox_/);
      expect((await gift(card.body.id)).provider).toBe('SANDBOX');

      const ali = await start({ method: 'alipay' }, ALIPAY_UA).expect(201);
      expect(ali.body.checkoutUrl).toBe(
        `https://pay.example.test/alipay/${outTradeNo(ali.body.id)}`,
      );
      const stored = await gift(ali.body.id);
      expect(stored).toMatchObject({
        provider: 'ALIPAY',
        providerSessionId: outTradeNo(ali.body.id),
      });
      const order = alipay.orders.get(outTradeNo(ali.body.id))!.request;
      expect(order).toMatchObject({ channel: 'alipay', amountMinor: 5_000, currency: 'CNY' });
      expect(order.expiresAt.getTime() - stored.createdAt.getTime()).toBe(24 * 3600_000);
    });

    it('sends a QR-code checkout to our own payment page and keeps the code on the gift', async () => {
      const res = await start({ method: 'wechat_pay' });
      expect(res.status).toBe(201);
      expect(res.body.checkoutUrl).toMatch(new RegExp(`/campaigns/${slug}/pay/${res.body.id}$`));
      const stored = await gift(res.body.id);
      expect(stored.checkoutQr).toBe(
        `weixin://wxpay/bizpayurl?pr=${outTradeNo(res.body.id).slice(0, 12)}`,
      );
      const order = wechat.orders.get(outTradeNo(res.body.id))!.request;
      expect(order).toMatchObject({
        channel: 'desktop',
        clientIp: expect.stringContaining('127.0.0.1'),
      });
    });

    it('refuses a monthly gift on a rail without recurring agreements (400, in words)', async () => {
      const res = await start({ method: 'wechat_pay', monthly: true }).expect(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(res.body.message).toMatch(/Monthly gifts are taken by card|月捐仅支持银行卡/);
      const rows: unknown[] = await t.dataSource.query(
        `SELECT 1 FROM donations WHERE provider = 'WECHAT_PAY' AND monthly`,
      );
      expect(rows).toHaveLength(0);
    });

    it('refuses a method that is not one of the three (400)', async () => {
      const res = await start({ method: 'paypal' }).expect(400);
      expect(JSON.stringify(res.body)).toContain('method must be wechat_pay, alipay or stripe');
    });
  });

  describe('the donation form and our own payment page', () => {
    /** Attribute values as the browser reads them. */
    const unescaped = (html: string) =>
      html
        .replace(/&#x3D;/g, '=')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&');
    const methods = (html: string) =>
      [
        ...html.matchAll(/<input type="radio" name="method" value="([a-z_]+)"[^>]*?( checked)?>/g),
      ].map((m) => `${m[1]}${m[2] ? '*' : ''}`);

    it('offers the enabled rails in the browser’s order, the first one chosen', async () => {
      const page = async (ua?: string) => {
        const req = request(server).get(`/campaigns/${slug}?lang=zh-CN`);
        if (ua) void req.set('user-agent', ua);
        return (await req.expect(200)).text;
      };
      const inWechat = await page(WECHAT_UA);
      expect(methods(inWechat)).toEqual(['wechat_pay*', 'alipay', 'stripe']);
      expect(inWechat).toContain('支付方式');
      expect(inWechat).toContain('银行卡（Stripe）');
      expect(inWechat).toContain('月捐仅支持银行卡。');
      expect(methods(await page(ALIPAY_UA))).toEqual(['alipay*', 'wechat_pay', 'stripe']);
      expect(methods(await page())).toEqual(['wechat_pay*', 'alipay', 'stripe']);
    });

    it('starts the gift on the method the form sends, and shows its QR code on our own page', async () => {
      const browser = formSession(server);
      const res = await browser.post(`/campaigns/${slug}/donate?lang=zh-CN`, {
        amount: '88.00',
        donorName: '李明',
        donorEmail: `form-${randomUUID().slice(0, 8)}@example.org`,
        method: 'wechat_pay',
        step: 'pay',
      });
      expect(res.status).toBe(303);
      const location = String(res.headers.location);
      expect(location).toMatch(new RegExp(`/campaigns/${slug}/pay/[0-9a-f-]{36}$`));
      const id = location.split('/').pop()!;
      expect((await gift(id)).provider).toBe('WECHAT_PAY');

      const pay = await browser.agent.get(new URL(location).pathname).expect(200);
      expect(pay.headers['cache-control']).toContain('no-store');
      expect(pay.text).toContain('<svg');
      expect(pay.text).toContain('¥88.00');
      expect(pay.text).toContain('扫一扫');
      expect(unescaped(pay.text)).toMatch(
        new RegExp(
          `<meta http-equiv="refresh" content="4;url=/campaigns/${slug}/pay/${id}\\?lang=zh-CN">`,
        ),
      );
      // Paid: the page moves on to the thank-you page.
      await notify('/webhooks/wechatpay', wechat.pay(outTradeNo(id))).expect(204);
      const after = await browser.agent.get(`/campaigns/${slug}/pay/${id}?lang=zh-CN`).expect(303);
      expect(after.headers.location).toBe(`/campaigns/${slug}/thanks?donation=${id}&lang=zh-CN`);
    });

    it('says on the review which way the donor pays, and keeps it for the payment', async () => {
      const res = await formSession(server).post(`/campaigns/${slug}/donate?lang=zh-CN`, {
        amount: '50.00',
        donorName: '李明',
        donorEmail: `review-${randomUUID().slice(0, 8)}@example.org`,
        method: 'alipay',
      });
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/<dd id="r-method">支付宝<\/dd>/);
      expect(res.text).toMatch(/<input type="hidden" name="method" value="alipay">/);
    });

    it('refuses a monthly gift by WeChat Pay on the form, in words beside it', async () => {
      const res = await formSession(server).post(`/campaigns/${slug}/donate?lang=zh-CN`, {
        amount: '50.00',
        donorName: '李明',
        donorEmail: `monthly-${randomUUID().slice(0, 8)}@example.org`,
        method: 'wechat_pay',
        monthly: 'on',
        step: 'pay',
      });
      expect(res.status).toBe(422);
      expect(res.text).toContain('月捐仅支持银行卡（Stripe）');
      expect(methods(res.text)).toEqual(['wechat_pay*', 'alipay', 'stripe']);
    });

    it('renders WeChat’s pay sheet for an in-app (JSAPI) checkout, and no page for a hosted one', async () => {
      const { body } = await start({ method: 'wechat_pay' }).expect(201);
      const invoke = {
        appId: 'wx8888888888888888',
        package: 'prepay_id=wx201410272009395522657a690389285100',
      };
      await t.dataSource.query(
        `UPDATE donations SET checkout_qr = NULL, checkout_invoke = $2 WHERE id = $1`,
        [body.id, JSON.stringify(invoke)],
      );
      const page = await request(server).get(`/campaigns/${slug}/pay/${body.id}`).expect(200);
      expect(page.text).toContain('id="pay-jsapi"');
      expect(unescaped(page.text)).toContain(
        '"package":"prepay_id=wx201410272009395522657a690389285100"',
      );
      expect(page.text).toMatch(/<script src="\/static\/wechat-pay[^"]*\.js" defer><\/script>/);
      expect(page.text).not.toContain('http-equiv="refresh"');

      const hosted = await start({ method: 'alipay' }).expect(201);
      const away = await request(server)
        .get(`/campaigns/${slug}/pay/${hosted.body.id}`)
        .expect(303);
      expect(away.headers.location).toBe(hosted.body.checkoutUrl);
      await request(server).get(`/campaigns/${slug}/pay/${randomUUID()}`).expect(404);
    });
  });

  describe('webhook routes answer in each rail’s format', () => {
    it('WeChat Pay: 204 once durable; a repeat is 204 and books nothing twice', async () => {
      const { body } = await start({ method: 'wechat_pay' }).expect(201);
      const paid = wechat.pay(outTradeNo(body.id));
      const first = await notify('/webhooks/wechatpay', paid).expect(204);
      expect(first.text).toBe('');
      expect(await gift(body.id)).toMatchObject({
        status: 'SUCCEEDED',
        providerPaymentId: paid.transaction_id,
      });
      expect(await feeBooked(body.id)).toBe(30);
      const before = await fundNetOf(body.id);
      await notify('/webhooks/wechatpay', paid).expect(204);
      expect(await fundNetOf(body.id)).toBe(before);
      expect(await inboxRow('WECHAT_PAY', paid.id)).toMatchObject({ attempts: 1 });
    });

    it('WeChat Pay: a bad signature is 400 {"code":"FAIL"} and stores nothing', async () => {
      const { body } = await start({ method: 'wechat_pay' }).expect(201);
      const paid = wechat.pay(outTradeNo(body.id), { id: `forged_${body.id}` });
      const res = await notify('/webhooks/wechatpay', paid, 'ab'.repeat(32)).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ code: 'FAIL', message: expect.any(String) });
      expect(await inboxRow('WECHAT_PAY', paid.id)).toBeUndefined();
      expect((await gift(body.id)).status).toBe('PENDING');
    });

    it('WeChat Pay: an unknown order or another amount is kept for FINANCE but answered FAIL', async () => {
      const unknown = wechat.pay(outTradeNo(randomUUID()), { amount: 5_000, currency: 'CNY' });
      const lost = await notify('/webhooks/wechatpay', unknown).expect(422);
      expect(lost.body).toMatchObject({ code: 'FAIL' });
      expect(await inboxRow('WECHAT_PAY', unknown.id)).toMatchObject({
        processed_at: null,
        failure_reason: 'UNKNOWN_DONATION',
      });
      // Delivered again while still unknown: still a failure, never "processed".
      await notify('/webhooks/wechatpay', unknown).expect(422);

      const { body } = await start({ method: 'wechat_pay' }).expect(201);
      const more = wechat.pay(outTradeNo(body.id), { id: `more_${body.id}`, amount: 5_001 });
      await notify('/webhooks/wechatpay', more).expect(422);
      const otherCurrency = wechat.pay(outTradeNo(body.id), {
        id: `usd_${body.id}`,
        currency: 'USD',
      });
      await notify('/webhooks/wechatpay', otherCurrency).expect(422);
      expect(await inboxRow('WECHAT_PAY', otherCurrency.id)).toMatchObject({
        failure_reason: 'AMOUNT_MISMATCH',
      });
      expect((await gift(body.id)).status).toBe('PENDING');
    });

    it('Alipay: plain text success once durable, fail (4xx) for a bad signature', async () => {
      const { body } = await start({ method: 'alipay' }).expect(201);
      const paid = alipay.pay(outTradeNo(body.id));
      const bad = await notify('/webhooks/alipay', paid, '00'.repeat(32)).expect(400);
      expect(bad.text).toBe('fail');
      expect(bad.headers['content-type']).toMatch(/^text\/plain/);
      const ok = await notify('/webhooks/alipay', paid).expect(200);
      expect(ok.text).toBe('success');
      expect((await gift(body.id)).status).toBe('SUCCEEDED');
      // The same id on another rail is another notification: the inbox keys on (provider, id).
      expect(await inboxRow('ALIPAY', paid.id)).toMatchObject({ attempts: 1 });
      expect(await inboxRow('WECHAT_PAY', paid.id)).toBeUndefined();
    });

    it('Stripe: { received: true } as before', async () => {
      const { body } = await start({}).expect(201);
      const res = await deliver(
        server,
        stripeEvent(
          `evt_rails_${body.id}`,
          'checkout.session.completed',
          paidSession(body.id, 5_000),
        ),
      ).expect(200);
      expect(res.body).toEqual({ received: true, duplicate: false });
      expect((await gift(body.id)).status).toBe('SUCCEEDED');
    });
  });

  describe('refunds reported one by one (WeChat Pay)', () => {
    const refund = (id: string, ref: string, amount: number, eventId = `refund_${id}_${ref}`) => ({
      id: eventId,
      type: 'refund' as const,
      out_trade_no: outTradeNo(id),
      refund_no: ref,
      amount,
    });

    it('adds two partial refunds up; a repeat, even under another notification id, is a no-op', async () => {
      const { body } = await start({ method: 'wechat_pay' }).expect(201);
      await notify('/webhooks/wechatpay', wechat.pay(outTradeNo(body.id))).expect(204);
      await feeBooked(body.id);
      const balance = () => fundNetOf(body.id);
      const before = await balance();

      await notify('/webhooks/wechatpay', refund(body.id, 'r1', 1_000)).expect(204);
      expect(await gift(body.id)).toMatchObject({
        status: 'PARTIALLY_REFUNDED',
        refundedMinor: 1_000,
      });
      await notify('/webhooks/wechatpay', refund(body.id, 'r2', 1_500)).expect(204);
      await notify('/webhooks/wechatpay', refund(body.id, 'r1', 1_000)).expect(204);
      await notify('/webhooks/wechatpay', refund(body.id, 'r1', 1_000, `again_${body.id}`)).expect(
        204,
      );
      expect(await gift(body.id)).toMatchObject({ refundedMinor: 2_500 });
      expect(await balance()).toBe(before - 2_500);

      await notify('/webhooks/wechatpay', refund(body.id, 'r3', 2_500)).expect(204);
      expect(await gift(body.id)).toMatchObject({ status: 'REFUNDED', refundedMinor: 5_000 });
      const rows: { n: number }[] = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM payment_refunds WHERE donation_id = $1`,
        [body.id],
      );
      expect(rows[0]!.n).toBe(3);
    });

    it('a refund before its payment waits, then books right once the payment is in', async () => {
      const { body } = await start({ method: 'wechat_pay' }).expect(201);
      const early = refund(body.id, 'r1', 2_000);
      await notify('/webhooks/wechatpay', early).expect(204);
      expect(await inboxRow('WECHAT_PAY', early.id)).toMatchObject({
        processed_at: null,
        failure_reason: 'WAITING',
      });
      expect((await gift(body.id)).refundedMinor).toBe(0);

      await notify('/webhooks/wechatpay', wechat.pay(outTradeNo(body.id))).expect(204);
      // The platform delivers the refund again (or the retry loop gets to it first).
      await notify('/webhooks/wechatpay', early).expect(204);
      expect(await gift(body.id)).toMatchObject({
        status: 'PARTIALLY_REFUNDED',
        refundedMinor: 2_000,
      });
      expect((await inboxRow('WECHAT_PAY', early.id))!.processed_at).not.toBeNull();
    });

    it('asks the gift’s own adapter for a refund, with the order and the whole amount', async () => {
      const { body } = await start({ method: 'wechat_pay' }).expect(201);
      await notify('/webhooks/wechatpay', wechat.pay(outTradeNo(body.id))).expect(204);
      const result = await t.get(DonationsService).requestRefund(body.id, 1_200, 0, '捐赠人要求');
      expect(result).toMatchObject({ booked: false, amountMinor: 1_200 });
      expect(wechat.refunds.at(-1)).toMatchObject({
        donationId: body.id,
        sessionId: outTradeNo(body.id),
        paymentId: `tx_${outTradeNo(body.id).slice(0, 16)}`,
        amountMinor: 1_200,
        totalMinor: 5_000,
        currency: 'CNY',
        reason: '捐赠人要求',
        idempotencyKey: `refund:${body.id}:1200`,
      });
    });
  });

  describe('reconciliation', () => {
    it('settles a gift paid at the provider whose notification never came, once', async () => {
      const { body } = await start({ method: 'alipay' }).expect(201);
      alipay.pay(outTradeNo(body.id));
      const since = new Date(Date.now() - 3_600_000);
      const report = await t.get(ReconciliationService).reconcile(since);
      const rail = report.rails.find((r) => r.provider === 'ALIPAY')!;
      expect(rail.repaired).toContain(body.id);
      expect(report.repaired).toContain(body.id);
      expect((await gift(body.id)).status).toBe('SUCCEEDED');
      await feeBooked(body.id);
      const booked = await fundNetOf(body.id);

      // The late notification and a second run book nothing more.
      await notify('/webhooks/alipay', alipay.pay(outTradeNo(body.id))).expect(200);
      const again = await t.get(ReconciliationService).reconcile(since);
      expect(again.repaired).not.toContain(body.id);
      expect(await fundNetOf(body.id)).toBe(booked);
    });

    it('closes an order left open past its expiry and marks the gift EXPIRED', async () => {
      const { body } = await start({ method: 'wechat_pay' }).expect(201);
      const fresh = await start({ method: 'wechat_pay' }).expect(201);
      const later = new Date(Date.now() + 25 * 3600_000);
      const report = await t
        .get(ReconciliationService)
        .reconcile(new Date(Date.now() - 3_600_000), later);
      const rail = report.rails.find((r) => r.provider === 'WECHAT_PAY')!;
      expect(rail.closed).toEqual(expect.arrayContaining([body.id, fresh.body.id]));
      expect(wechat.closed).toContain(outTradeNo(body.id));
      expect((await gift(body.id)).status).toBe('EXPIRED');

      // Not yet past its expiry: left open.
      const open = await start({ method: 'wechat_pay' }).expect(201);
      const now = await t.get(ReconciliationService).reconcile(new Date(Date.now() - 3_600_000));
      expect(now.rails.find((r) => r.provider === 'WECHAT_PAY')!.closed).not.toContain(
        open.body.id,
      );
      expect((await gift(open.body.id)).status).toBe('PENDING');
    });
  });
});
