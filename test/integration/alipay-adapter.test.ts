import { randomUUID } from 'node:crypto';
import { DomainError, errorText } from '../../src/common/errors';
import {
  AlipayAdapter,
  type AlipaySettings,
  createAlipayAdapter,
} from '../../src/modules/payments/alipay/alipay.provider';
import { alipayTime, outTradeNo } from '../../src/modules/payments/alipay/alipay-amounts';
import {
  AlipayRefusedError,
  AlipayResponseUnverifiedError,
} from '../../src/modules/payments/alipay/alipay.errors';
import { FakeAlipay } from '../../src/modules/payments/alipay/sandbox/fake-alipay';
import type { OrderRequest } from '../../src/modules/payments/payment-provider';
import {
  ProviderBusyError,
  WebhookSignatureError,
} from '../../src/modules/payments/payments.errors';
import {
  type AlipayTestKeys,
  generateAlipayKeys,
  type RunningFakeAlipay,
  startFakeAlipay,
} from '../utils/fake-alipay-server';

const APP_ID = '2021000000000001';
const SELLER_ID = '2088000000000001';
const PUBLIC_URL = 'https://give.example.org';
const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

describe('Alipay adapter against the fake gateway', () => {
  let keys: AlipayTestKeys;
  let running: RunningFakeAlipay;
  let fake: FakeAlipay;
  /** Notifications the fake posted, with what our side answered. */
  let posted: string[];
  let answer: () => { status: number; text: string };
  let sleeps: number[];

  const settings = (overrides: Partial<AlipaySettings> = {}): AlipaySettings => ({
    appId: APP_ID,
    appPrivateKey: keys.appPrivateKey,
    alipayPublicKey: keys.alipayPublicKey,
    gateway: running.gateway,
    sellerId: SELLER_ID,
    publicUrl: PUBLIC_URL,
    feeRateBp: 60,
    ...overrides,
  });
  const adapter = (overrides: Partial<AlipaySettings> = {}): AlipayAdapter =>
    createAlipayAdapter(settings(overrides), {
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      random: () => 0.5,
    });

  const order = (overrides: Partial<OrderRequest> = {}): OrderRequest => ({
    donationId: randomUUID(),
    amountMinor: 123450,
    currency: 'CNY',
    description: '社区图书角 Community library',
    donorEmail: 'li@example.org',
    monthly: false,
    successUrl: `${PUBLIC_URL}/campaigns/library/thanks`,
    cancelUrl: `${PUBLIC_URL}/campaigns/library`,
    locale: 'zh-CN',
    channel: 'phone',
    expiresAt: new Date(Date.now() + 24 * 3600 * 1000),
    ...overrides,
  });

  /** The donor's browser opening the cashier URL: the fake opens the order. */
  async function openCashier(url: string): Promise<Response> {
    return fetch(url, { redirect: 'manual' });
  }

  async function openOrder(a: AlipayAdapter, overrides: Partial<OrderRequest> = {}) {
    const request = order(overrides);
    const checkout = await a.createOrder(request);
    if (checkout.display !== 'redirect') throw new Error('expected a redirect');
    expect((await openCashier(checkout.url)).status).toBe(302);
    return { request, checkout, tradeNo: checkout.sessionId };
  }

  beforeAll(() => {
    keys = generateAlipayKeys();
  });

  beforeEach(async () => {
    posted = [];
    sleeps = [];
    answer = () => ({ status: 200, text: 'success' });
    running = await startFakeAlipay({
      appId: APP_ID,
      sellerId: SELLER_ID,
      keys,
      resendDelaysMs: [5, 5, 5],
      post: (_url, body) => {
        posted.push(body);
        return Promise.resolve(answer());
      },
    });
    fake = running.fake;
  });

  afterEach(async () => {
    await running.close();
    jest.restoreAllMocks();
  });

  describe('createOrder', () => {
    it('builds a signed wap.pay URL whose biz_content the gateway accepts', async () => {
      const a = adapter();
      const expiresAt = new Date('2030-01-02T03:04:05Z');
      const { request, checkout } = await openOrder(a, { expiresAt });
      expect(checkout.sessionId).toBe(outTradeNo(request.donationId));

      const seen = fake.requests.at(-1)!;
      expect(seen.signatureValid).toBe(true);
      expect(seen.method).toBe('alipay.trade.wap.pay');
      expect(seen.params).toMatchObject({
        app_id: APP_ID,
        sign_type: 'RSA2',
        charset: 'utf-8',
        notify_url: `${PUBLIC_URL}/webhooks/alipay`,
        return_url: request.successUrl,
      });
      expect(seen.bizContent).toEqual({
        out_trade_no: request.donationId.replaceAll('-', ''),
        total_amount: '1234.50',
        subject: '社区图书角 Community library',
        product_code: 'QUICK_WAP_WAY',
        time_expire: '2030-01-02 11:04:05',
        passback_params: request.donationId,
        quit_url: request.cancelUrl,
      });
      // Beijing wall time: the fake refuses a timestamp more than 15 minutes from now there.
      expect(seen.params.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(seen.params.timestamp! >= alipayTime(new Date(Date.now() - 60_000))).toBe(true);
      expect(fake.order(checkout.sessionId)).toMatchObject({
        totalFen: 123450,
        status: 'WAIT_BUYER_PAY',
      });
    });

    it('uses page.pay on desktop, and the same order when built again', async () => {
      const a = adapter();
      const donationId = randomUUID();
      const first = await openOrder(a, { donationId, channel: 'desktop' });
      const again = await openOrder(a, { donationId, channel: 'desktop' });
      expect(again.tradeNo).toBe(first.tradeNo);
      expect(fake.orders.size).toBe(1);
      const seen = fake.requests.at(-1)!;
      expect(seen.method).toBe('alipay.trade.page.pay');
      expect(seen.bizContent.product_code).toBe('FAST_INSTANT_TRADE_PAY');
      expect(seen.bizContent).not.toHaveProperty('quit_url');
    });

    it('signs over every parameter: a URL changed after signing is refused', async () => {
      const checkout = await adapter().createOrder(order());
      if (checkout.display !== 'redirect') throw new Error('expected a redirect');
      const tampered = checkout.url.replace(
        encodeURIComponent('"1234.50"'),
        encodeURIComponent('"0.01"'),
      );
      expect(tampered).not.toBe(checkout.url);
      const response = await openCashier(tampered);
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('isv.invalid-signature');
      expect(fake.orders.size).toBe(0);
    });

    it('cuts the subject to 256 characters without Alipay’s forbidden characters', async () => {
      await openOrder(adapter(), { description: `a/b=c&d ${'长'.repeat(300)}` });
      const subject = fake.requests.at(-1)!.bizContent.subject as string;
      expect([...subject]).toHaveLength(256);
      expect(subject.startsWith('a b c d 长')).toBe(true);
    });

    it('refuses what Alipay cannot take', async () => {
      const a = adapter();
      await expect(a.createOrder(order({ currency: 'USD' }))).rejects.toMatchObject({
        code: 'INVALID_AMOUNT',
      });
      await expect(a.createOrder(order({ amountMinor: 0 }))).rejects.toMatchObject({
        code: 'INVALID_AMOUNT',
      });
      await expect(a.createOrder(order({ amountMinor: 10_000_000_001 }))).rejects.toMatchObject({
        code: 'INVALID_AMOUNT',
      });
    });
  });

  describe('notifications', () => {
    it('verifies a payment notification and translates it', async () => {
      const a = adapter();
      const { request, tradeNo } = await openOrder(a);
      const delivery = await fake.pay(tradeNo, { buyerId: '2088123412341234' });
      expect(delivery).toMatchObject({ delivered: true, attempts: 1 });
      expect(posted).toHaveLength(1);

      const verified = a.verifyNotification(Buffer.from(posted[0]!), FORM);
      const tradeNoAlipay = fake.order(tradeNo)!.tradeNo;
      expect(verified.eventId).toBe(`${tradeNoAlipay}:TRADE_SUCCESS`);
      expect(verified.type).toBe('trade_status_sync');
      expect(verified.payload).toMatchObject({ out_trade_no: tradeNo, total_amount: '1234.50' });
      expect(a.toPaymentEvent(verified)).toEqual({
        kind: 'paid',
        gift: { donationId: request.donationId, sessionId: tradeNo, paymentId: tradeNoAlipay },
        paid: { amountMinor: 123450, currency: 'CNY' },
        paymentId: tradeNoAlipay,
        fingerprint: 'alipay:2088123412341234',
      });
    });

    it('re-sends until answered success, with the same notify_id and event id', async () => {
      const a = adapter();
      const { tradeNo } = await openOrder(a);
      let calls = 0;
      answer = () =>
        ++calls < 3 ? { status: 200, text: 'fail' } : { status: 200, text: 'success' };
      await fake.pay(tradeNo);
      for (let i = 0; i < 50 && !fake.deliveries[0]!.delivered; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(fake.deliveries[0]).toMatchObject({ delivered: true, attempts: 3 });
      const verified = posted.map((body) => a.verifyNotification(Buffer.from(body), FORM));
      expect(new Set(verified.map((v) => v.eventId)).size).toBe(1);
      expect(new Set(verified.map((v) => v.payload.notify_id)).size).toBe(1);
    });

    it('translates a closed order as expired and ignores an unpaid one', async () => {
      const a = adapter();
      const { tradeNo } = await openOrder(a);
      const waiting = fake
        .notificationBody(tradeNo, 'closed')
        .replace('TRADE_CLOSED', 'WAIT_BUYER_PAY');
      expect(() => a.verifyNotification(Buffer.from(waiting), FORM)).toThrow(WebhookSignatureError);
      await fake.close(tradeNo);
      const closed = a.verifyNotification(Buffer.from(posted[0]!), FORM);
      expect(a.toPaymentEvent(closed)).toMatchObject({
        kind: 'expired',
        gift: { sessionId: tradeNo },
      });
      expect(
        a.toPaymentEvent({
          ...closed,
          payload: { ...closed.payload, trade_status: 'WAIT_BUYER_PAY' },
        }),
      ).toMatchObject({ kind: 'ignored' });
    });

    describe('refuses, saying why', () => {
      let body: string;
      beforeEach(async () => {
        const { tradeNo } = await openOrder(adapter());
        body = fake.notificationBody(tradeNo, 'paid');
      });

      const form = (change: (f: URLSearchParams) => void) => {
        const fields = new URLSearchParams(body);
        change(fields);
        return Buffer.from(fields.toString());
      };

      it.each<[string, (f: URLSearchParams) => void, string]>([
        ['a changed amount', (f) => f.set('total_amount', '0.01'), 'badSign'],
        ['a changed status', (f) => f.set('trade_status', 'TRADE_FINISHED'), 'badSign'],
        ['an added field', (f) => f.set('refund_fee', '1.00'), 'badSign'],
        ['no sign', (f) => f.delete('sign'), 'noSign'],
        ['an empty sign', (f) => f.set('sign', ''), 'noSign'],
        ['a sign that is not RSA2 of it', (f) => f.set('sign', 'bm90IGEgc2lnbg=='), 'badSign'],
        ['sign type RSA', (f) => f.set('sign_type', 'RSA'), 'signType'],
        ['a GBK charset', (f) => f.set('charset', 'gbk'), 'charset'],
        ['a repeated field', (f) => f.append('trade_status', 'TRADE_SUCCESS'), 'notForm'],
      ])('%s', (_what, change, reason) => {
        const a = adapter();
        expect(() => a.verifyNotification(form(change), FORM)).toThrow(
          expect.objectContaining({
            code: 'INVALID_SIGNATURE',
            words: expect.objectContaining({
              vars: { reason: expect.objectContaining({ key: `errors.alipay.notify.${reason}` }) },
            }) as unknown,
          }) as Error,
        );
        // The untouched notification passes: the change alone was refused.
        expect(a.verifyNotification(Buffer.from(body), FORM).type).toBe('trade_status_sync');
      });

      it('a body that is not a form', () => {
        expect(() =>
          adapter().verifyNotification(Buffer.from(body), { 'content-type': 'application/json' }),
        ).toThrow(WebhookSignatureError);
      });

      it('a notification signed with another key', () => {
        const other = generateAlipayKeys();
        expect(() =>
          adapter({ alipayPublicKey: other.alipayPublicKey }).verifyNotification(
            Buffer.from(body),
            FORM,
          ),
        ).toThrow(WebhookSignatureError);
      });

      it('another app, another seller', () => {
        expect(() =>
          adapter({ appId: '2021000000000999' }).verifyNotification(Buffer.from(body), FORM),
        ).toThrow(WebhookSignatureError);
        expect(() =>
          adapter({ sellerId: '2088000000000999' }).verifyNotification(Buffer.from(body), FORM),
        ).toThrow(WebhookSignatureError);
        // Without a configured seller the seller is not checked.
        expect(
          adapter({ sellerId: undefined }).verifyNotification(Buffer.from(body), FORM).type,
        ).toBe('trade_status_sync');
      });

      it('says why, in words', () => {
        let refusal: unknown;
        try {
          adapter({ appId: '2021000000000999' }).verifyNotification(Buffer.from(body), FORM);
        } catch (error) {
          refusal = error;
        }
        expect(refusal).toBeInstanceOf(DomainError);
        expect(refusal).toMatchObject({
          code: 'INVALID_SIGNATURE',
          words: {
            key: 'errors.payments.webhookRefused',
            vars: { reason: { key: 'errors.alipay.notify.otherApp', vars: { appId: APP_ID } } },
          },
        });
        expect(errorText(refusal as DomainError, 'zh-CN')).toContain(
          `另一个应用（app_id ${APP_ID}）`,
        );
      });
    });
  });

  describe('refunds', () => {
    it('refunds once per out_request_no; each notification carries the cumulative refund', async () => {
      const a = adapter();
      const { request, tradeNo } = await openOrder(a, { amountMinor: 5000 });
      await fake.pay(tradeNo);
      const refund = (idempotencyKey: string, amountMinor: number) =>
        a.refund({
          donationId: request.donationId,
          paymentId: fake.order(tradeNo)!.tradeNo,
          sessionId: tradeNo,
          amountMinor,
          totalMinor: 5000,
          currency: 'CNY',
          idempotencyKey,
          reason: '捐赠人申请退款',
        });
      const first = await refund(`refund:${request.donationId}:1000`, 1000);
      const repeat = await refund(`refund:${request.donationId}:1000`, 1000);
      expect(repeat).toEqual(first);
      expect(fake.order(tradeNo)!.refundedFen).toBe(1000);
      const seen = fake.requests.filter((r) => r.method === 'alipay.trade.refund');
      expect(seen).toHaveLength(2);
      expect(seen[0]!.bizContent).toMatchObject({
        out_trade_no: tradeNo,
        refund_amount: '10.00',
        out_request_no: first.refundId,
        refund_reason: '捐赠人申请退款',
      });
      expect(seen.every((r) => r.signatureValid)).toBe(true);

      await refund(`refund:${request.donationId}:3000`, 2000);
      await fake.idle();
      const refunds = posted
        .map((body) => a.verifyNotification(Buffer.from(body), FORM))
        .filter((n) => n.payload.out_biz_no);
      expect(refunds).toHaveLength(2);
      expect(refunds.map((n) => a.toPaymentEvent(n))).toEqual([
        expect.objectContaining({ kind: 'refunded', refundedTotalMinor: 1000 }),
        expect.objectContaining({ kind: 'refunded', refundedTotalMinor: 3000 }),
      ]);
      expect(new Set(refunds.map((n) => n.eventId)).size).toBe(2);

      await expect(refund(`refund:${request.donationId}:6000`, 3000)).rejects.toBeInstanceOf(
        AlipayRefusedError,
      );
      // The whole gift refunded: the trade closes, and that notification is a refund, not expiry.
      await refund(`refund:${request.donationId}:5000`, 2000);
      await fake.idle();
      const last = a.verifyNotification(Buffer.from(posted.at(-1)!), FORM);
      expect(last.payload.trade_status).toBe('TRADE_CLOSED');
      expect(a.toPaymentEvent(last)).toMatchObject({ kind: 'refunded', refundedTotalMinor: 5000 });
    });
  });

  describe('query and close', () => {
    const ref = (donationId: string) => ({
      donationId,
      sessionId: outTradeNo(donationId),
      amountMinor: 123450,
      currency: 'CNY',
    });

    it('follows an order from unknown to open to paid', async () => {
      const a = adapter();
      const donationId = randomUUID();
      await expect(a.queryOrder(ref(donationId))).resolves.toEqual({ state: 'not_found' });
      const { tradeNo } = await openOrder(a, { donationId });
      await expect(a.queryOrder(ref(donationId))).resolves.toEqual({ state: 'open' });
      await fake.pay(tradeNo, { buyerId: '2088999988887777' });
      const status = await a.queryOrder(ref(donationId));
      if (status.state !== 'paid') throw new Error(`expected paid, got ${status.state}`);
      expect(status.notification.eventId).toBe(`query:${tradeNo}:TRADE_SUCCESS`);
      expect(status.notification.payload).toMatchObject({ source: 'query' });
      expect(a.toPaymentEvent(status.notification)).toEqual({
        kind: 'paid',
        gift: { donationId, sessionId: tradeNo, paymentId: fake.order(tradeNo)!.tradeNo },
        paid: { amountMinor: 123450, currency: 'CNY' },
        paymentId: fake.order(tradeNo)!.tradeNo,
        fingerprint: 'alipay:2088999988887777',
      });
    });

    it('closes an open order; closing again or an unknown one is harmless; a paid one is not closed', async () => {
      const a = adapter();
      const open = await openOrder(a);
      await a.closeOrder(ref(open.request.donationId));
      expect(fake.order(open.tradeNo)!.status).toBe('TRADE_CLOSED');
      await expect(a.queryOrder(ref(open.request.donationId))).resolves.toEqual({
        state: 'closed',
      });
      await a.closeOrder(ref(open.request.donationId));
      await a.closeOrder(ref(randomUUID()));

      const paid = await openOrder(a);
      await fake.pay(paid.tradeNo);
      await expect(a.closeOrder(ref(paid.request.donationId))).rejects.toBeInstanceOf(
        AlipayRefusedError,
      );
      expect(fake.order(paid.tradeNo)!.status).toBe('TRADE_SUCCESS');
    });
  });

  describe('when Alipay is unavailable', () => {
    const donationId = randomUUID();
    const ref = { donationId, sessionId: outTradeNo(donationId), amountMinor: 1, currency: 'CNY' };

    it('retries 20000 and HTTP errors, then answers', async () => {
      fake.failNext(2);
      fake.failNext(1, { kind: 'http' });
      await expect(adapter().queryOrder(ref)).resolves.toEqual({ state: 'not_found' });
      expect(sleeps).toHaveLength(3);
      expect(fake.requests.filter((r) => r.method === 'alipay.trade.query')).toHaveLength(4);
    });

    it('gives up after the policy’s attempts with ProviderBusyError', async () => {
      fake.failNext(10);
      await expect(adapter().queryOrder(ref)).rejects.toBeInstanceOf(ProviderBusyError);
      expect(fake.requests).toHaveLength(4);
    });

    it('treats an unreachable gateway the same', async () => {
      await expect(
        adapter({ gateway: 'http://127.0.0.1:9/gateway.do' }).queryOrder(ref),
      ).rejects.toBeInstanceOf(ProviderBusyError);
      expect(sleeps).toHaveLength(3);
    });

    it('does not use an answer whose signature fails', async () => {
      const other = generateAlipayKeys();
      await expect(
        adapter({ alipayPublicKey: other.alipayPublicKey }).queryOrder(ref),
      ).rejects.toBeInstanceOf(AlipayResponseUnverifiedError);
    });
  });

  it('reads keys as PEM or bare base64, PKCS#1 or PKCS#8', async () => {
    const { createPrivateKey, createPublicKey } = await import('node:crypto');
    const pkcs1 = createPrivateKey(keys.appPrivateKey).export({
      type: 'pkcs1',
      format: 'pem',
    }) as string;
    const bare = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const publicBare = bare(
      createPublicKey(keys.alipayPublicKey).export({ type: 'spki', format: 'pem' }) as string,
    );
    for (const appPrivateKey of [pkcs1, bare(keys.appPrivateKey), bare(pkcs1)]) {
      const a = adapter({ appPrivateKey, alipayPublicKey: publicBare });
      await openOrder(a);
      expect(fake.requests.at(-1)!.signatureValid).toBe(true);
    }
  });

  it('says which key is wrong when one cannot be read', () => {
    expect(() => adapter({ appPrivateKey: 'not a key' })).toThrow(/ALIPAY_APP_PRIVATE_KEY/);
    expect(() => adapter({ alipayPublicKey: keys.appPrivateKey.slice(0, 100) })).toThrow(
      /ALIPAY_PUBLIC_KEY/,
    );
  });

  it('charges its fee by the configured rate, half up to the fen', async () => {
    const a = adapter();
    const fee = (amountMinor: number) =>
      a.retrieveFee({ paymentId: 'x', amountMinor, currency: 'CNY' }).then((f) => f!.feeMinor);
    await expect(fee(10000)).resolves.toBe(60);
    await expect(fee(83)).resolves.toBe(0);
    await expect(fee(84)).resolves.toBe(1);
    await expect(fee(250)).resolves.toBe(2);
    await expect(fee(249)).resolves.toBe(1);
  });
});
