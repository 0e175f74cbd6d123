import { Logger } from '@nestjs/common';
import { AlipayRequestError, AlipaySdk, type AlipaySdkCommonResult } from 'alipay-sdk';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { PaymentEvent } from '../payment-events';
import {
  assertPositiveAmount,
  type NotificationHeaders,
  type OrderCheckout,
  type OrderRef,
  type OrderRequest,
  type OrderStatus,
  type PaymentAdapter,
  type ProviderRefundRequest,
  type VerifiedNotification,
  WebhookSignatureError,
} from '../payment-provider';
import {
  DEFAULT_RETRY_POLICY,
  RetriesExhaustedError,
  type RetryPolicy,
  withRetries,
} from '../retry';
import {
  ALIPAY_MAX_AMOUNT_FEN,
  AlipayAmountError,
  alipayTime,
  donationIdFromOutTradeNo,
  fenToYuan,
  outRequestNo,
  outTradeNo,
  parseAlipayTime,
  yuanToFen,
} from './alipay-amounts';
import {
  alipayBusy,
  AlipayAmountRefusedError,
  AlipayRefusedError,
  AlipayResponseUnverifiedError,
  notificationRefusal,
} from './alipay.errors';

/** Where Alipay posts its notifications on our side (the inbox's route). */
export const ALIPAY_WEBHOOK_PATH = '/webhooks/alipay';

/** What the adapter needs, as plain values: the config (`AppConfig.alipay`) or a test builds it. */
export interface AlipaySettings {
  /** `ALIPAY_APP_ID`. */
  appId: string;
  /** RSA 2048 app private key: PEM (PKCS#1 or PKCS#8) or the bare base64 Alipay's key tool prints. */
  appPrivateKey: string;
  /** The Alipay public key of this app (public key mode, not certificates): PEM or bare base64. */
  alipayPublicKey: string;
  /** The OpenAPI gateway (`https://openapi.alipay.com/gateway.do`); a function for the sandbox. */
  gateway: string | (() => string);
  /** Our merchant account (`2088…`): notifications for any other seller are refused. */
  sellerId?: string;
  /** The site's public address: notify_url is `${publicUrl}/webhooks/alipay`. */
  publicUrl: string;
  /** Alipay's fee in basis points of the amount (ALIPAY_FEE_RATE_BP, 60 = 0.6%). */
  feeRateBp: number;
  /** The sandbox: the cashier URL is given as a path on this site, the host the donor uses. */
  cashierAsPath?: boolean;
}

export interface AlipayDeps {
  retry?: RetryPolicy;
  /** Tests pin the clock and the dice. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => Date;
  /** Per request (the SDK's `timeout`); 10 s by default. */
  timeoutMs?: number;
}

/** Alipay's trade states (`trade_status`). */
const PAID_STATES = new Set(['TRADE_SUCCESS', 'TRADE_FINISHED']);

/** `sub_code`s Alipay documents as "try again with the same request". */
const RETRYABLE_SUB_CODES = new Set([
  'ACQ.SYSTEM_ERROR',
  'isp.unknow-error',
  'aop.ACQ.SYSTEM_ERROR',
]);

/** Answers that mean "Alipay could not take it now": retried, then ProviderBusyError. */
class AlipayUnavailable extends Error {}

/** Subject: at most 256 characters; Alipay refuses `/`, `=` and `&` in it. */
function alipaySubject(description: string): string {
  const cleaned = description.replace(/[/=&]/g, ' ').replace(/\s+/g, ' ').trim();
  return [...(cleaned || '-')].slice(0, 256).join('');
}

function readPrivateKey(key: string): KeyObject {
  const text = key.trim().replace(/\\n/g, '\n');
  try {
    if (text.includes('-----BEGIN')) return createPrivateKey(text);
    const der = Buffer.from(text, 'base64');
    try {
      return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    } catch {
      return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
    }
  } catch {
    throw new Error(
      'ALIPAY_APP_PRIVATE_KEY is not an RSA private key (PEM, PKCS#1 or PKCS#8, or its bare base64)',
    );
  }
}

function readPublicKey(key: string): KeyObject {
  const text = key.trim().replace(/\\n/g, '\n');
  try {
    if (text.includes('-----BEGIN')) return createPublicKey(text);
    const der = Buffer.from(text, 'base64');
    try {
      return createPublicKey({ key: der, format: 'der', type: 'spki' });
    } catch {
      return createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
    }
  } catch {
    throw new Error('ALIPAY_PUBLIC_KEY is not an RSA public key (PEM, or its bare base64)');
  }
}

