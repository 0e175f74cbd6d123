import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  encryptResource,
  type KeyInput,
  OUT_REFUND_NO_PATTERN,
  OUT_TRADE_NO_PATTERN,
  parseAuthorization,
  parseRfc3339,
  platformSignatureHeaders,
  privateKeyOf,
  publicKeyOf,
  requestMessage,
  rfc3339Beijing,
  rsaVerify,
  TIMESTAMP_TOLERANCE_SECONDS,
} from '../wechatpay-protocol';

/**
 * A stand-in for the WeChat Pay API v3 platform, framework-free: `handle()` takes a request and
 * returns the answer, so the sandbox's controller and the tests' node:http wrapper serve the same
 * code. It follows the published API where our adapter depends on it: it checks our
 * `Authorization` signature with the merchant's public key (401 SIGN_ERROR), the order fields,
 * keeps orders and refunds in memory, signs every answer with the platform key, and sends the
 * platform's notifications (signed, resource encrypted with the APIv3 key), re-sending a few times
 * while the receiver does not answer 2xx. Notifications are sent for what the platform notifies:
 * a payment's success and a refund's outcome; a declined or expired order is only seen by query.
 */
export interface FakeWechatPayOptions {
  mchid: string;
  /** App ids the merchant may order for (Native/H5 and the JSAPI official account). */
  appids: readonly string[];
  merchantSerial: string;
  merchantPublicKey: KeyInput;
  platformSerial: string;
  platformPrivateKey: KeyInput;
  apiV3Key: string;
  /** Where notifications go: a function answering the receiver's HTTP status (`httpReceiver`). */
  deliver: NotificationReceiver;
  /** Base of the donor's pay page the code_url / h5_url point at: `${payPageBase}${token}`. */
  payPageBase: string;
  /** Path before `/v3/…` on this server (the sandbox mounts the fake at `/sandbox/wechatpay`). */
  basePath?: string;
  now?: () => Date;
  /** Deliveries per notification before giving up (the platform keeps trying for a day). */
  deliveryAttempts?: number;
  deliveryDelayMs?: number;
}

export type NotificationReceiver = (notification: {
  headers: Record<string, string>;
  body: string;
}) => Promise<number>;

export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type TradeType = 'NATIVE' | 'MWEB' | 'JSAPI';
export type TradeState = 'NOTPAY' | 'SUCCESS' | 'REFUND' | 'CLOSED' | 'PAYERROR';

export interface FakeOrder {
  outTradeNo: string;
  token: string;
  tradeType: TradeType;
  appid: string;
  description: string;
  attach?: string;
  notifyUrl: string;
  totalMinor: number;
  currency: string;
  timeExpire: Date;
  openid?: string;
  /** The request body as created, to answer a repeat with identical parameters identically. */
  fingerprint: string;
  state: TradeState;
  transactionId?: string;
  successTime?: Date;
  refundedMinor: number;
  /** The payment notification's id, kept so a resend is the same notification. */
  notificationId?: string;
}

export interface FakeRefund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  amountMinor: number;
  reason?: string;
  notifyUrl?: string;
  fingerprint: string;
  status: 'PROCESSING' | 'SUCCESS';
  createdAt: Date;
  notificationId: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: string;
  status: number;
}

export interface DeliveryOutcome {
  notificationId: string;
  status: number | null;
  attempts: number;
}

const TRADE_STATE_DESC: Record<TradeState, string> = {
  NOTPAY: '未支付',
  SUCCESS: '支付成功',
  REFUND: '转入退款',
  CLOSED: '已关闭',
  PAYERROR: '支付失败',
};

export class FakeWechatPay {
  readonly orders = new Map<string, FakeOrder>();
  readonly refunds = new Map<string, FakeRefund>();
  /** Every API request, newest last (tests assert what the adapter sent). */
  readonly requests: RecordedRequest[] = [];
  private readonly byToken = new Map<string, string>();
  private readonly pending = new Set<Promise<unknown>>();
  private failures: { status: number; left: number } | null = null;
  private readonly now: () => Date;

