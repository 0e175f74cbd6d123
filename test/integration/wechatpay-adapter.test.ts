import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { DomainError } from '../../src/common/errors';
import { say } from '../../src/common/i18n/i18n';
import {
  type OrderRequest,
  ProviderBusyError,
  type VerifiedNotification,
  WebhookSignatureError,
} from '../../src/modules/payments/payment-provider';
import {
  encryptResource,
  parseAuthorization,
  platformSignatureHeaders,
  requestMessage,
  rsaVerify,
} from '../../src/modules/payments/wechatpay/wechatpay-protocol';
import {
  WechatPayNotificationRefusedError,
  WechatPayOrderExistsError,
  WechatPayRefusedError,
  WechatPayResponseUnverifiedError,
} from '../../src/modules/payments/wechatpay/wechatpay.errors';
import {
  createWechatPayAdapter,
  type WechatPayAdapter,
} from '../../src/modules/payments/wechatpay/wechatpay.provider';
import { type FakeWechatPayServer, startFakeWechatPay } from '../utils/fake-wechatpay-server';

/**
 * The WeChat Pay adapter against the fake platform on a local port (no internet): what it sends
 * (asserted on the server side), how it retries, how it reads notifications and answers.
 */
const FAST_RETRY = { attempts: 4, baseDelayMs: 2, maxDelayMs: 10 };

interface Delivered {
  headers: Record<string, string>;
  body: string;
}

function orderRequest(overrides: Partial<OrderRequest> = {}): OrderRequest {
  return {
    donationId: randomUUID(),
    amountMinor: 12_345,
    currency: 'CNY',
    description: '社区花园 · Community garden',
    donorEmail: 'donor@example.org',
    monthly: false,
    successUrl: 'https://give.example.org/donations/thanks?id=1&x=y',
    cancelUrl: 'https://give.example.org/campaigns/garden',
    locale: 'zh-CN',
    channel: 'desktop',
    clientIp: '203.0.113.7',
    expiresAt: new Date(Date.now() + 24 * 3600 * 1000),
    ...overrides,
  };
}

function lastRequest(server: FakeWechatPayServer) {
  const request = server.fake.requests.at(-1)!;
  return {
    ...request,
    json: request.body ? (JSON.parse(request.body) as Record<string, unknown>) : null,
  };
}

function refusalOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookSignatureError);
    return (error as WechatPayNotificationRefusedError).refusal;
  }
  return undefined;
}