/** A form field as one string: a repeated field is refused, like a missing sign. */
function parseForm(rawBody: Buffer): Record<string, string> | null {
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawBody.toString('utf8'))) {
    if (Object.hasOwn(fields, key)) return null;
    fields[key] = value;
  }
  return fields;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Alipay (OpenAPI v2, `alipay-sdk`): the phone and desktop cashier (`alipay.trade.wap.pay`,
 * `alipay.trade.page.pay`) by a signed redirect URL, notifications verified with the Alipay
 * public key (RSA2), refunds, query and close. Requests are signed with the app private key and
 * answers checked with the Alipay public key by the SDK; `20000` (service unavailable), network
 * failures and timeouts are retried with backoff, then `ProviderBusyError`.
 */
export class AlipayAdapter implements PaymentAdapter {
  readonly name = 'ALIPAY' as const;
  readonly rail = 'ALIPAY' as const;
  readonly recurring = false;
  private readonly logger = new Logger('Alipay');
  private readonly sdk: AlipaySdk;
  private readonly retry: RetryPolicy;
  private readonly now: () => Date;

  constructor(
    private readonly settings: AlipaySettings,
    private readonly deps: AlipayDeps = {},
  ) {
    this.retry = deps.retry ?? DEFAULT_RETRY_POLICY;
    this.now = deps.now ?? (() => new Date());
    this.sdk = new AlipaySdk({
      appId: settings.appId,
      privateKey: readPrivateKey(settings.appPrivateKey).export({
        type: 'pkcs8',
        format: 'pem',
      }) as string,
      keyType: 'PKCS8',
      alipayPublicKey: readPublicKey(settings.alipayPublicKey).export({
        type: 'spki',
        format: 'pem',
      }) as string,
      gateway: this.gateway(),
      signType: 'RSA2',
      camelcase: false,
      timeout: deps.timeoutMs ?? 10_000,
    });
  }

  private gateway(): string {
    const { gateway } = this.settings;
    return typeof gateway === 'function' ? gateway() : gateway;
  }

  private notifyUrl(): string {
    return `${this.settings.publicUrl.replace(/\/+$/, '')}${ALIPAY_WEBHOOK_PATH}`;
  }

  createOrder(request: OrderRequest): Promise<OrderCheckout> {
    // A refusal is a rejected promise, like a call's.
    return new Promise((resolve) => resolve(this.checkout(request)));
  }

  private checkout(request: OrderRequest): OrderCheckout {
    assertPositiveAmount(request.amountMinor);
    if (request.currency !== 'CNY' || request.amountMinor > ALIPAY_MAX_AMOUNT_FEN) {
      throw new AlipayAmountRefusedError(request.amountMinor, request.currency);
    }
    const desktop = request.channel === 'desktop';
    const tradeNo = outTradeNo(request.donationId);
    const bizContent: Record<string, string> = {
      out_trade_no: tradeNo,
      total_amount: fenToYuan(request.amountMinor),
      subject: alipaySubject(request.description),
      product_code: desktop ? 'FAST_INSTANT_TRADE_PAY' : 'QUICK_WAP_WAY',
      time_expire: alipayTime(request.expiresAt),
      passback_params: encodeURIComponent(request.donationId),
    };
    if (!desktop) bizContent.quit_url = request.cancelUrl;
    this.sdk.config.gateway = this.gateway();
    const url = this.sdk.pageExecute(
      desktop ? 'alipay.trade.page.pay' : 'alipay.trade.wap.pay',
      'GET',
      {
        bizContent,
        notifyUrl: this.notifyUrl(),
        returnUrl: request.successUrl,
        timestamp: alipayTime(this.now()),
      },
    );
    const parsed = new URL(url);
    return {
      sessionId: tradeNo,
      display: 'redirect',
      url: this.settings.cashierAsPath ? `${parsed.pathname}${parsed.search}` : url,
    };
  }