  constructor(private readonly options: FakeWechatPayOptions) {
    this.now = options.now ?? (() => new Date());
    // Fail fast on unusable keys.
    publicKeyOf(options.merchantPublicKey);
    privateKeyOf(options.platformPrivateKey);
  }

  /** The next `count` API requests answer `status` (429 rate limit, 500…) before any check. */
  failNext(status: number, count: number): void {
    this.failures = { status, left: count };
  }

  orderByToken(token: string): FakeOrder | undefined {
    const tradeNo = this.byToken.get(token);
    return tradeNo === undefined ? undefined : this.orders.get(tradeNo);
  }

  handle(
    method: string,
    pathWithQuery: string,
    headers: Readonly<Record<string, string | undefined>>,
    body: string,
  ): FakeResponse {
    const response = this.route(method.toUpperCase(), pathWithQuery, headers, body);
    this.requests.push({
      method: method.toUpperCase(),
      path: pathWithQuery,
      headers: { ...headers },
      body,
      status: response.status,
    });
    return response;
  }

  // -------------------------------------------------------------------------------------------
  // The donor's actions (the pay page, the tests)

  /** The donor pays: SUCCESS, then TRANSACTION.SUCCESS is delivered (awaited). */
  async pay(outTradeNo: string, options: { openid?: string } = {}): Promise<DeliveryOutcome> {
    const order = this.requireOrder(outTradeNo);
    if (order.state === 'NOTPAY') {
      if (this.now() > order.timeExpire) throw new Error(`order ${outTradeNo} has expired`);
      order.state = 'SUCCESS';
      order.transactionId = `4200${randomDigits(24)}`;
      order.successTime = this.now();
      order.openid ??= options.openid ?? openidFor(order.token);
      order.notificationId = randomUUID();
    } else if (order.state !== 'SUCCESS' && order.state !== 'REFUND') {
      throw new Error(`order ${outTradeNo} is ${order.state}`);
    }
    return this.deliver(order.notificationId!, 'TRANSACTION.SUCCESS', this.transaction(order));
  }

  /** The payment failed at the bank: the order says PAYERROR (the platform sends nothing). */
  decline(outTradeNo: string): void {
    const order = this.requireOrder(outTradeNo);
    if (order.state === 'NOTPAY') order.state = 'PAYERROR';
  }

  /** The order passed its time_expire unpaid and was closed (seen by query only). */
  expire(outTradeNo: string): void {
    const order = this.requireOrder(outTradeNo);
    if (order.state === 'NOTPAY' || order.state === 'PAYERROR') order.state = 'CLOSED';
  }

  /** A signed notification for a transaction or refund, not delivered (tests deliver it). */
  notification(
    eventType: string,
    resource: Record<string, unknown>,
    options: { id?: string; timestamp?: string } = {},
  ): { headers: Record<string, string>; body: string; id: string } {
    const id = options.id ?? randomUUID();
    const kind = eventType.startsWith('REFUND.') ? 'refund' : 'transaction';
    const body = JSON.stringify({
      id,
      create_time: rfc3339Beijing(this.now()),
      resource_type: 'encrypt-resource',
      event_type: eventType,
      summary: eventType === 'TRANSACTION.SUCCESS' ? '支付成功' : '退款状态变更',
      resource: encryptResource(JSON.stringify(resource), this.options.apiV3Key, {
        associatedData: kind,
        originalType: kind,
      }),
    });
    const headers = {
      'content-type': 'application/json',
      ...platformSignatureHeaders(
        { serial: this.options.platformSerial, privateKey: this.options.platformPrivateKey },
        body,
        { timestamp: options.timestamp ?? String(Math.floor(this.now().getTime() / 1000)) },
      ),
    };
    return { headers, body, id };
  }

