import { Logger } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { words } from '../../../common/i18n/i18n';
import type { GiftRef, PaymentEvent } from '../payment-events';
import {
  assertPositiveAmount,
  type NotificationHeaders,
  type OrderCheckout,
  type OrderRef,
  type OrderRequest,
  type OrderStatus,
  type PaymentAdapter,
  ProviderBusyError,
  type ProviderRefundRequest,
  type VerifiedNotification,
} from '../payment-provider';
import {
  DEFAULT_RETRY_POLICY,
  RetriesExhaustedError,
  type RetryPolicy,
  withRetries,
} from '../retry';
import {
  assertApiV3Key,
  authorizationHeader,
  decryptResource,
  feeByRate,
  jsapiInvoke,
  type KeyInput,
  outRefundNo,
  outTradeNo,
  type PlatformKeys,
  platformKeys,
  PlatformSignatureRefused,
  privateKeyOf,
  rfc3339Beijing,
  truncateUtf8,
  verifyPlatformSignature,
} from './wechatpay-protocol';
import {
  WechatPayNotificationRefusedError,
  WechatPayOrderExistsError,
  WechatPayRefusedError,
  WechatPayResponseUnverifiedError,
} from './wechatpay.errors';

/** Everything the adapter needs, as plain values (the registry reads them from config). */
export interface WechatPaySettings {
  /** 商户号. */
  mchid: string;
  /** The app id Native and H5 orders are made for (an official account's or a website app's). */
  appid: string;
  /** The merchant API certificate's serial number (`serial_no` in our Authorization header). */
  serial: string;
  /** The merchant API private key (PEM), which signs our requests and JSAPI invokes. */
  merchantPrivateKey: KeyInput;
  /** The 32-byte APIv3 key that decrypts notification resources. */
  apiV3Key: string;
  /** The platform's public keys (or certificates' keys) by serial / public key ID. */
  platformPublicKeys: Readonly<Record<string, KeyInput>>;
  /**
   * `https://api.mch.weixin.qq.com`; tests and the sandbox point it elsewhere (the sandbox with a
   * function, read at each call: its own server's address is known once it listens).
   */
  apiBase: string | (() => string);
  /** This site's public address: notify_url is `${publicUrl}/webhooks/wechatpay`. */
  publicUrl: string;
  /** An official account's app id: inside WeChat, with the donor's openid, orders are JSAPI. */
  jsapiAppId?: string;
  /** The platform's fee in basis points (60 = 0.6%). */
  feeRateBp: number;
}

export interface WechatPayDeps {
  fetch?: typeof fetch;
  now?: () => Date;
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Per request; the platform answers in well under a second when it answers at all. */
  timeoutMs?: number;
}

export const WECHATPAY_NOTIFY_PATH = '/webhooks/wechatpay';
const DEFAULT_TIMEOUT_MS = 15_000;

/** A transaction as the platform reports it (notification resource or query answer). */
interface Transaction {
  mchid?: string;
  appid?: string;
  out_trade_no?: string;
  transaction_id?: string;
  trade_type?: string;
  trade_state?: string;
  attach?: string;
  success_time?: string;
  payer?: { openid?: string };
  amount?: { total?: number; payer_total?: number; currency?: string };
}

interface RefundResource {
  mchid?: string;
  out_trade_no?: string;
  transaction_id?: string;
  out_refund_no?: string;
  refund_id?: string;
  refund_status?: string;
  amount?: { total?: number; refund?: number; payer_refund?: number };
}

class HttpFailure extends Error {
  constructor(
    readonly status: number | null,
    readonly body: string,
    message: string,
  ) {
    super(message);
  }
}

export function createWechatPayAdapter(
  settings: WechatPaySettings,
  deps: WechatPayDeps = {},
): WechatPayAdapter {
  return new WechatPayAdapter(settings, deps);
}

/**
 * WeChat Pay API v3 on the payment port, with `node:crypto` and the global fetch (see
 * wechatpay-protocol.ts for why no SDK). Orders are numbered by the donation id, so a retried
 * create asks for the same order with the same parameters and the platform answers the same
 * code_url / h5_url / prepay_id. Every platform answer we act on is signature-checked like a
 * notification.
 */
