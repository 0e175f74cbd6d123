import type { PaymentEvent, PaymentRail, ProviderName } from './payment-events';
import { PaymentAmountNotPositiveError } from './payments.errors';

// The port's errors, declared with the module's others.
export { ProviderBusyError, WebhookSignatureError } from './payments.errors';

export type { ProviderName } from './payment-events';

/** What every checkout needs, whichever rail takes it. */
export interface CheckoutRequest {
  donationId: string;
  amountMinor: number;
  currency: string;
  /** Shown on the provider's page, e.g. the campaign title. */
  description: string;
  donorEmail: string;
  monthly: boolean;
  successUrl: string;
  cancelUrl: string;
  locale: 'zh-CN' | 'en';
}

export interface RefundRequest {
  donationId: string;
  /** The provider's payment id (Stripe PaymentIntent, WeChat Pay transaction_id, Alipay trade_no). */
  paymentId: string;
  amountMinor: number;
  /** Our own idempotency key, stable across retries and crashes. */
  idempotencyKey: string;
}

/** Every adapter refuses an amount that is not a positive whole number of minor units. */
export function assertPositiveAmount(amountMinor: number): void {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw new PaymentAmountNotPositiveError(amountMinor);
  }
}

/*
 * The port every rail implements: Stripe, the Stripe-shaped sandbox, WeChat Pay, Alipay. One
 * adapter per provider name; `PaymentRails` (the registry) says which are enabled and which adapter
 * serves each rail.
 */

/** Where the donor is paying from: it decides the kind of order (QR, phone page, in-app). */
export type CheckoutChannel = 'desktop' | 'phone' | 'wechat' | 'alipay';

/** How long a checkout or order stays payable (Stripe Checkout's default; orders match it). */
export const CHECKOUT_LIFETIME_SECONDS = 24 * 3600;

export interface OrderRequest extends CheckoutRequest {
  channel: CheckoutChannel;
  /** The donor's IP address (WeChat Pay H5 requires it). */
  clientIp?: string;
  /** When the order stops being payable: created + CHECKOUT_LIFETIME_SECONDS. */
  expiresAt: Date;
  /** Inside WeChat with an official account: the donor's openid (JSAPI). */
  openid?: string;
}

export type OrderCheckout =
  /** Send the donor's browser to `url` (Stripe Checkout, WeChat Pay H5, Alipay's cashier). */
  | { sessionId: string; display: 'redirect'; url: string }
  /** Show `qrContent` as a QR code on our own page (WeChat Pay Native on desktop). */
  | { sessionId: string; display: 'qr'; qrContent: string }
  /** Call the in-app pay sheet with these parameters (WeChat Pay JSAPI: getBrandWCPayRequest). */
  | { sessionId: string; display: 'jsapi'; invoke: Record<string, string> };

/** Request headers, names in lower case. */
export type NotificationHeaders = Record<string, string | undefined>;

/**
 * A notification whose signature (and encryption) checked out, as the inbox stores it: unique per
 * (provider, eventId); `payload` is the provider's raw notification (WeChat Pay: with its
 * decrypted resource beside it), which `toPaymentEvent` reads again on every retry.
 */
export interface VerifiedNotification {
  eventId: string;
  /** The provider's own name for what happened (`TRANSACTION.SUCCESS`, `trade_status_sync`…). */
  type: string;
  payload: Record<string, unknown>;
}

/** A gift's order at its provider, for reconciliation. */
export interface OrderRef {
  donationId: string;
  /** What createCheckout returned as sessionId (our out_trade_no on WeChat Pay and Alipay). */
  sessionId: string;
  amountMinor: number;
  currency: string;
}

export type OrderStatus =
  /** Paid at the provider: `notification` goes through the inbox like a delivered one. */
  | { state: 'paid'; notification: VerifiedNotification }
  | { state: 'open' }
  | { state: 'closed' }
  | { state: 'not_found' };

export interface ProviderRefundRequest extends RefundRequest {
  /** The order's sessionId (out_trade_no on WeChat Pay and Alipay). */
  sessionId: string;
  /** The whole gift, which WeChat Pay's refund request repeats. */
  totalMinor: number;
  currency: string;
  /** Why, shown to the donor by some providers. */
  reason?: string;
}

export interface PaymentAdapter {
  readonly name: ProviderName;
  readonly rail: PaymentRail;
  /** Whether monthly gifts can be taken here (only Stripe's subscriptions, for now). */
  readonly recurring: boolean;
  /** Opens (or, called again for the same donation, returns) the gift's checkout or order. */
  createOrder(request: OrderRequest): Promise<OrderCheckout>;
  /**
   * Checks a delivered notification's signature, freshness and encryption and returns it for the
   * inbox. Throws `WebhookSignatureError` (bad or missing signature, unknown serial, stale
   * timestamp, undecryptable resource, wrong app): nothing is stored then.
   */
  verifyNotification(rawBody: Buffer, headers: NotificationHeaders): VerifiedNotification;
  /** Reads a stored notification. Pure; never throws for a well-formed one of this provider. */
  toPaymentEvent(notification: VerifiedNotification): PaymentEvent;
  /**
   * When the provider says the notification's event happened, for the webhook lag metric; null
   * when its format does not say. Pure.
   */
  eventTime(notification: VerifiedNotification): Date | null;
  /** Asks for a refund; its notification books it. Idempotent on `idempotencyKey`. */
  refund(request: ProviderRefundRequest): Promise<{ refundId: string }>;
  /** The order's state at the provider (reconciliation). */
  queryOrder(order: OrderRef): Promise<OrderStatus>;
  /** Closes an unpaid order past its expiry (reconciliation); closing a closed one is harmless. */
  closeOrder(order: OrderRef): Promise<void>;
  /**
   * The processor's fee for a settled payment, or null while it is not known yet (Stripe reports
   * it shortly after the charge; WeChat Pay and Alipay by their configured rate).
   */
  retrieveFee(payment: {
    paymentId: string;
    amountMinor: number;
    currency: string;
  }): Promise<{ feeMinor: number; currency: string; chargeId?: string } | null>;
}

/**
 * What only a rail with recurring agreements offers (Stripe's subscriptions, and the sandbox that
 * imitates them): monthly gifts, their cancellation, reconciliation by listing checkouts.
 */
export interface RecurringPayments {
  /** Checkout sessions created since a time, for reconciliation (newest first, paginated inside). */
  listSessionsSince(since: Date): AsyncIterable<Record<string, unknown>>;
  /**
   * Ends a monthly gift's subscription (the donor's cancel link). The provider confirms with a
   * `customer.subscription.deleted` event; cancelling twice is harmless.
   */
  cancelSubscription(subscriptionId: string): Promise<void>;
  /**
   * The PaymentIntent (and charge, when known) that paid an invoice, or null while it has none:
   * for a monthly gift whose `invoice.paid` event did not carry its `payments`.
   */
  retrieveInvoicePayment(
    invoiceId: string,
  ): Promise<{ paymentId: string; chargeId?: string } | null>;
}

/** Whether an adapter also offers the recurring extras. */
export function hasRecurringPayments(
  adapter: PaymentAdapter,
): adapter is PaymentAdapter & RecurringPayments {
  const a = adapter as Partial<RecurringPayments>;
  return (
    typeof a.listSessionsSince === 'function' &&
    typeof a.cancelSubscription === 'function' &&
    typeof a.retrieveInvoicePayment === 'function'
  );
}