  /** Refusals are logged by the webhook route, which knows what it answered. */
  verifyNotification(rawBody: Buffer, headers: NotificationHeaders): VerifiedNotification {
    const contentType = headers['content-type'];
    if (contentType && !/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
      throw new WebhookSignatureError(notificationRefusal.notForm());
    }
    const fields = parseForm(rawBody);
    if (!fields) throw new WebhookSignatureError(notificationRefusal.notForm());
    if (fields.charset && fields.charset.toLowerCase() !== 'utf-8') {
      throw new WebhookSignatureError(notificationRefusal.charset(fields.charset));
    }
    if (!fields.sign) throw new WebhookSignatureError(notificationRefusal.noSign());
    if (fields.sign_type && fields.sign_type !== 'RSA2') {
      throw new WebhookSignatureError(notificationRefusal.signType(fields.sign_type));
    }
    // Raw (already form-decoded) values: checkNotifySign would decode them a second time.
    if (!this.sdk.checkNotifySignV2(fields)) {
      throw new WebhookSignatureError(notificationRefusal.badSign());
    }
    if (fields.app_id !== this.settings.appId) {
      throw new WebhookSignatureError(notificationRefusal.otherApp(fields.app_id ?? ''));
    }
    if (this.settings.sellerId && fields.seller_id !== this.settings.sellerId) {
      throw new WebhookSignatureError(notificationRefusal.otherSeller(fields.seller_id ?? ''));
    }
    for (const field of ['notify_type', 'trade_no', 'out_trade_no', 'trade_status']) {
      if (!fields[field]) throw new WebhookSignatureError(notificationRefusal.missing(field));
    }
    for (const field of ['total_amount', 'refund_fee']) {
      const value = fields[field];
      if (value === undefined) continue;
      try {
        yuanToFen(value);
      } catch (error) {
        if (!(error instanceof AlipayAmountError)) throw error;
        throw new WebhookSignatureError(notificationRefusal.amount(field, value));
      }
    }
    const refund = fields.out_biz_no && fields.refund_fee;
    return {
      // A re-sent notification repeats its state change: the inbox keys on that, not notify_id.
      eventId: refund
        ? `${fields.trade_no}:refund:${fields.out_biz_no}`
        : `${fields.trade_no}:${fields.trade_status}`,
      type: fields.notify_type!,
      payload: fields,
    };
  }

  /** The notification's `notify_time` (Beijing wall time); a queried trade's `send_pay_date`. */
  eventTime(notification: VerifiedNotification): Date | null {
    const p = notification.payload;
    return parseAlipayTime(str(p.notify_time) ?? str(p.send_pay_date));
  }

  toPaymentEvent(notification: VerifiedNotification): PaymentEvent {
    const p = notification.payload;
    const tradeNo = str(p.out_trade_no);
    const passback = str(p.passback_params);
    let donationId = tradeNo ? (donationIdFromOutTradeNo(tradeNo) ?? undefined) : undefined;
    if (passback) {
      try {
        donationId = decodeURIComponent(passback);
      } catch {
        // Not ours (we send a URL-encoded donation id); the out_trade_no still names the gift.
      }
    }
    const gift = { donationId, sessionId: tradeNo, paymentId: str(p.trade_no) };
    const status = str(p.trade_status);
    const refundFee = str(p.refund_fee);
    if (refundFee && str(p.out_biz_no)) {
      return { kind: 'refunded', gift, refundedTotalMinor: yuanToFen(refundFee) };
    }
    if (status && PAID_STATES.has(status)) {
      const total = str(p.total_amount);
      const buyer = str(p.buyer_id) ?? str(p.buyer_user_id) ?? str(p.buyer_open_id);
      return {
        kind: 'paid',
        gift,
        paid: total ? { amountMinor: yuanToFen(total), currency: 'CNY' } : undefined,
        paymentId: str(p.trade_no),
        fingerprint: buyer ? `alipay:${buyer}` : undefined,
      };
    }
    if (status === 'TRADE_CLOSED') return { kind: 'expired', gift };
    return { kind: 'ignored', why: `alipay ${notification.type} ${status ?? ''}`.trim() };
  }

  async refund(request: ProviderRefundRequest): Promise<{ refundId: string }> {
    assertPositiveAmount(request.amountMinor);
    if (request.currency !== 'CNY') {
      throw new AlipayAmountRefusedError(request.amountMinor, request.currency);
    }
    const requestNo = outRequestNo(request.idempotencyKey);
    const bizContent: Record<string, string> = {
      out_trade_no: request.sessionId,
      refund_amount: fenToYuan(request.amountMinor),
      out_request_no: requestNo,
    };
    if (request.reason) bizContent.refund_reason = [...request.reason].slice(0, 256).join('');
    const result = await this.call('alipay.trade.refund', bizContent);
    if (result.code !== '10000') throw this.refused('alipay.trade.refund', result);
    return { refundId: requestNo };
  }