  /** The transaction as query and notification show it. */
  transaction(order: FakeOrder): Record<string, unknown> {
    const paid = order.state === 'SUCCESS' || order.state === 'REFUND';
    return {
      appid: order.appid,
      mchid: this.options.mchid,
      out_trade_no: order.outTradeNo,
      ...(paid ? { transaction_id: order.transactionId } : {}),
      trade_type: order.tradeType,
      trade_state: order.state,
      trade_state_desc: TRADE_STATE_DESC[order.state],
      ...(paid ? { bank_type: 'OTHERS', success_time: rfc3339Beijing(order.successTime!) } : {}),
      ...(order.attach !== undefined ? { attach: order.attach } : {}),
      ...(paid ? { payer: { openid: order.openid } } : {}),
      amount: paid
        ? {
            total: order.totalMinor,
            payer_total: order.totalMinor,
            currency: order.currency,
            payer_currency: order.currency,
          }
        : { total: order.totalMinor, currency: order.currency },
    };
  }

  refundResource(refund: FakeRefund): Record<string, unknown> {
    const order = this.requireOrder(refund.outTradeNo);
    return {
      mchid: this.options.mchid,
      out_trade_no: order.outTradeNo,
      transaction_id: order.transactionId,
      out_refund_no: refund.outRefundNo,
      refund_id: refund.refundId,
      refund_status: refund.status,
      ...(refund.status === 'SUCCESS' ? { success_time: rfc3339Beijing(this.now()) } : {}),
      user_received_account: '支付用户零钱',
      amount: {
        total: order.totalMinor,
        refund: refund.amountMinor,
        payer_total: order.totalMinor,
        payer_refund: refund.amountMinor,
      },
    };
  }