export class WechatPayAdapter implements PaymentAdapter {
  readonly name = 'WECHAT_PAY' as const;
  readonly rail = 'WECHAT_PAY' as const;
  readonly recurring = false;
  private readonly logger = new Logger('WechatPay');
  private readonly keys: PlatformKeys;
  private readonly merchantKey: KeyObject;
  private readonly fetch: typeof fetch;
  private readonly now: () => Date;

  constructor(
    private readonly settings: WechatPaySettings,
    private readonly deps: WechatPayDeps = {},
  ) {
    assertApiV3Key(settings.apiV3Key);
    this.keys = platformKeys(settings.platformPublicKeys);
    if (this.keys.size === 0) throw new Error('WeChat Pay needs at least one platform public key');
    this.merchantKey = privateKeyOf(settings.merchantPrivateKey);
    this.fetch = deps.fetch ?? fetch;
    this.now = deps.now ?? (() => new Date());
  }

  get notifyUrl(): string {
    return `${this.settings.publicUrl.replace(/\/+$/, '')}${WECHATPAY_NOTIFY_PATH}`;
  }

  async createOrder(request: OrderRequest): Promise<OrderCheckout> {
    assertPositiveAmount(request.amountMinor);
    const tradeNo = outTradeNo(request.donationId);
    const jsapi =
      request.channel === 'wechat' && this.settings.jsapiAppId !== undefined && !!request.openid;
    const kind = jsapi
      ? 'jsapi'
      : request.channel === 'phone' || request.channel === 'alipay'
        ? 'h5'
        : 'native';
    const body: Record<string, unknown> = {
      appid: jsapi ? this.settings.jsapiAppId : this.settings.appid,
      mchid: this.settings.mchid,
      description: truncateUtf8(request.description || request.donationId),
      out_trade_no: tradeNo,
      time_expire: rfc3339Beijing(request.expiresAt),
      attach: request.donationId,
      notify_url: this.notifyUrl,
      amount: { total: request.amountMinor, currency: request.currency.toUpperCase() },
    };
    if (kind === 'jsapi') body.payer = { openid: request.openid };
    if (kind === 'h5') {
      body.scene_info = {
        payer_client_ip: request.clientIp ?? '127.0.0.1',
        h5_info: { type: 'Wap' },
      };
    }
    let answer: Record<string, unknown>;
    try {
      answer = await this.call('create an order', 'POST', `v3/pay/transactions/${kind}`, body);
    } catch (error) {
      throw await this.duplicateOrder(error, tradeNo);
    }
    if (kind === 'native') {
      return { sessionId: tradeNo, display: 'qr', qrContent: stringField(answer, 'code_url') };
    }
    if (kind === 'h5') {
      const url = `${stringField(answer, 'h5_url')}&redirect_url=${encodeURIComponent(request.successUrl)}`;
      return { sessionId: tradeNo, display: 'redirect', url };
    }
    const prepayId = stringField(answer, 'prepay_id');
    return {
      sessionId: tradeNo,
      display: 'jsapi',
      invoke: jsapiInvoke(this.settings.jsapiAppId!, prepayId, this.merchantKey),
    };
  }