  async queryOrder(order: OrderRef): Promise<OrderStatus> {
    const result = await this.call('alipay.trade.query', { out_trade_no: order.sessionId });
    if (result.code !== '10000') {
      if (result.sub_code === 'ACQ.TRADE_NOT_EXIST') return { state: 'not_found' };
      throw this.refused('alipay.trade.query', result);
    }
    const status = str(result.trade_status);
    if (status && PAID_STATES.has(status)) {
      const payload: Record<string, unknown> = { source: 'query' };
      for (const [key, value] of Object.entries(result)) {
        if (typeof value === 'string' && !['code', 'msg'].includes(key)) payload[key] = value;
      }
      return {
        state: 'paid',
        notification: {
          eventId: `query:${order.sessionId}:${status}`,
          type: 'alipay.trade.query',
          payload,
        },
      };
    }
    return status === 'TRADE_CLOSED' ? { state: 'closed' } : { state: 'open' };
  }

  async closeOrder(order: OrderRef): Promise<void> {
    const result = await this.call('alipay.trade.close', { out_trade_no: order.sessionId });
    if (result.code === '10000' || result.sub_code === 'ACQ.TRADE_NOT_EXIST') return;
    if (result.sub_code === 'ACQ.TRADE_STATUS_ERROR') {
      // Closed already (harmless), or paid meanwhile: only the first may pass silently.
      const now = await this.queryOrder(order);
      if (now.state === 'closed' || now.state === 'not_found') return;
    }
    throw this.refused('alipay.trade.close', result);
  }

  retrieveFee(payment: {
    paymentId: string;
    amountMinor: number;
    currency: string;
  }): Promise<{ feeMinor: number; currency: string } | null> {
    // Half up to the fen, in integers: (amount × bp + 5000) ÷ 10000, floored.
    const feeMinor = Math.floor((payment.amountMinor * this.settings.feeRateBp + 5000) / 10_000);
    return Promise.resolve({ feeMinor, currency: payment.currency });
  }

  private refused(method: string, result: AlipaySdkCommonResult): AlipayRefusedError {
    const subCode = str(result.sub_code);
    const subMsg = str(result.sub_msg);
    this.logger.warn(`${method} refused: ${result.code} ${subCode ?? ''} ${subMsg ?? ''}`);
    return new AlipayRefusedError(method, subCode, subMsg);
  }

  /** One OpenAPI call, signed, its answer's signature checked; unavailability retried. */
  private async call(
    method: string,
    bizContent: Record<string, string>,
  ): Promise<AlipaySdkCommonResult> {
    try {
      return await withRetries(
        async () => {
          this.sdk.config.gateway = this.gateway();
          let result: AlipaySdkCommonResult;
          try {
            result = await this.sdk.exec(
              method,
              { bizContent, timestamp: alipayTime(this.now()) },
              { validateSign: true },
            );
          } catch (error) {
            if (
              error instanceof AlipayRequestError &&
              (error.cause !== undefined || error.message.startsWith('HTTP 请求错误'))
            ) {
              throw new AlipayUnavailable(error.message);
            }
            this.logger.warn(`${method}: ${(error as Error).message}`);
            throw new AlipayResponseUnverifiedError(method);
          }
          if (result.code === '20000' || RETRYABLE_SUB_CODES.has(str(result.sub_code) ?? '')) {
            throw new AlipayUnavailable(`${result.code} ${str(result.sub_code) ?? ''}`);
          }
          return result;
        },
        {
          policy: this.retry,
          retryable: (error) => error instanceof AlipayUnavailable,
          onRetry: (error, attempt, delayMs) =>
            this.logger.warn(
              `${method} attempt ${attempt}: ${(error as Error).message}; again in ${delayMs} ms`,
            ),
          sleep: this.deps.sleep,
          random: this.deps.random,
        },
      );
    } catch (error) {
      if (error instanceof RetriesExhaustedError) throw alipayBusy(method);
      throw error;
    }
  }
}

/** Builds the adapter from plain settings (CORE's rails registry, the sandbox, tests). */
export function createAlipayAdapter(
  settings: AlipaySettings,
  deps: AlipayDeps = {},
): AlipayAdapter {
  return new AlipayAdapter(settings, deps);
}
