/**
 * The payment rails and the one language their notifications are translated into. Pure: no Nest.
 *
 * Each adapter (Stripe, the Stripe-shaped sandbox, WeChat Pay, Alipay) reads its own notification
 * format and returns a `PaymentEvent`; settlement switches on this union only and never reads a
 * provider's JSON. The inbox keeps the provider's raw notification beside its provider name, so a
 * retry translates it again with the same adapter.
 */

/** The ways a donor can pay online, in the order a Chinese donor expects them. */
export const PAYMENT_RAILS = ['WECHAT_PAY', 'ALIPAY', 'STRIPE'] as const;
export type PaymentRail = (typeof PAYMENT_RAILS)[number];

/**
 * The adapters, as stored on a gift (`donations.provider`) and on an inbox row
 * (`payment_events.provider`). SANDBOX is the Stripe-shaped stand-in for the STRIPE rail; WeChat
 * Pay and Alipay are the same adapters in the sandbox, pointed at the built-in fake platforms.
 */
export const PROVIDER_NAMES = ['STRIPE', 'SANDBOX', 'WECHAT_PAY', 'ALIPAY'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/**
 * How a notification names its gift: any of these, the first that finds one wins (our donation
 * id, then the checkout or order, then the provider's payment, then its charge).
 */
export interface GiftRef {
  donationId?: string;
  /** Stripe checkout session id, or our out_trade_no on WeChat Pay and Alipay. */
  sessionId?: string;
  /** Stripe PaymentIntent, WeChat Pay transaction_id, Alipay trade_no. */
  paymentId?: string;
  /** Stripe charge. */
  chargeId?: string;
}

/** The amount the provider says it took, to be checked against the gift before anything is booked. */
export interface PaidAmount {
  amountMinor: number;
  /** ISO 4217, upper case; left out when the format carries none (Alipay: always CNY). */
  currency?: string;
}

export type PaymentEvent =
  /** The donor paid: settle the gift once. */
  | {
      kind: 'paid';
      gift: GiftRef;
      /** Absent only when the provider's format does not say (then the gift's own amount stands). */
      paid?: PaidAmount;
      paymentId?: string;
      chargeId?: string;
      subscriptionId?: string;
      invoiceId?: string;
      /** The card or payer account, for the bot check (`card:…`, `wechat:…`, `alipay:…`). */
      fingerprint?: string;
    }
  /** The checkout completed but the money is still on its way (delayed methods). */
  | { kind: 'awaiting_payment'; gift: GiftRef }
  /** A payment attempt failed; the donor may still try again. */
  | { kind: 'failed'; gift: GiftRef }
  /** The checkout or order expired or was closed unpaid. */
  | { kind: 'expired'; gift: GiftRef }
  /** A charge went through: its payment method fingerprint and charge id. */
  | { kind: 'payment_method'; gift: GiftRef; fingerprint: string; chargeId?: string }
  /**
   * Money went back to the donor. `refundedTotalMinor` is cumulative (Stripe, Alipay); a rail
   * that reports each refund on its own (WeChat Pay) gives `refund` instead, and settlement adds
   * it up once per refund reference.
   */
  | {
      kind: 'refunded';
      gift: GiftRef;
      refundedTotalMinor?: number;
      refund?: { ref: string; amountMinor: number };
      chargeId?: string;
    }
  | {
      kind: 'dispute_opened';
      gift: GiftRef;
      disputeId: string;
      amountMinor?: number;
      /** The dispute's fees so far (cumulative), when the format carries them. */
      feeTotalMinor?: number;
    }
  | {
      kind: 'dispute_closed';
      gift: GiftRef;
      disputeId: string;
      outcome: 'won' | 'lost' | 'closed';
      amountMinor?: number;
      feeTotalMinor?: number;
    }
  /** Funds withdrawn or reinstated during a dispute: only its fees can have changed. */
  | { kind: 'dispute_funds'; gift: GiftRef; disputeId: string; feeTotalMinor?: number }
  /** A monthly gift's invoice was paid; the first one is the checkout's own payment. */
  | {
      kind: 'renewal_paid';
      subscriptionId: string;
      invoiceId: string;
      first: boolean;
      amountMinor?: number;
      paymentId?: string;
      chargeId?: string;
    }
  | { kind: 'renewal_failed'; subscriptionId: string; invoiceId?: string; amountDueMinor?: number }
  | { kind: 'subscription_ended'; subscriptionId: string }
  /** Nothing for us (an event type we do not subscribe to, a state change that books nothing). */
  | { kind: 'ignored'; why: string };

export type PaymentEventKind = PaymentEvent['kind'];