  verifyNotification(rawBody: Buffer, headers: NotificationHeaders): VerifiedNotification {
    const body = rawBody.toString('utf8');
    try {
      verifyPlatformSignature(headers, body, this.keys, this.now());
      let envelope: Record<string, unknown>;
      try {
        envelope = JSON.parse(body) as Record<string, unknown>;
      } catch {
        throw new WechatPayNotificationRefusedError('notJson');
      }
      if (
        typeof envelope !== 'object' ||
        envelope === null ||
        typeof envelope.id !== 'string' ||
        typeof envelope.event_type !== 'string'
      ) {
        throw new WechatPayNotificationRefusedError('notJson');
      }
      let resource: Record<string, unknown>;
      try {
        resource = JSON.parse(decryptResource(envelope.resource, this.settings.apiV3Key)) as Record<
          string,
          unknown
        >;
      } catch (error) {
        if (error instanceof PlatformSignatureRefused) throw error;
        throw new PlatformSignatureRefused('badResource');
      }
      if (typeof resource !== 'object' || resource === null) {
        throw new PlatformSignatureRefused('badResource');
      }
      if (resource.mchid !== undefined && resource.mchid !== this.settings.mchid) {
        throw new WechatPayNotificationRefusedError('wrongMerchant');
      }
      return {
        eventId: envelope.id,
        type: envelope.event_type,
        payload: { notification: envelope, resource },
      };
    } catch (error) {
      const refused =
        error instanceof PlatformSignatureRefused
          ? new WechatPayNotificationRefusedError(error.refusal)
          : error;
      if (refused instanceof WechatPayNotificationRefusedError) {
        this.logger.warn(
          `refused a notification (${refused.refusal}; serial ${headers['wechatpay-serial'] ?? 'none'}, ${rawBody.length} bytes)`,
        );
      }
      throw refused;
    }
  }

  /** The notification's `create_time`; a queried order (reconciliation) its `success_time`. */
  eventTime(notification: VerifiedNotification): Date | null {
    const payload = notification.payload as {
      notification?: { create_time?: unknown };
      resource?: { success_time?: unknown };
    };
    const text = payload.notification?.create_time ?? payload.resource?.success_time;
    if (typeof text !== 'string') return null;
    const at = new Date(text);
    return Number.isNaN(at.getTime()) ? null : at;
  }

  toPaymentEvent(notification: VerifiedNotification): PaymentEvent {
    const payload = notification.payload as {
      source?: string;
      notification?: { event_type?: string };
      resource?: Record<string, unknown>;
    };
    const resource = payload.resource ?? {};
    if (payload.source === 'query') return transactionEvent(resource, true);
    const type = payload.notification?.event_type ?? notification.type;
    if (type.startsWith('TRANSACTION.')) return transactionEvent(resource, false);
    if (type === 'REFUND.SUCCESS') {
      const refund = resource as RefundResource;
      const amount = refund.amount?.refund;
      if (!refund.out_refund_no || !Number.isSafeInteger(amount) || (amount as number) <= 0) {
        throw new Error(`REFUND.SUCCESS ${notification.eventId} without out_refund_no or amount`);
      }
      return {
        kind: 'refunded',
        gift: refundGift(refund),
        refund: { ref: refund.out_refund_no, amountMinor: amount as number },
      };
    }
    if (type === 'REFUND.ABNORMAL' || type === 'REFUND.CLOSED') {
      const refund = resource as RefundResource;
      this.logger.warn(
        `refund ${refund.out_refund_no ?? '?'} of order ${refund.out_trade_no ?? '?'} ended ${type}: no money went back; see the merchant platform`,
      );
      return { kind: 'ignored', why: `${type}: the refund did not go through` };
    }
    return { kind: 'ignored', why: `WeChat Pay ${type} is not handled` };
  }

  async refund(request: ProviderRefundRequest): Promise<{ refundId: string }> {
    assertPositiveAmount(request.amountMinor);
    const answer = await this.call('refund a payment', 'POST', 'v3/refund/domestic/refunds', {
      out_trade_no: request.sessionId,
      out_refund_no: outRefundNo(request.idempotencyKey),
      ...(request.reason ? { reason: truncateUtf8(request.reason, 80) } : {}),
      notify_url: this.notifyUrl,
      amount: {
        refund: request.amountMinor,
        total: request.totalMinor,
        currency: request.currency.toUpperCase(),
      },
    });
    return { refundId: stringField(answer, 'refund_id') };
  }