  /** Resolves once every background delivery (refund notifications) has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  // -------------------------------------------------------------------------------------------
  // The API

  private route(
    method: string,
    pathWithQuery: string,
    headers: Readonly<Record<string, string | undefined>>,
    body: string,
  ): FakeResponse {
    if (this.failures && this.failures.left > 0) {
      this.failures.left--;
      return this.error(this.failures.status, 'SYSTEM_ERROR', '系统繁忙，请稍后重试');
    }
    const prefix = this.options.basePath ?? '';
    if (!pathWithQuery.startsWith(`${prefix}/v3/`)) {
      return this.error(404, 'NOT_FOUND', '请求的资源不存在');
    }
    const signed = this.checkSignature(method, pathWithQuery, headers, body);
    if (signed) return signed;
    const url = new URL(pathWithQuery.slice(prefix.length), 'http://fake.invalid');
    const route = `${method} ${url.pathname}`;
    let json: Record<string, unknown> = {};
    if (method === 'POST') {
      try {
        json = JSON.parse(body) as Record<string, unknown>;
        if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error();
      } catch {
        return this.error(400, 'PARAM_ERROR', '请求体不是有效的 JSON');
      }
    }
    const create = /^POST \/v3\/pay\/transactions\/(native|h5|jsapi)$/.exec(route);
    if (create) return this.createOrder(create[1] as 'native' | 'h5' | 'jsapi', json, body);
    const query = /^GET \/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(route);
    if (query) return this.queryOrder(decodeURIComponent(query[1]!), url.searchParams.get('mchid'));
    const close = /^POST \/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(route);
    if (close) return this.closeOrder(decodeURIComponent(close[1]!), json);
    if (route === 'POST /v3/refund/domestic/refunds') return this.createRefund(json);
    const refund = /^GET \/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(route);
    if (refund) return this.queryRefund(decodeURIComponent(refund[1]!));
    return this.error(404, 'NOT_FOUND', '请求的资源不存在');
  }

  private checkSignature(
    method: string,
    pathWithQuery: string,
    headers: Readonly<Record<string, string | undefined>>,
    body: string,
  ): FakeResponse | null {
    const auth = parseAuthorization(headers.authorization);
    if (!auth) return this.error(401, 'SIGN_ERROR', 'Authorization 不合法');
    if (auth.mchid !== this.options.mchid) {
      return this.error(401, 'SIGN_ERROR', '商户号与签名不匹配');
    }
    if (auth.serial_no !== this.options.merchantSerial) {
      return this.error(401, 'SIGN_ERROR', '商户证书序列号有误');
    }
    const age = Math.abs(this.now().getTime() / 1000 - Number(auth.timestamp));
    if (!(age <= TIMESTAMP_TOLERANCE_SECONDS)) {
      return this.error(401, 'SIGN_ERROR', '请求的时间戳已过期');
    }
    const message = requestMessage(method, pathWithQuery, auth.timestamp, auth.nonce_str, body);
    if (!rsaVerify(this.options.merchantPublicKey, message, auth.signature)) {
      return this.error(401, 'SIGN_ERROR', '签名错误');
    }
    return null;
  }

  private createOrder(
    kind: 'native' | 'h5' | 'jsapi',
    json: Record<string, unknown>,
    raw: string,
  ): FakeResponse {
    const invalid = this.orderProblem(kind, json);
    if (invalid) return this.error(400, 'PARAM_ERROR', invalid);
    const tradeNo = json.out_trade_no as string;
    const amount = json.amount as { total: number; currency: string };
    const fingerprint = `${kind}:${canonical(JSON.parse(raw))}`;
    let order = this.orders.get(tradeNo);
    if (order) {
      if (order.state === 'SUCCESS' || order.state === 'REFUND') {
        return this.error(403, 'ORDERPAID', '该订单已支付');
      }
      if (order.state === 'CLOSED') return this.error(403, 'ORDER_CLOSED', '订单已关闭');
      if (order.fingerprint !== fingerprint) {
        return this.error(400, 'OUT_TRADE_NO_USED', '商户订单号重复');
      }
    } else {
      order = {
        outTradeNo: tradeNo,
        token: `wx${randomBytes(16).toString('hex')}`,
        tradeType: kind === 'native' ? 'NATIVE' : kind === 'h5' ? 'MWEB' : 'JSAPI',
        appid: json.appid as string,
        description: json.description as string,
        ...(typeof json.attach === 'string' ? { attach: json.attach } : {}),
        notifyUrl: json.notify_url as string,
        totalMinor: amount.total,
        currency: amount.currency,
        timeExpire: parseRfc3339(json.time_expire)!,
        ...(kind === 'jsapi' ? { openid: (json.payer as { openid: string }).openid } : {}),
        fingerprint,
        state: 'NOTPAY',
        refundedMinor: 0,
      };
      this.orders.set(tradeNo, order);
      this.byToken.set(order.token, tradeNo);
    }
    const page = `${this.options.payPageBase}${order.token}`;
    if (kind === 'native') return this.ok({ code_url: page });
    if (kind === 'h5') return this.ok({ h5_url: `${page}?prepay_id=${order.token}` });
    return this.ok({ prepay_id: order.token });
  }

  /** The checks the platform makes on an order, as its PARAM_ERROR message; null when fine. */
  private orderProblem(kind: string, json: Record<string, unknown>): string | null {
    if (json.mchid !== this.options.mchid) return 'mchid 与签名商户号不一致';
    if (typeof json.appid !== 'string' || !this.options.appids.includes(json.appid)) {
      return 'appid 和 mch_id 不匹配';
    }
    if (typeof json.out_trade_no !== 'string' || !OUT_TRADE_NO_PATTERN.test(json.out_trade_no)) {
      return 'out_trade_no 应为 6-32 位数字、字母或 _-|*';
    }
    if (
      typeof json.description !== 'string' ||
      json.description === '' ||
      Buffer.byteLength(json.description) > 127
    ) {
      return 'description 长度应为 1-127 字节';
    }
    if (
      json.attach !== undefined &&
      (typeof json.attach !== 'string' || json.attach.length > 128)
    ) {
      return 'attach 长度不能超过 128';
    }
    if (typeof json.notify_url !== 'string' || !/^https?:\/\/[^?#]+$/.test(json.notify_url)) {
      return 'notify_url 应为不带参数的 http(s) 地址';
    }
    const expire = parseRfc3339(json.time_expire);
    if (json.time_expire !== undefined && (!expire || expire <= this.now())) {
      return 'time_expire 应为将来的 RFC 3339 时间';
    }
    const amount = json.amount as { total?: unknown; currency?: unknown } | undefined;
    if (!amount || !Number.isSafeInteger(amount.total) || (amount.total as number) <= 0) {
      return 'amount.total 应为正整数（单位：分）';
    }
    if (amount.currency !== 'CNY') return 'amount.currency 仅支持 CNY';
    if (kind === 'h5') {
      const scene = json.scene_info as
        { payer_client_ip?: unknown; h5_info?: { type?: unknown } } | undefined;
      if (typeof scene?.payer_client_ip !== 'string' || typeof scene.h5_info?.type !== 'string') {
        return 'H5 下单需要 scene_info.payer_client_ip 与 h5_info.type';
      }
    }
    if (kind === 'jsapi') {
      const payer = json.payer as { openid?: unknown } | undefined;
      if (typeof payer?.openid !== 'string' || payer.openid === '')
        return 'JSAPI 下单需要 payer.openid';
    }
    return null;
  }

  private queryOrder(tradeNo: string, mchid: string | null): FakeResponse {
    if (mchid !== this.options.mchid) return this.error(400, 'PARAM_ERROR', 'mchid 有误');
    const order = this.orders.get(tradeNo);
    if (!order) return this.error(404, 'ORDER_NOT_EXIST', '订单不存在');
    return this.ok(this.transaction(order));
  }

  private closeOrder(tradeNo: string, json: Record<string, unknown>): FakeResponse {
    if (json.mchid !== this.options.mchid) return this.error(400, 'PARAM_ERROR', 'mchid 有误');
    const order = this.orders.get(tradeNo);
    if (!order) return this.error(404, 'ORDER_NOT_EXIST', '订单不存在');
    if (order.state === 'SUCCESS' || order.state === 'REFUND') {
      return this.error(400, 'ORDERPAID', '订单已支付，不能关单');
    }
    order.state = 'CLOSED';
    return this.ok(null);
  }

  private createRefund(json: Record<string, unknown>): FakeResponse {
    const amount = json.amount as
      { refund?: unknown; total?: unknown; currency?: unknown } | undefined;
    if (typeof json.out_refund_no !== 'string' || !OUT_REFUND_NO_PATTERN.test(json.out_refund_no)) {
      return this.error(400, 'PARAM_ERROR', 'out_refund_no 格式有误');
    }
    if (
      !amount ||
      !Number.isSafeInteger(amount.refund) ||
      (amount.refund as number) <= 0 ||
      !Number.isSafeInteger(amount.total) ||
      amount.currency !== 'CNY'
    ) {
      return this.error(400, 'PARAM_ERROR', 'amount 有误');
    }
    const order =
      typeof json.out_trade_no === 'string' ? this.orders.get(json.out_trade_no) : undefined;
    if (!order || (order.state !== 'SUCCESS' && order.state !== 'REFUND')) {
      return this.error(404, 'RESOURCE_NOT_EXISTS', '订单不存在或未支付');
    }
    const fingerprint = canonical({ ...json, notify_url: undefined, reason: undefined });
    const existing = this.refunds.get(json.out_refund_no);
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        return this.error(400, 'INVALID_REQUEST', '同一退款单号的参数与首次请求不一致');
      }
      return this.ok(this.refundAnswer(existing));
    }
    if (amount.total !== order.totalMinor) {
      return this.error(400, 'PARAM_ERROR', 'amount.total 与订单金额不一致');
    }
    if (order.refundedMinor + (amount.refund as number) > order.totalMinor) {
      return this.error(403, 'NOT_ENOUGH', '可退金额不足');
    }
    order.refundedMinor += amount.refund as number;
    const refund: FakeRefund = {
      refundId: `50300${randomDigits(24)}`,
      outRefundNo: json.out_refund_no,
      outTradeNo: order.outTradeNo,
      amountMinor: amount.refund as number,
      ...(typeof json.reason === 'string' ? { reason: json.reason } : {}),
      ...(typeof json.notify_url === 'string' ? { notifyUrl: json.notify_url } : {}),
      fingerprint,
      status: 'PROCESSING',
      createdAt: this.now(),
      notificationId: randomUUID(),
    };
    this.refunds.set(refund.outRefundNo, refund);
    const answer = this.ok(this.refundAnswer(refund));
    // The platform books the refund after answering, then notifies.
    this.track(
      (async () => {
        await new Promise((resolve) => setImmediate(resolve));
        refund.status = 'SUCCESS';
        order.state = 'REFUND';
        await this.deliver(refund.notificationId, 'REFUND.SUCCESS', this.refundResource(refund));
      })(),
    );
    return answer;
  }

  private queryRefund(outRefundNo: string): FakeResponse {
    const refund = this.refunds.get(outRefundNo);
    if (!refund) return this.error(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    return this.ok(this.refundAnswer(refund));
  }

  private refundAnswer(refund: FakeRefund): Record<string, unknown> {
    const order = this.requireOrder(refund.outTradeNo);
    return {
      refund_id: refund.refundId,
      out_refund_no: refund.outRefundNo,
      transaction_id: order.transactionId,
      out_trade_no: order.outTradeNo,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      create_time: rfc3339Beijing(refund.createdAt),
      status: refund.status,
      amount: {
        total: order.totalMinor,
        refund: refund.amountMinor,
        payer_total: order.totalMinor,
        payer_refund: refund.amountMinor,
        currency: order.currency,
      },
    };
  }

  // -------------------------------------------------------------------------------------------

  private async deliver(
    id: string,
    eventType: string,
    resource: Record<string, unknown>,
  ): Promise<DeliveryOutcome> {
    const attempts = this.options.deliveryAttempts ?? 3;
    let status: number | null = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      // Signed afresh for each attempt (a new timestamp and nonce), the same id and resource.
      const notification = this.notification(eventType, resource, { id });
      status = await this.options.deliver(notification).catch(() => null);
      if (status !== null && status >= 200 && status < 300) {
        return { notificationId: id, status, attempts: attempt };
      }
      if (attempt < attempts) {
        await new Promise((resolve) => setTimeout(resolve, this.options.deliveryDelayMs ?? 100));
      }
    }
    return { notificationId: id, status, attempts };
  }

  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private requireOrder(outTradeNo: string): FakeOrder {
    const order = this.orders.get(outTradeNo);
    if (!order) throw new Error(`no order ${outTradeNo}`);
    return order;
  }

  private ok(payload: Record<string, unknown> | null): FakeResponse {
    const body = payload === null ? '' : JSON.stringify(payload);
    return {
      status: payload === null ? 204 : 200,
      headers: {
        ...(payload === null ? {} : { 'content-type': 'application/json' }),
        'request-id': randomUUID(),
        ...platformSignatureHeaders(
          { serial: this.options.platformSerial, privateKey: this.options.platformPrivateKey },
          body,
          { timestamp: String(Math.floor(this.now().getTime() / 1000)) },
        ),
      },
      body,
    };
  }

  private error(status: number, code: string, message: string): FakeResponse {
    return {
      status,
      headers: { 'content-type': 'application/json', 'request-id': randomUUID() },
      body: JSON.stringify({ code, message }),
    };
  }
}

/**
 * Posts notifications over HTTP to a URL, read at each delivery (the sandbox learns its own
 * address only once the server listens).
 */
export function httpReceiver(url: string | (() => string)): NotificationReceiver {
  return async ({ headers, body }) => {
    const response = await fetch(typeof url === 'string' ? url : url(), {
      method: 'POST',
      headers: { ...headers, 'user-agent': 'Mozilla/4.0 (Lianxin sandbox WeChat Pay)' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    await response.text().catch(() => '');
    return response.status;
  };
}

/** JSON with keys sorted, so two requests with the same parameters compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function randomDigits(count: number): string {
  let out = '';
  while (out.length < count) out += String(randomBytes(4).readUInt32BE() % 10_000).padStart(4, '0');
  return out.slice(0, count);
}

/** A stable pretend openid for whoever pays an order without one (Native, H5). */
function openidFor(token: string): string {
  return `oSandbox${createHash('sha256').update(token).digest('base64url').slice(0, 20)}`;
}