describe('WeChat Pay adapter against the fake platform', () => {
  let server: FakeWechatPayServer;
  let wechat: WechatPayAdapter;
  const delivered: Delivered[] = [];

  beforeAll(async () => {
    server = await startFakeWechatPay({
      deliver: (notification) => {
        delivered.push(notification);
        return Promise.resolve(204);
      },
    });
    wechat = createWechatPayAdapter(server.settings({ jsapiAppId: server.jsapiAppId }), {
      retry: FAST_RETRY,
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    delivered.length = 0;
  });

  it('opens a Native order whose signature, number, amount, expiry and notify URL the platform checks', async () => {
    const request = orderRequest({ description: '社'.repeat(60) });
    const checkout = await wechat.createOrder(request);
    const sent = lastRequest(server);
    expect(sent.status).toBe(200);
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v3/pay/transactions/native');
    // The signature checks out with the merchant's public key, over exactly what was sent.
    const auth = parseAuthorization(sent.headers.authorization)!;
    expect(auth.mchid).toBe(server.mchid);
    expect(auth.serial_no).toBe(server.merchant.serial);
    expect(
      rsaVerify(
        server.merchant.publicKey,
        requestMessage('POST', sent.path, auth.timestamp, auth.nonce_str, sent.body),
        auth.signature,
      ),
    ).toBe(true);
    const tradeNo = request.donationId.replace(/-/g, '');
    expect(sent.json).toEqual({
      appid: server.appid,
      mchid: server.mchid,
      description: '社'.repeat(42),
      out_trade_no: tradeNo,
      time_expire: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/),
      attach: request.donationId,
      notify_url: 'https://give.example.org/webhooks/wechatpay',
      amount: { total: 12_345, currency: 'CNY' },
    });
    expect(new Date(sent.json!.time_expire as string).getTime()).toBe(
      Math.floor(request.expiresAt.getTime() / 1000) * 1000,
    );
    const order = server.fake.orders.get(tradeNo)!;
    expect(checkout).toEqual({
      sessionId: tradeNo,
      display: 'qr',
      qrContent: `http://pay.sandbox.invalid/pay/${order.token}`,
    });
  });

  it('a retried create names the same order and gets the same code_url', async () => {
    const request = orderRequest();
    const first = await wechat.createOrder(request);
    const again = await wechat.createOrder(request);
    expect(again).toEqual(first);
    expect([...server.fake.orders.keys()].filter((no) => no === first.sessionId)).toHaveLength(1);
  });

  it('opens an H5 order on a phone, with the donor’s IP, redirecting back to the success URL', async () => {
    const request = orderRequest({ channel: 'phone' });
    const checkout = await wechat.createOrder(request);
    const sent = lastRequest(server);
    expect(sent.path).toBe('/v3/pay/transactions/h5');
    expect(sent.json!.scene_info).toEqual({
      payer_client_ip: '203.0.113.7',
      h5_info: { type: 'Wap' },
    });
    const token = server.fake.orders.get(checkout.sessionId)!.token;
    expect(checkout).toEqual({
      sessionId: checkout.sessionId,
      display: 'redirect',
      url: `http://pay.sandbox.invalid/pay/${token}?prepay_id=${token}&redirect_url=${encodeURIComponent(request.successUrl)}`,
    });
  });

  it('inside WeChat with an openid: JSAPI, with a paySign the merchant key verifies', async () => {
    const checkout = await wechat.createOrder(
      orderRequest({ channel: 'wechat', openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' }),
    );
    const sent = lastRequest(server);
    expect(sent.path).toBe('/v3/pay/transactions/jsapi');
    expect(sent.json!.appid).toBe(server.jsapiAppId);
    expect(sent.json!.payer).toEqual({ openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' });
    if (checkout.display !== 'jsapi') throw new Error('expected a JSAPI checkout');
    const { invoke } = checkout;
    expect(invoke.package).toBe(`prepay_id=${server.fake.orders.get(checkout.sessionId)!.token}`);
    expect(invoke.signType).toBe('RSA');
    expect(invoke.appId).toBe(server.jsapiAppId);
    expect(
      rsaVerify(
        server.merchant.publicKey,
        `${invoke.appId}\n${invoke.timeStamp}\n${invoke.nonceStr}\n${invoke.package}\n`,
        invoke.paySign!,
      ),
    ).toBe(true);
    // No openid, or no official account configured: a QR code instead.
    expect((await wechat.createOrder(orderRequest({ channel: 'wechat' }))).display).toBe('qr');
    const plain = createWechatPayAdapter(server.settings(), { retry: FAST_RETRY });
    expect(
      (await plain.createOrder(orderRequest({ channel: 'wechat', openid: 'o1' }))).display,
    ).toBe('qr');
  });

  it('a request signed with another key is refused by the platform: 401 SIGN_ERROR, in words', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = createWechatPayAdapter(
      server.settings({ merchantPrivateKey: other.privateKey }),
      {
        retry: FAST_RETRY,
      },
    );
    const error = await forged.createOrder(orderRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatPayRefusedError);
    expect(error).toMatchObject({ status: 401, platformCode: 'SIGN_ERROR', code: 'CONFLICT' });
    expect(say('zh-CN', (error as DomainError).words)).toBe(
      '微信支付拒绝了请求：签名错误 (SIGN_ERROR)',
    );
    expect(server.fake.requests.at(-1)!.status).toBe(401);
  });

  it('refuses what the platform refuses: a non-CNY amount, an expiry in the past', async () => {
    await expect(wechat.createOrder(orderRequest({ currency: 'USD' }))).rejects.toMatchObject({
      platformCode: 'PARAM_ERROR',
    });
    await expect(
      wechat.createOrder(orderRequest({ expiresAt: new Date(Date.now() - 60_000) })),
    ).rejects.toMatchObject({ platformCode: 'PARAM_ERROR' });
    await expect(wechat.createOrder(orderRequest({ amountMinor: 0 }))).rejects.toMatchObject({
      code: 'INVALID_AMOUNT',
    });
  });

  it('the same gift opened on another device, or already paid, is told apart by a query', async () => {
    const request = orderRequest();
    await wechat.createOrder(request);
    const elsewhere = await wechat
      .createOrder({ ...request, channel: 'phone' })
      .catch((e: unknown) => e);
    expect(elsewhere).toBeInstanceOf(WechatPayOrderExistsError);
    expect((elsewhere as DomainError).words.key).toBe('errors.wechatpay.orderElsewhere');
    await server.fake.pay(request.donationId.replace(/-/g, ''));
    const paid = await wechat.createOrder(request).catch((e: unknown) => e);
    expect((paid as DomainError).words.key).toBe('errors.wechatpay.orderPaid');
  });

  it('pays: TRANSACTION.SUCCESS arrives signed and encrypted, and reads as paid', async () => {
    const request = orderRequest({ amountMinor: 5_000 });
    const { sessionId } = await wechat.createOrder(request);
    const outcome = await server.fake.pay(sessionId);
    expect(outcome).toMatchObject({ status: 204, attempts: 1 });
    expect(delivered).toHaveLength(1);
    const notification = wechat.verifyNotification(
      Buffer.from(delivered[0]!.body),
      delivered[0]!.headers,
    );
    const order = server.fake.orders.get(sessionId)!;
    expect(notification).toMatchObject({
      eventId: outcome.notificationId,
      type: 'TRANSACTION.SUCCESS',
    });
    expect(wechat.toPaymentEvent(notification)).toEqual({
      kind: 'paid',
      gift: { donationId: request.donationId, sessionId },
      paid: { amountMinor: 5_000, currency: 'CNY' },
      paymentId: order.transactionId,
      fingerprint: `wechat:${order.openid}`,
    });
  });

  it('refuses forged, stale, misdirected and undecryptable notifications', async () => {
    const { sessionId } = await wechat.createOrder(orderRequest());
    await server.fake.pay(sessionId);
    const good = delivered[0]!;
    const body = Buffer.from(good.body);
    expect(refusalOf(() => wechat.verifyNotification(body, good.headers))).toBeUndefined();
    expect(
      refusalOf(() =>
        wechat.verifyNotification(
          Buffer.from(good.body.replace('TRANSACTION', 'TRANSACTIoN')),
          good.headers,
        ),
      ),
    ).toBe('badSignature');
    expect(
      refusalOf(() =>
        wechat.verifyNotification(body, { ...good.headers, 'wechatpay-serial': 'PUB_KEY_ID_X' }),
      ),
    ).toBe('unknownSerial');
    expect(
      refusalOf(() =>
        wechat.verifyNotification(body, { ...good.headers, 'wechatpay-signature': undefined }),
      ),
    ).toBe('missingHeaders');
    const transaction = server.fake.transaction(server.fake.orders.get(sessionId)!);
    const stale = server.fake.notification('TRANSACTION.SUCCESS', transaction, {
      timestamp: String(Math.floor(Date.now() / 1000) - 301),
    });
    expect(refusalOf(() => wechat.verifyNotification(Buffer.from(stale.body), stale.headers))).toBe(
      'staleTimestamp',
    );
    // Signed by the platform, but encrypted with another APIv3 key.
    const envelope = JSON.parse(good.body) as Record<string, unknown>;
    envelope.resource = encryptResource(
      JSON.stringify(transaction),
      randomBytes(16).toString('hex'),
    );
    const wrongKey = JSON.stringify(envelope);
    const signed = platformSignatureHeaders(
      { serial: server.platform.serial, privateKey: server.platform.privateKey },
      wrongKey,
    );
    expect(refusalOf(() => wechat.verifyNotification(Buffer.from(wrongKey), signed))).toBe(
      'badResource',
    );
    const otherMerchant = server.fake.notification('TRANSACTION.SUCCESS', {
      ...transaction,
      mchid: '1230000109',
    });
    expect(
      refusalOf(() =>
        wechat.verifyNotification(Buffer.from(otherMerchant.body), otherMerchant.headers),
      ),
    ).toBe('wrongMerchant');
    const error = (() => {
      try {
        wechat.verifyNotification(body, { ...good.headers, 'wechatpay-serial': 'PUB_KEY_ID_X' });
      } catch (e) {
        return e as DomainError;
      }
    })()!;
    expect(error.code).toBe('INVALID_SIGNATURE');
    expect(say('en', error.words)).toBe(
      'The webhook signature was refused: it is signed with a platform key this site does not know (Wechatpay-Serial).',
    );
  });

  it('refunds once per out_refund_no, and each refund’s notification reads as that refund', async () => {
    const request = orderRequest({ amountMinor: 10_000 });
    const { sessionId } = await wechat.createOrder(request);
    await server.fake.pay(sessionId);
    const paymentId = server.fake.orders.get(sessionId)!.transactionId!;
    const refund = (key: string, amountMinor: number) =>
      wechat.refund({
        donationId: request.donationId,
        paymentId,
        sessionId,
        amountMinor,
        totalMinor: 10_000,
        currency: 'CNY',
        idempotencyKey: key,
        reason: '捐赠人要求退款',
      });
    const first = await refund(`refund:${request.donationId}:1`, 3_000);
    const repeat = await refund(`refund:${request.donationId}:1`, 3_000);
    expect(repeat).toEqual(first);
    const sent = lastRequest(server);
    expect(sent.path).toBe('/v3/refund/domestic/refunds');
    expect(sent.json).toMatchObject({
      out_trade_no: sessionId,
      out_refund_no: expect.stringMatching(/^r[0-9a-f]{63}$/),
      notify_url: 'https://give.example.org/webhooks/wechatpay',
      amount: { refund: 3_000, total: 10_000, currency: 'CNY' },
    });
    await refund(`refund:${request.donationId}:2`, 7_000);
    await expect(refund(`refund:${request.donationId}:3`, 1)).rejects.toMatchObject({
      platformCode: 'NOT_ENOUGH',
    });
    await server.fake.idle();
    const refunds = [...server.fake.refunds.values()].filter((r) => r.outTradeNo === sessionId);
    expect(refunds).toHaveLength(2);
    const events = delivered
      .map((d) => wechat.verifyNotification(Buffer.from(d.body), d.headers))
      .filter((n) => n.type === 'REFUND.SUCCESS')
      .map((n) => wechat.toPaymentEvent(n));
    expect(events).toHaveLength(2);
    expect(events).toEqual(
      expect.arrayContaining([
        {
          kind: 'refunded',
          gift: { sessionId, paymentId },
          refund: { ref: refunds[0]!.outRefundNo, amountMinor: 3_000 },
        },
        {
          kind: 'refunded',
          gift: { sessionId, paymentId },
          refund: { ref: refunds[1]!.outRefundNo, amountMinor: 7_000 },
        },
      ]),
    );
  });

  it('queries and closes orders for reconciliation', async () => {
    const open = orderRequest();
    const { sessionId } = await wechat.createOrder(open);
    const ref = { donationId: open.donationId, sessionId, amountMinor: 12_345, currency: 'CNY' };
    expect(await wechat.queryOrder(ref)).toEqual({ state: 'open' });
    expect(lastRequest(server).path).toBe(
      `/v3/pay/transactions/out-trade-no/${sessionId}?mchid=${server.mchid}`,
    );
    await wechat.closeOrder(ref);
    expect(lastRequest(server)).toMatchObject({
      method: 'POST',
      path: `/v3/pay/transactions/out-trade-no/${sessionId}/close`,
      status: 204,
      json: { mchid: server.mchid },
    });
    await wechat.closeOrder(ref); // closing a closed order is harmless
    expect(await wechat.queryOrder(ref)).toEqual({ state: 'closed' });

    const paid = orderRequest();
    const paidOrder = await wechat.createOrder(paid);
    await server.fake.pay(paidOrder.sessionId);
    const status = await wechat.queryOrder({
      ...ref,
      donationId: paid.donationId,
      sessionId: paidOrder.sessionId,
    });
    if (status.state !== 'paid') throw new Error(`expected paid, got ${status.state}`);
    expect(status.notification.eventId).toBe(`query:${paidOrder.sessionId}:SUCCESS`);
    expect(status.notification.payload).toMatchObject({ source: 'query' });
    expect(wechat.toPaymentEvent(status.notification)).toMatchObject({
      kind: 'paid',
      gift: { donationId: paid.donationId, sessionId: paidOrder.sessionId },
      paid: { amountMinor: 12_345, currency: 'CNY' },
    });
    await expect(
      wechat.closeOrder({ ...ref, sessionId: paidOrder.sessionId }),
    ).rejects.toMatchObject({ platformCode: 'ORDERPAID' });

    const declined = await wechat.createOrder(orderRequest());
    server.fake.decline(declined.sessionId);
    expect(await wechat.queryOrder({ ...ref, sessionId: declined.sessionId })).toEqual({
      state: 'closed',
    });
    expect(await wechat.queryOrder({ ...ref, sessionId: 'f'.repeat(32) })).toEqual({
      state: 'not_found',
    });
  });

  it('retries 429 and 5xx, then says busy', async () => {
    server.fake.failNext(429, 2);
    await expect(wechat.createOrder(orderRequest())).resolves.toMatchObject({ display: 'qr' });
    server.fake.failNext(500, 1);
    await expect(wechat.createOrder(orderRequest())).resolves.toMatchObject({ display: 'qr' });
    const before = server.fake.requests.length;
    server.fake.failNext(429, 10);
    const busy = await wechat.createOrder(orderRequest()).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(ProviderBusyError);
    expect((busy as DomainError).words.key).toBe('errors.wechatpay.busy');
    expect(server.fake.requests.length - before).toBe(FAST_RETRY.attempts);
    server.fake.failNext(429, 0);
  });

  it('a network failure is retried and then busy', async () => {
    const unreachable = createWechatPayAdapter(server.settings({ apiBase: 'http://127.0.0.1:9' }), {
      retry: FAST_RETRY,
      timeoutMs: 2_000,
    });
    await expect(unreachable.createOrder(orderRequest())).rejects.toBeInstanceOf(ProviderBusyError);
  });

  it('does not trust an answer the platform did not sign', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const wrongKey = createWechatPayAdapter(
      server.settings({ platformPublicKeys: { [server.platform.serial]: other.publicKey } }),
      { retry: FAST_RETRY },
    );
    const error = await wrongKey.createOrder(orderRequest()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatPayResponseUnverifiedError);
    expect((error as DomainError).code).toBe('SERVICE_UNAVAILABLE');
  });

  it('translates every state and event type', () => {
    const n = (type: string, resource: Record<string, unknown>): VerifiedNotification => ({
      eventId: randomUUID(),
      type,
      payload: { notification: { event_type: type }, resource },
    });
    const t = (trade_state: string) => ({ out_trade_no: 'a'.repeat(32), attach: 'd', trade_state });
    expect(wechat.toPaymentEvent(n('TRANSACTION.SUCCESS', t('CLOSED')))).toEqual({
      kind: 'expired',
      gift: { donationId: 'd', sessionId: 'a'.repeat(32) },
    });
    expect(wechat.toPaymentEvent(n('TRANSACTION.SUCCESS', t('REVOKED'))).kind).toBe('expired');
    expect(wechat.toPaymentEvent(n('TRANSACTION.SUCCESS', t('PAYERROR'))).kind).toBe('failed');
    expect(wechat.toPaymentEvent(n('TRANSACTION.SUCCESS', t('NOTPAY'))).kind).toBe('ignored');
    expect(wechat.toPaymentEvent(n('TRANSACTION.SUCCESS', t('USERPAYING'))).kind).toBe('ignored');
    expect(wechat.toPaymentEvent(n('REFUND.ABNORMAL', { out_refund_no: 'r1' }))).toMatchObject({
      kind: 'ignored',
      why: expect.stringContaining('REFUND.ABNORMAL'),
    });
    expect(wechat.toPaymentEvent(n('REFUND.CLOSED', { out_refund_no: 'r1' })).kind).toBe('ignored');
    expect(wechat.toPaymentEvent(n('SOMETHING.ELSE', {})).kind).toBe('ignored');
  });

  it('takes its fee by the configured rate, half up to the fen', async () => {
    await expect(
      wechat.retrieveFee({ paymentId: '4200', amountMinor: 250, currency: 'CNY' }),
    ).resolves.toEqual({ feeMinor: 2, currency: 'CNY' });
  });
});