  async queryOrder(order: OrderRef): Promise<OrderStatus> {
    let transaction: Transaction;
    try {
      transaction = await this.query(order.sessionId);
    } catch (error) {
      if (error instanceof WechatPayRefusedError && error.platformCode === 'ORDER_NOT_EXIST') {
        return { state: 'not_found' };
      }
      throw error;
    }
    switch (transaction.trade_state ?? '') {
      case 'SUCCESS':
      case 'REFUND':
        return {
          state: 'paid',
          notification: {
            eventId: `query:${order.sessionId}:${transaction.trade_state}`,
            type: `QUERY.${transaction.trade_state}`,
            payload: { source: 'query', resource: transaction },
          },
        };
      case 'NOTPAY':
      case 'USERPAYING':
        return { state: 'open' };
      default:
        return { state: 'closed' };
    }
  }

  async closeOrder(order: OrderRef): Promise<void> {
    await this.call(
      'close an order',
      'POST',
      `v3/pay/transactions/out-trade-no/${encodeURIComponent(order.sessionId)}/close`,
      { mchid: this.settings.mchid },
    );
  }

  retrieveFee(payment: {
    paymentId: string;
    amountMinor: number;
    currency: string;
  }): Promise<{ feeMinor: number; currency: string } | null> {
    return Promise.resolve({
      feeMinor: feeByRate(payment.amountMinor, this.settings.feeRateBp),
      currency: payment.currency,
    });
  }

  private async query(tradeNo: string): Promise<Transaction> {
    const answer = (await this.call(
      'query an order',
      'GET',
      `v3/pay/transactions/out-trade-no/${encodeURIComponent(tradeNo)}?mchid=${encodeURIComponent(this.settings.mchid)}`,
    )) as Transaction;
    if (answer.out_trade_no !== tradeNo || answer.mchid !== this.settings.mchid) {
      throw new WechatPayResponseUnverifiedError('wrongOrder');
    }
    return answer;
  }

  /**
   * A create the platform refused because the order exists: paid already (ORDERPAID), or the
   * same number with other parameters (OUT_TRADE_NO_USED: the donor switched device between the
   * QR code and the phone page). The order's state at the platform decides what the donor hears.
   */
  private async duplicateOrder(error: unknown, tradeNo: string): Promise<unknown> {
    if (
      !(error instanceof WechatPayRefusedError) ||
      (error.platformCode !== 'ORDERPAID' && error.platformCode !== 'OUT_TRADE_NO_USED')
    ) {
      return error;
    }
    const transaction = await this.query(tradeNo);
    const state = transaction.trade_state ?? 'UNKNOWN';
    this.logger.warn(`order ${tradeNo} exists (${error.platformCode}, ${state})`);
    return new WechatPayOrderExistsError(state === 'SUCCESS' || state === 'REFUND', tradeNo);
  }

  /** One signed call with bounded retries; returns the verified JSON answer ({} for 204). */
  private async call(
    what: string,
    method: 'GET' | 'POST',
    path: string,
    body?: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const base =
      typeof this.settings.apiBase === 'string' ? this.settings.apiBase : this.settings.apiBase();
    const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
    const json = body === undefined ? '' : JSON.stringify(body);
    try {
      return await withRetries(() => this.send(url, method, json), {
        policy: this.deps.retry ?? DEFAULT_RETRY_POLICY,
        retryable: (error) =>
          error instanceof HttpFailure &&
          (error.status === null || error.status === 429 || error.status >= 500),
        onRetry: (error, attempt, delayMs) =>
          this.logger.debug(
            `${what}: attempt ${attempt} failed (${(error as Error).message}); retrying in ${delayMs} ms`,
          ),
        sleep: this.deps.sleep,
        random: this.deps.random,
      });
    } catch (error) {
      if (error instanceof RetriesExhaustedError) {
        const last = error.lastError as HttpFailure;
        this.logger.warn(
          `${what}: WeChat Pay still busy after ${error.attempts} attempts (${last.message})`,
        );
        throw new ProviderBusyError(words('errors.wechatpay.busy'), {
          operation: what,
          attempts: error.attempts,
          status: last.status,
        });
      }
      if (error instanceof HttpFailure) {
        const refusal = platformError(error.body);
        this.logger.warn(`${what}: WeChat Pay answered ${error.status} ${refusal.code}`);
        throw new WechatPayRefusedError(error.status ?? 400, refusal.code, refusal.message);
      }
      throw error;
    }
  }

