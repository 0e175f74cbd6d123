import { createSign, createVerify, randomBytes, randomInt, type KeyObject } from 'node:crypto';
import { alipayTime, fenToYuan, yuanToFen } from '../alipay-amounts';

/**
 * A stand-in for Alipay's OpenAPI gateway (v2, `gateway.do`), framework-free: the sandbox mounts
 * it in the app, tests run it on a port of their own (`test/utils/fake-alipay-server.ts`). It does
 * what the published API does, as far as the adapter can tell:
 *
 * - checks OUR request signature (RSA2 over the sorted `k=v` parameters, the app public key);
 * - page pay (`alipay.trade.wap.pay`, `alipay.trade.page.pay`, the donor's GET) opens an order and
 *   sends the browser to the cashier; `pay()` and `close()` are the donor's and the clock's acts;
 * - `alipay.trade.query/close/refund`, `alipay.trade.fastpay.refund.query` answer
 *   `{"<method>_response":{…},"sign":"…"}`, the inner JSON signed with the Alipay private key;
 * - every state change posts a `trade_status_sync` notification (form, RSA2 over every field but
 *   `sign` and `sign_type`) to the order's notify_url, re-sent until it is answered `success`.
 *
 * State is in memory: an order lasts as long as the process.
 */

export type FakeAlipayTradeStatus =
  'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED' | 'TRADE_FINISHED';

export interface FakeAlipayOrder {
  outTradeNo: string;
  tradeNo: string;
  method: 'alipay.trade.wap.pay' | 'alipay.trade.page.pay';
  totalFen: number;
  subject: string;
  timeExpire?: string;
  notifyUrl?: string;
  returnUrl?: string;
  quitUrl?: string;
  passbackParams?: string;
  status: FakeAlipayTradeStatus;
  buyerId: string;
  buyerLogonId: string;
  gmtCreate: string;
  gmtPayment?: string;
  gmtClose?: string;
  refundedFen: number;
  /** out_request_no → amount, in the order they came. */
  refunds: Map<string, { fen: number; at: string }>;
}

export interface FakeAlipayOptions {
  appId: string;
  /** Checks our requests. */
  appPublicKey: KeyObject | string;
  /** Signs answers, notifications and the donor's return. */
  alipayPrivateKey: KeyObject | string;
  /** Our merchant account as Alipay names it (`seller_id`). */
  sellerId?: string;
  /** Where page pay sends the donor's browser; the fake's own `/cashier/<no>` by default. */
  cashierUrl?: (outTradeNo: string) => string;
  /** Where a notify_url is actually posted (the sandbox: its own server's address). */
  notifyTarget?: (notifyUrl: string) => string;
  /** Delays before each re-send after an answer other than `success` (Alipay: 4m … 15h). */
  resendDelaysMs?: readonly number[];
  /** How far a request's `timestamp` may be from now (Beijing time), in ms. */
  timestampToleranceMs?: number;
  now?: () => Date;
  /** Posts a notification; `fetch` by default. */
  post?: (url: string, body: string) => Promise<{ status: number; text: string }>;
}

export interface FakeAlipayResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A request the fake received, for tests to read. */
export interface FakeAlipayRequest {
  httpMethod: string;
  method: string;
  params: Record<string, string>;
  bizContent: Record<string, unknown>;
  signatureValid: boolean;
}

export interface FakeAlipayDelivery {
  notifyId: string;
  outTradeNo: string;
  kind: 'paid' | 'closed' | 'refund';
  url: string;
  /** The last form body sent (signed). */
  body: string;
  attempts: number;
  delivered: boolean;
  lastStatus: number | null;
  lastAnswer: string;
}

const ALIPAY_RESEND_DELAYS_MS = [4, 10, 10, 60, 120, 360, 900].map((m) => m * 60_000);

const PAGE_PAY = new Map([
  ['alipay.trade.wap.pay', 'QUICK_WAP_WAY'],
  ['alipay.trade.page.pay', 'FAST_INSTANT_TRADE_PAY'],
] as const);

const API_METHODS = new Set([
  'alipay.trade.query',
  'alipay.trade.close',
  'alipay.trade.refund',
  'alipay.trade.fastpay.refund.query',
]);

/** Alipay's content to sign: sorted `k=v` of non-empty values, joined with `&`. */
export function alipaySignContent(params: Record<string, string>, omit: readonly string[]): string {
  return Object.keys(params)
    .filter((key) => !omit.includes(key) && params[key] !== '')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

export function rsa2Sign(content: string, privateKey: KeyObject | string): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(privateKey, 'base64');
}

function rsa2Verify(content: string, sign: string, publicKey: KeyObject | string): boolean {
  try {
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKey, sign, 'base64');
  } catch {
    return false;
  }
}

function digits(n: number): string {
  let out = '';
  while (out.length < n) out += String(randomInt(0, 1_000_000_000)).padStart(9, '0');
  return out.slice(0, n);
}

class FakeAlipayFailure extends Error {
  constructor(
    readonly code: string,
    readonly subCode: string,
    readonly subMsg: string,
  ) {
    super(`${subCode}: ${subMsg}`);
  }
}

const json = (status: number, body: string): FakeAlipayResponse => ({
  status,
  headers: { 'content-type': 'application/json;charset=utf-8' },
  body,
});

const text = (status: number, body: string): FakeAlipayResponse => ({
  status,
  headers: { 'content-type': 'text/plain;charset=utf-8' },
  body,
});

export class FakeAlipay {
  readonly orders = new Map<string, FakeAlipayOrder>();
  readonly requests: FakeAlipayRequest[] = [];
  readonly deliveries: FakeAlipayDelivery[] = [];
  private readonly failures: { method?: string; kind: 'unavailable' | 'http' }[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly now: () => Date;

  constructor(private readonly options: FakeAlipayOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** The next `count` API calls (of `method`, or any) answer `20000` or an HTTP 502. */
  failNext(count: number, failure: { method?: string; kind?: 'unavailable' | 'http' } = {}): void {
    for (let i = 0; i < count; i++) {
      this.failures.push({ method: failure.method, kind: failure.kind ?? 'unavailable' });
    }
  }

  order(outTradeNo: string): FakeAlipayOrder | undefined {
    return this.orders.get(outTradeNo);
  }

  /** One HTTP request to the gateway (or the fake's own cashier), answered synchronously. */
  handle(
    httpMethod: string,
    url: string,
    headers: Record<string, string | string[] | undefined>,
    body: string | Buffer = '',
  ): FakeAlipayResponse {
    const parsed = new URL(url, 'http://fake-alipay.invalid');
    const cashier = /\/cashier\/([0-9A-Za-z_-]+)$/.exec(parsed.pathname);
    if (cashier && httpMethod === 'GET') return this.cashierText(cashier[1]!);
    if (!parsed.pathname.endsWith('/gateway.do')) return text(404, 'not found');

    const params: Record<string, string> = {};
    const sources = [parsed.searchParams];
    const contentType = String(headers['content-type'] ?? '');
    if (httpMethod === 'POST' && /x-www-form-urlencoded/i.test(contentType)) {
      sources.push(new URLSearchParams(Buffer.isBuffer(body) ? body.toString('utf8') : body));
    }
    for (const source of sources) {
      for (const [key, value] of source) {
        if (Object.hasOwn(params, key)) return text(400, `repeated parameter ${key}`);
        params[key] = value;
      }
    }
    const method = params.method ?? '';
    const signatureValid =
      !!params.sign &&
      rsa2Verify(alipaySignContent(params, ['sign']), params.sign, this.options.appPublicKey);
    let bizContent: Record<string, unknown>;
    try {
      bizContent = JSON.parse(params.biz_content ?? '{}') as Record<string, unknown>;
    } catch {
      bizContent = {};
    }
    this.requests.push({ httpMethod, method, params, bizContent, signatureValid });

    const pagePay = PAGE_PAY.get(method as never);
    if (pagePay && httpMethod === 'GET') {
      try {
        this.checkCommon(params, signatureValid);
        const order = this.openOrder(
          method as FakeAlipayOrder['method'],
          pagePay,
          params,
          bizContent,
        );
        const cashier =
          this.options.cashierUrl?.(order.outTradeNo) ?? `cashier/${order.outTradeNo}`;
        return { status: 302, headers: { location: cashier }, body: '' };
      } catch (error) {
        if (!(error instanceof FakeAlipayFailure)) throw error;
        return text(400, `${error.subCode}: ${error.subMsg}`);
      }
    }
    if (!API_METHODS.has(method) || httpMethod !== 'POST') {
      return this.answer('error_response', {
        code: '40001',
        msg: 'Missing Required Arguments',
        sub_code: 'isv.invalid-method',
        sub_msg: '不存在的方法名',
      });
    }
    const key = `${method.replaceAll('.', '_')}_response`;
    const failureAt = this.failures.findIndex((f) => !f.method || f.method === method);
    if (failureAt >= 0) {
      const [failure] = this.failures.splice(failureAt, 1);
      if (failure!.kind === 'http') return text(502, 'Bad Gateway');
      return this.answer(key, {
        code: '20000',
        msg: 'Service Currently Unavailable',
        sub_code: 'isp.unknow-error',
        sub_msg: '系统繁忙',
      });
    }
    try {
      this.checkCommon(params, signatureValid);
      return this.answer(key, { code: '10000', msg: 'Success', ...this.api(method, bizContent) });
    } catch (error) {
      if (!(error instanceof FakeAlipayFailure)) throw error;
      return this.answer(key, {
        code: error.code,
        msg: error.code === '40004' ? 'Business Failed' : 'Invalid Arguments',
        sub_code: error.subCode,
        sub_msg: error.subMsg,
      });
    }
  }

  /** The donor pays: the order becomes TRADE_SUCCESS and its notification is sent. */
  pay(outTradeNo: string, buyer: { buyerId?: string } = {}): Promise<FakeAlipayDelivery | null> {
    const order = this.mustOrder(outTradeNo);
    if (order.status !== 'WAIT_BUYER_PAY') {
      throw new Error(`order ${outTradeNo} is ${order.status}, not payable`);
    }
    order.status = 'TRADE_SUCCESS';
    order.gmtPayment = alipayTime(this.now());
    if (buyer.buyerId) order.buyerId = buyer.buyerId;
    return this.notify(order, 'paid');
  }

  /** The order times out or is closed unpaid: TRADE_CLOSED, notified. */
  close(outTradeNo: string): Promise<FakeAlipayDelivery | null> {
    const order = this.mustOrder(outTradeNo);
    if (order.status !== 'WAIT_BUYER_PAY') {
      throw new Error(`order ${outTradeNo} is ${order.status}, cannot close`);
    }
    order.status = 'TRADE_CLOSED';
    order.gmtClose = alipayTime(this.now());
    return this.notify(order, 'closed');
  }

  /**
   * The signed notification of an order's current state, as a form body, without sending it
   * (tests deliver it themselves, as often and in whatever order they like).
   */
  notificationBody(
    outTradeNo: string,
    kind: FakeAlipayDelivery['kind'],
    outBizNo?: string,
  ): string {
    const order = this.mustOrder(outTradeNo);
    return this.signedForm(
      this.notificationFields(order, kind, randomBytes(17).toString('hex'), outBizNo),
    );
  }

  /**
   * Where the donor's browser goes after paying: return_url with Alipay's synchronous return
   * parameters, signed like a notification.
   */
  returnUrl(outTradeNo: string): string | null {
    const order = this.mustOrder(outTradeNo);
    if (!order.returnUrl) return null;
    const fields: Record<string, string> = {
      charset: 'utf-8',
      out_trade_no: order.outTradeNo,
      method: `${order.method}.return`,
      total_amount: fenToYuan(order.totalFen),
      trade_no: order.tradeNo,
      auth_app_id: this.options.appId,
      version: '1.0',
      app_id: this.options.appId,
      sign_type: 'RSA2',
      seller_id: this.sellerId(),
      timestamp: alipayTime(this.now()),
    };
    const query = this.signedForm(fields);
    return `${order.returnUrl}${order.returnUrl.includes('?') ? '&' : '?'}${query}`;
  }

  /** Resolves once every delivery started so far has been answered (re-sends not included). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops the re-send timers. */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private sellerId(): string {
    return this.options.sellerId ?? '2088000000000001';
  }

  private mustOrder(outTradeNo: string): FakeAlipayOrder {
    const order = this.orders.get(outTradeNo);
    if (!order) throw new Error(`no Alipay order ${outTradeNo}`);
    return order;
  }

  private checkCommon(params: Record<string, string>, signatureValid: boolean): void {
    if (params.app_id !== this.options.appId) {
      throw new FakeAlipayFailure('40002', 'isv.invalid-app-id', '无效的AppID参数');
    }
    if (params.sign_type !== 'RSA2') {
      throw new FakeAlipayFailure('40002', 'isv.invalid-signature-type', '无效的签名类型');
    }
    if (!signatureValid) {
      throw new FakeAlipayFailure('40002', 'isv.invalid-signature', '验签出错');
    }
    if (params.charset !== 'utf-8' || params.version !== '1.0') {
      throw new FakeAlipayFailure('40002', 'isv.invalid-charset', '字符集或版本不对');
    }
    const timestamp = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(params.timestamp ?? '');
    const sent = timestamp
      ? Date.UTC(
          +timestamp[1]!,
          +timestamp[2]! - 1,
          +timestamp[3]!,
          +timestamp[4]! - 8,
          +timestamp[5]!,
          +timestamp[6]!,
        )
      : NaN;
    const tolerance = this.options.timestampToleranceMs ?? 15 * 60_000;
    if (!(Math.abs(sent - this.now().getTime()) <= tolerance)) {
      throw new FakeAlipayFailure('40002', 'isv.invalid-timestamp', '非法的时间戳参数');
    }
  }

  private openOrder(
    method: FakeAlipayOrder['method'],
    productCode: string,
    params: Record<string, string>,
    biz: Record<string, unknown>,
  ): FakeAlipayOrder {
    const outTradeNo = typeof biz.out_trade_no === 'string' ? biz.out_trade_no : '';
    if (!/^[0-9A-Za-z_]{1,64}$/.test(outTradeNo)) {
      throw new FakeAlipayFailure('40002', 'isv.invalid-parameter', 'out_trade_no 不合法');
    }
    if (biz.product_code !== productCode) {
      throw new FakeAlipayFailure(
        '40002',
        'isv.invalid-parameter',
        `product_code 应为 ${productCode}`,
      );
    }
    const subject = typeof biz.subject === 'string' ? biz.subject : '';
    if (!subject || [...subject].length > 256 || /[/=&]/.test(subject)) {
      throw new FakeAlipayFailure('40002', 'isv.invalid-parameter', 'subject 不合法');
    }
    const totalFen = this.amount(biz.total_amount, 'total_amount');
    if (totalFen < 1)
      throw new FakeAlipayFailure('40002', 'isv.invalid-parameter', 'total_amount 不合法');
    const existing = this.orders.get(outTradeNo);
    if (existing) {
      // The same order asked for again: the same trade, if nothing that matters changed.
      if (existing.totalFen !== totalFen) {
        throw new FakeAlipayFailure('40004', 'ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      }
      return existing;
    }
    const timeExpire = typeof biz.time_expire === 'string' ? biz.time_expire : undefined;
    if (timeExpire !== undefined && !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(timeExpire)) {
      throw new FakeAlipayFailure('40002', 'isv.invalid-parameter', 'time_expire 格式不对');
    }
    const now = this.now();
    const order: FakeAlipayOrder = {
      outTradeNo,
      tradeNo: `${alipayTime(now).slice(0, 10).replaceAll('-', '')}22001${digits(15)}`,
      method,
      totalFen,
      subject,
      timeExpire,
      notifyUrl: params.notify_url,
      returnUrl: params.return_url,
      quitUrl: typeof biz.quit_url === 'string' ? biz.quit_url : undefined,
      passbackParams: typeof biz.passback_params === 'string' ? biz.passback_params : undefined,
      status: 'WAIT_BUYER_PAY',
      buyerId: `2088${digits(12)}`,
      buyerLogonId: `138****${digits(4)}`,
      gmtCreate: alipayTime(now),
      refundedFen: 0,
      refunds: new Map(),
    };
    this.orders.set(outTradeNo, order);
    return order;
  }

  private amount(value: unknown, field: string): number {
    try {
      return yuanToFen(value);
    } catch {
      throw new FakeAlipayFailure('40002', 'isv.invalid-parameter', `${field} 不合法`);
    }
  }

  private find(biz: Record<string, unknown>): FakeAlipayOrder {
    const byOut =
      typeof biz.out_trade_no === 'string' ? this.orders.get(biz.out_trade_no) : undefined;
    const byTrade =
      typeof biz.trade_no === 'string'
        ? [...this.orders.values()].find((o) => o.tradeNo === biz.trade_no)
        : undefined;
    const order = byOut ?? byTrade;
    if (!order) throw new FakeAlipayFailure('40004', 'ACQ.TRADE_NOT_EXIST', '交易不存在');
    return order;
  }

  private api(method: string, biz: Record<string, unknown>): Record<string, string> {
    const order = this.find(biz);
    const base = { trade_no: order.tradeNo, out_trade_no: order.outTradeNo };
    switch (method) {
      case 'alipay.trade.query': {
        const paid =
          order.status === 'TRADE_SUCCESS' ||
          order.status === 'TRADE_FINISHED' ||
          order.refundedFen > 0;
        return {
          ...base,
          buyer_logon_id: order.buyerLogonId,
          trade_status: order.status,
          total_amount: fenToYuan(order.totalFen),
          ...(paid
            ? {
                buyer_pay_amount: fenToYuan(order.totalFen),
                receipt_amount: fenToYuan(order.totalFen),
                invoice_amount: fenToYuan(order.totalFen),
                point_amount: '0.00',
                buyer_user_id: order.buyerId,
                send_pay_date: order.gmtPayment ?? '',
              }
            : {}),
        };
      }
      case 'alipay.trade.close': {
        if (order.status !== 'WAIT_BUYER_PAY') {
          throw new FakeAlipayFailure('40004', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
        }
        order.status = 'TRADE_CLOSED';
        order.gmtClose = alipayTime(this.now());
        void this.notifySoon(order, 'closed');
        return base;
      }
      case 'alipay.trade.refund': {
        const requestNo = typeof biz.out_request_no === 'string' ? biz.out_request_no : '';
        if (!/^[0-9A-Za-z_-]{1,64}$/.test(requestNo)) {
          throw new FakeAlipayFailure('40002', 'isv.invalid-parameter', 'out_request_no 不合法');
        }
        const asked = this.amount(biz.refund_amount, 'refund_amount');
        const seen = order.refunds.get(requestNo);
        if (seen) {
          // The same out_request_no again: the first refund's answer, nothing moves.
          if (seen.fen !== asked) {
            throw new FakeAlipayFailure(
              '40004',
              'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
              '退款金额与原请求不一致',
            );
          }
          return this.refundAnswer(order, 'N', seen.at);
        }
        if (
          order.status !== 'TRADE_SUCCESS' &&
          !(order.status === 'TRADE_CLOSED' && order.refundedFen > 0)
        ) {
          throw new FakeAlipayFailure('40004', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
        }
        if (asked < 1 || order.refundedFen + asked > order.totalFen) {
          throw new FakeAlipayFailure('40004', 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
        }
        const at = alipayTime(this.now());
        order.refunds.set(requestNo, { fen: asked, at });
        order.refundedFen += asked;
        if (order.refundedFen === order.totalFen) {
          order.status = 'TRADE_CLOSED';
          order.gmtClose = at;
        }
        void this.notifySoon(order, 'refund', requestNo);
        return this.refundAnswer(order, 'Y', at);
      }
      case 'alipay.trade.fastpay.refund.query': {
        const requestNo = typeof biz.out_request_no === 'string' ? biz.out_request_no : '';
        const refund = order.refunds.get(requestNo);
        if (!refund) return base;
        return {
          ...base,
          out_request_no: requestNo,
          total_amount: fenToYuan(order.totalFen),
          refund_amount: fenToYuan(refund.fen),
          refund_status: 'REFUND_SUCCESS',
          gmt_refund_pay: refund.at,
        };
      }
      default:
        throw new FakeAlipayFailure('40001', 'isv.invalid-method', '不存在的方法名');
    }
  }

  private refundAnswer(
    order: FakeAlipayOrder,
    fundChange: 'Y' | 'N',
    at: string,
  ): Record<string, string> {
    return {
      trade_no: order.tradeNo,
      out_trade_no: order.outTradeNo,
      buyer_logon_id: order.buyerLogonId,
      fund_change: fundChange,
      refund_fee: fenToYuan(order.refundedFen),
      gmt_refund_pay: at,
      buyer_user_id: order.buyerId,
    };
  }

  /** `{"<key>":<inner>,"sign":"…"}`, the inner JSON text signed as the SDK verifies it. */
  private answer(key: string, content: Record<string, string>): FakeAlipayResponse {
    const inner = JSON.stringify(content);
    const sign = rsa2Sign(inner, this.options.alipayPrivateKey);
    return json(200, `{"${key}":${inner},"sign":"${sign}"}`);
  }

  private cashierText(outTradeNo: string): FakeAlipayResponse {
    const order = this.orders.get(outTradeNo);
    if (!order) return text(404, 'no such order');
    return text(200, `${order.subject}\n¥${fenToYuan(order.totalFen)}\n${order.status}\n`);
  }

  private notificationFields(
    order: FakeAlipayOrder,
    kind: FakeAlipayDelivery['kind'],
    notifyId: string,
    outBizNo?: string,
  ): Record<string, string> {
    const total = fenToYuan(order.totalFen);
    const paid = kind !== 'closed';
    const fields: Record<string, string> = {
      gmt_create: order.gmtCreate,
      charset: 'utf-8',
      seller_email: 'foundation@example.org',
      subject: order.subject,
      notify_id: notifyId,
      notify_type: 'trade_status_sync',
      notify_time: alipayTime(this.now()),
      trade_status:
        kind === 'paid' ? 'TRADE_SUCCESS' : kind === 'closed' ? 'TRADE_CLOSED' : order.status,
      app_id: this.options.appId,
      auth_app_id: this.options.appId,
      sign_type: 'RSA2',
      seller_id: this.sellerId(),
      version: '1.0',
      out_trade_no: order.outTradeNo,
      trade_no: order.tradeNo,
      total_amount: total,
      buyer_logon_id: order.buyerLogonId,
    };
    if (paid) {
      Object.assign(fields, {
        buyer_id: order.buyerId,
        gmt_payment: order.gmtPayment ?? '',
        receipt_amount: total,
        invoice_amount: total,
        buyer_pay_amount: total,
        point_amount: '0.00',
        fund_bill_list: JSON.stringify([{ amount: total, fundChannel: 'ALIPAYACCOUNT' }]),
      });
    }
    if (order.passbackParams) fields.passback_params = order.passbackParams;
    if (kind === 'refund') {
      const refund = outBizNo ? order.refunds.get(outBizNo) : undefined;
      if (!outBizNo || !refund)
        throw new Error(`no refund ${outBizNo ?? ''} on ${order.outTradeNo}`);
      // refund_fee is the trade's refunded total so far, as of this refund.
      let upTo = 0;
      for (const [no, r] of order.refunds) {
        upTo += r.fen;
        if (no === outBizNo) break;
      }
      Object.assign(fields, {
        out_biz_no: outBizNo,
        refund_fee: fenToYuan(upTo),
        gmt_refund: refund.at,
      });
    }
    if (order.gmtClose && fields.trade_status === 'TRADE_CLOSED') fields.gmt_close = order.gmtClose;
    return fields;
  }

  private signedForm(all: Record<string, string>): string {
    // Alipay sends no empty parameters.
    const fields = Object.fromEntries(Object.entries(all).filter(([, value]) => value !== ''));
    const sign = rsa2Sign(
      alipaySignContent(fields, ['sign', 'sign_type']),
      this.options.alipayPrivateKey,
    );
    return new URLSearchParams({ ...fields, sign }).toString();
  }

  /** After the API call has answered, as Alipay does. */
  private notifySoon(
    order: FakeAlipayOrder,
    kind: FakeAlipayDelivery['kind'],
    outBizNo?: string,
  ): Promise<unknown> {
    const run = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      this.notify(order, kind, outBizNo),
    );
    return this.track(run);
  }

  private notify(
    order: FakeAlipayOrder,
    kind: FakeAlipayDelivery['kind'],
    outBizNo?: string,
  ): Promise<FakeAlipayDelivery | null> {
    if (!order.notifyUrl) return Promise.resolve(null);
    const delivery: FakeAlipayDelivery = {
      notifyId: randomBytes(17).toString('hex'),
      outTradeNo: order.outTradeNo,
      kind,
      url: this.options.notifyTarget?.(order.notifyUrl) ?? order.notifyUrl,
      body: '',
      attempts: 0,
      delivered: false,
      lastStatus: null,
      lastAnswer: '',
    };
    this.deliveries.push(delivery);
    const fields = () => this.notificationFields(order, kind, delivery.notifyId, outBizNo);
    return this.track(this.send(delivery, fields).then(() => delivery));
  }

  /** One attempt; anything but a `success` answer schedules the next, like Alipay. */
  private async send(
    delivery: FakeAlipayDelivery,
    fields: () => Record<string, string>,
  ): Promise<void> {
    delivery.body = this.signedForm(fields());
    delivery.attempts++;
    try {
      const answer = await (this.options.post ?? postForm)(delivery.url, delivery.body);
      delivery.lastStatus = answer.status;
      delivery.lastAnswer = answer.text;
      delivery.delivered = answer.status === 200 && answer.text.trim() === 'success';
    } catch (error) {
      delivery.lastStatus = null;
      delivery.lastAnswer = (error as Error).message;
    }
    if (delivery.delivered) return;
    const delays = this.options.resendDelaysMs ?? ALIPAY_RESEND_DELAYS_MS;
    const delay = delays[delivery.attempts - 1];
    if (delay === undefined) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.track(this.send(delivery, fields));
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    const tracked = promise.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return tracked;
  }
}

async function postForm(url: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, text: await response.text() };
}