  private async send(url: URL, method: string, body: string): Promise<Record<string, unknown>> {
    const authorization = authorizationHeader(
      { mchid: this.settings.mchid, serial: this.settings.serial, privateKey: this.merchantKey },
      { method, pathWithQuery: `${url.pathname}${url.search}`, body },
    );
    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers: {
          authorization,
          accept: 'application/json',
          'user-agent': 'Lianxin/1.0 (WeChat Pay API v3)',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body } : {}),
        signal: AbortSignal.timeout(this.deps.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      throw new HttpFailure(null, '', `no answer (${(error as Error).message})`);
    }
    const text = await response.text();
    if (!response.ok) throw new HttpFailure(response.status, text, `HTTP ${response.status}`);
    if (response.status === 204 || text === '') return {};
    const headers: Record<string, string | undefined> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    try {
      verifyPlatformSignature(headers, text, this.keys, this.now());
    } catch (error) {
      if (error instanceof PlatformSignatureRefused) {
        this.logger.warn(`a WeChat Pay answer failed its signature check (${error.refusal})`);
        throw new WechatPayResponseUnverifiedError(error.refusal);
      }
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
    } catch {
      // falls through
    }
    throw new WechatPayResponseUnverifiedError('notJson');
  }
}

/** The platform's error body is `{ code, message }`; anything else is named by its status. */
function platformError(body: string): { code: string; message: string } {
  try {
    const parsed = JSON.parse(body) as { code?: unknown; message?: unknown };
    if (typeof parsed.code === 'string') {
      return {
        code: parsed.code,
        message: typeof parsed.message === 'string' ? parsed.message : parsed.code,
      };
    }
  } catch {
    // not JSON
  }
  return { code: 'UNKNOWN', message: body.slice(0, 200) || 'no message' };
}

function stringField(answer: Record<string, unknown>, name: string): string {
  const value = answer[name];
  if (typeof value !== 'string' || value === '') {
    throw new WechatPayResponseUnverifiedError('notJson');
  }
  return value;
}

function transactionGift(t: Transaction): GiftRef {
  return {
    ...(t.attach ? { donationId: t.attach } : {}),
    ...(t.out_trade_no ? { sessionId: t.out_trade_no } : {}),
  };
}

function refundGift(r: RefundResource): GiftRef {
  return {
    ...(r.out_trade_no ? { sessionId: r.out_trade_no } : {}),
    ...(r.transaction_id ? { paymentId: r.transaction_id } : {}),
  };
}

/**
 * One translation for a transaction, delivered or queried. A queried order in state REFUND was
 * paid (its refunds come as their own notifications), so reconciliation settles it like SUCCESS.
 */
function transactionEvent(t: Transaction, queried: boolean): PaymentEvent {
  const gift = transactionGift(t);
  const state = t.trade_state;
  if (state === 'SUCCESS' || (queried && state === 'REFUND')) {
    const total = t.amount?.total;
    if (!Number.isSafeInteger(total) || typeof t.amount?.currency !== 'string') {
      throw new Error(`a paid WeChat Pay order ${t.out_trade_no ?? '?'} without its amount`);
    }
    return {
      kind: 'paid',
      gift,
      paid: { amountMinor: total as number, currency: t.amount.currency.toUpperCase() },
      ...(t.transaction_id ? { paymentId: t.transaction_id } : {}),
      ...(t.payer?.openid ? { fingerprint: `wechat:${t.payer.openid}` } : {}),
    };
  }
  switch (state ?? '') {
    case 'CLOSED':
    case 'REVOKED':
      return { kind: 'expired', gift };
    case 'PAYERROR':
      return { kind: 'failed', gift };
    case 'NOTPAY':
    case 'USERPAYING':
      return { kind: 'ignored', why: `the order is ${state}: nothing paid yet` };
    default:
      return {
        kind: 'ignored',
        why: `trade_state ${state ?? 'missing'}: refunds come on their own`,
      };
  }
}
