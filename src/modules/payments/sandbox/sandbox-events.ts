import { createHash } from 'node:crypto';
import { stripeLocale } from '../stripe/stripe-params';

/**
 * Stripe-shaped objects and events built by the sandbox provider. Pure: no Nest, no database, no
 * SDK. The shapes follow Stripe's published fixtures (stripe/openapi `fixtures3.json`) for the
 * fields Lianxin reads, and Stripe's documented behaviour where it matters:
 *  - a one-off checkout carries its `payment_intent`; a subscription checkout has none (the
 *    payment belongs to the subscription's first invoice) but carries `subscription` and `invoice`;
 *  - `charge.amount_refunded` is cumulative, and `refunded` is true once it reaches the amount;
 *  - an invoice is in the pinned API version's format (since `2025-03-31.basil`): it names its
 *    subscription under `parent.subscription_details` and its payment in
 *    `payments.data[].payment`, with no top-level `subscription`, `payment_intent` or `charge`
 *    (and a charge no longer names its invoice).
 * Amounts are integers in minor units; currencies lower-case, as Stripe writes them.
 */
export const SANDBOX_SESSION_STATUSES = ['OPEN', 'PAID', 'DECLINED'] as const;
export type SandboxSessionStatus = (typeof SANDBOX_SESSION_STATUSES)[number];

export interface SessionSnapshot {
  id: string;
  donationId: string;
  amountMinor: number;
  /** ISO 4217, any case. */
  currency: string;
  description: string;
  customerEmail: string;
  monthly: boolean;
  locale: 'zh-CN' | 'en';
  successUrl: string;
  cancelUrl: string;
  status: SandboxSessionStatus;
  customerId: string | null;
  subscriptionId: string | null;
  subscriptionStatus: 'active' | 'canceled' | null;
  createdAt: Date;
  completedAt: Date | null;
  /** The checkout's own payment (one-off) or its first invoice's (monthly), once paid. */
  firstPayment: PaymentSnapshot | null;
}

export interface PaymentSnapshot {
  id: string;
  chargeId: string;
  invoiceId: string | null;
  amountMinor: number;
  currency: string;
  feeMinor: number;
  refundedMinor: number;
  createdAt: Date;
}

export type StripeObject = Record<string, unknown>;

/** A type, not an interface, so that it is a JSON object (the `payload` column's map). */
export type StripeShapedEvent = {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: StripeObject };
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: string | null };
  type: string;
};

/** How long an unpaid checkout stays open, as on Stripe. */
export const SESSION_LIFETIME_SECONDS = 24 * 3600;

export const unixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/**
 * The processor fee the sandbox reports: 0.6% (a typical WeChat Pay / Alipay merchant rate),
 * rounded half up to the minor unit, in integers only.
 */
export function sandboxFee(amountMinor: number): number {
  return Math.floor((amountMinor * 6 + 500) / 1000);
}

export function stripeEvent(input: {
  id: string;
  type: string;
  created: Date;
  object: StripeObject;
  apiVersion: string;
  idempotencyKey?: string;
}): StripeShapedEvent {
  return {
    id: input.id,
    object: 'event',
    api_version: input.apiVersion,
    created: unixSeconds(input.created),
    data: { object: input.object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: input.idempotencyKey ?? null },
    type: input.type,
  };
}

function checkoutStatus(session: SessionSnapshot): {
  status: 'open' | 'complete' | 'expired';
  payment_status: 'paid' | 'unpaid';
} {
  switch (session.status) {
    case 'OPEN':
      return { status: 'open', payment_status: 'unpaid' };
    case 'PAID':
      return { status: 'complete', payment_status: 'paid' };
    case 'DECLINED':
      return { status: 'expired', payment_status: 'unpaid' };
  }
}

/** A `checkout.session` object as Stripe returns it from the API and in events. */
export function checkoutSessionObject(session: SessionSnapshot, url: string): StripeObject {
  const { status, payment_status } = checkoutStatus(session);
  const created = unixSeconds(session.createdAt);
  const paid = session.status === 'PAID';
  const payment = session.firstPayment;
  return {
    id: session.id,
    object: 'checkout.session',
    amount_subtotal: session.amountMinor,
    amount_total: session.amountMinor,
    cancel_url: session.cancelUrl,
    client_reference_id: session.donationId,
    created,
    currency: session.currency.toLowerCase(),
    customer: session.customerId,
    customer_details: paid
      ? { email: session.customerEmail, name: null, phone: null, tax_exempt: 'none' }
      : null,
    customer_email: session.customerEmail,
    expires_at: created + SESSION_LIFETIME_SECONDS,
    invoice: session.monthly ? (payment?.invoiceId ?? null) : null,
    livemode: false,
    locale: stripeLocale(session.locale),
    metadata: { donation_id: session.donationId },
    mode: session.monthly ? 'subscription' : 'payment',
    payment_intent: session.monthly ? null : (payment?.id ?? null),
    payment_method_types: ['card'],
    payment_status,
    status,
    submit_type: session.monthly ? null : 'donate',
    subscription: session.subscriptionId,
    success_url: session.successUrl,
    url: status === 'open' ? url : null,
  };
}

/**
 * The sandbox has no cards: each donor email pays with a test card of its own, named by a stable
 * fingerprint as Stripe names a card (the same card, the same fingerprint, on every payment).
 */
export function sandboxCardFingerprint(email: string): string {
  return createHash('sha256')
    .update(`sandbox-card:${email.trim().toLowerCase()}`)
    .digest('base64url')
    .slice(0, 16);
}

/**
 * The `charge` of a payment, as in `charge.succeeded` (with the card's fingerprint under
 * `payment_method_details`) and `charge.refunded` (cumulative `amount_refunded`).
 */
export function chargeObject(session: SessionSnapshot, payment: PaymentSnapshot): StripeObject {
  return {
    id: payment.chargeId,
    object: 'charge',
    amount: payment.amountMinor,
    amount_captured: payment.amountMinor,
    amount_refunded: payment.refundedMinor,
    balance_transaction: `txn_${payment.chargeId.slice('ch_'.length)}`,
    captured: true,
    created: unixSeconds(payment.createdAt),
    currency: payment.currency.toLowerCase(),
    customer: session.customerId,
    description: session.description,
    disputed: false,
    livemode: false,
    metadata: { donation_id: session.donationId },
    paid: true,
    payment_intent: payment.id,
    payment_method_details: {
      type: 'card',
      card: {
        brand: 'visa',
        country: 'CN',
        exp_month: 12,
        exp_year: 2030,
        fingerprint: sandboxCardFingerprint(session.customerEmail),
        funding: 'credit',
        last4: '4242',
        network: 'visa',
      },
    },
    receipt_email: session.customerEmail,
    refunded: payment.refundedMinor >= payment.amountMinor,
    status: 'succeeded',
  };
}

/**
 * The PaymentIntent of a declined attempt, as in `payment_intent.payment_failed`: nothing
 * received, `requires_payment_method` (the donor may try another card), the decline under
 * `last_payment_error`, and the gift named in `metadata` (as `payment_intent_data.metadata` puts
 * it on a one-off checkout's PaymentIntent).
 */
export function declinedPaymentIntentObject(
  session: SessionSnapshot,
  input: { id: string; created: Date },
): StripeObject {
  return {
    id: input.id,
    object: 'payment_intent',
    amount: session.amountMinor,
    amount_capturable: 0,
    amount_received: 0,
    capture_method: 'automatic',
    created: unixSeconds(input.created),
    currency: session.currency.toLowerCase(),
    customer: session.customerId,
    description: session.description,
    last_payment_error: {
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
      message: 'Your card was declined.',
    },
    latest_charge: null,
    livemode: false,
    metadata: { donation_id: session.donationId },
    payment_method: null,
    payment_method_types: ['card'],
    receipt_email: session.customerEmail,
    status: 'requires_payment_method',
  };
}

/** A `refund` object. */
export function refundObject(input: {
  id: string;
  payment: PaymentSnapshot;
  amountMinor: number;
  created: Date;
  donationId: string;
}): StripeObject {
  return {
    id: input.id,
    object: 'refund',
    amount: input.amountMinor,
    charge: input.payment.chargeId,
    created: unixSeconds(input.created),
    currency: input.payment.currency.toLowerCase(),
    metadata: { donation_id: input.donationId },
    payment_intent: input.payment.id,
    reason: 'requested_by_customer',
    status: 'succeeded',
  };
}

const MONTH_SECONDS = 30 * 24 * 3600;

/**
 * A subscription's invoice: paid (`invoice.paid`) with its payment, or failed
 * (`invoice.payment_failed`) with nothing paid. `billingReason` is `subscription_create` for the
 * checkout's own first invoice and `subscription_cycle` for a renewal.
 */
export function invoiceObject(input: {
  id: string;
  session: SessionSnapshot;
  billingReason: 'subscription_create' | 'subscription_cycle';
  created: Date;
  payment: PaymentSnapshot | null;
}): StripeObject {
  const { session, payment } = input;
  const created = unixSeconds(input.created);
  const currency = session.currency.toLowerCase();
  const paid = payment !== null;
  const metadata = { donation_id: session.donationId };
  return {
    id: input.id,
    object: 'invoice',
    amount_due: session.amountMinor,
    amount_paid: paid ? session.amountMinor : 0,
    amount_remaining: paid ? 0 : session.amountMinor,
    attempt_count: 1,
    attempted: true,
    billing_reason: input.billingReason,
    collection_method: 'charge_automatically',
    created,
    currency,
    customer: session.customerId,
    customer_email: session.customerEmail,
    description: null,
    lines: {
      object: 'list',
      data: [
        {
          id: `il_${input.id.slice('in_'.length)}`,
          object: 'line_item',
          amount: session.amountMinor,
          currency,
          description: `1 × ${session.description} (per month)`,
          period: { start: created, end: created + MONTH_SECONDS },
          quantity: 1,
        },
      ],
      has_more: false,
    },
    livemode: false,
    metadata: {},
    next_payment_attempt: paid ? null : created + 3 * 24 * 3600,
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: { metadata, subscription: session.subscriptionId },
    },
    payments: {
      object: 'list',
      data: payment
        ? [
            {
              id: `inpay_${input.id.slice('in_'.length)}`,
              object: 'invoice_payment',
              amount_paid: payment.amountMinor,
              amount_requested: payment.amountMinor,
              currency,
              invoice: input.id,
              is_default: true,
              payment: { type: 'payment_intent', payment_intent: payment.id },
              status: 'paid',
            },
          ]
        : [],
      has_more: false,
    },
    period_end: created,
    period_start: created,
    status: paid ? 'paid' : 'open',
    status_transitions: { finalized_at: created, paid_at: paid ? created : null },
  };
}

/** A monthly gift's subscription, as in `customer.subscription.deleted`. */
export function subscriptionObject(
  session: SessionSnapshot,
  canceledAt: Date | null,
): StripeObject {
  const currency = session.currency.toLowerCase();
  const ended = canceledAt ? unixSeconds(canceledAt) : null;
  return {
    id: session.subscriptionId,
    object: 'subscription',
    cancel_at_period_end: false,
    canceled_at: ended,
    cancellation_details: {
      comment: null,
      feedback: null,
      reason: ended ? 'cancellation_requested' : null,
    },
    created: unixSeconds(session.completedAt ?? session.createdAt),
    currency,
    customer: session.customerId,
    ended_at: ended,
    items: {
      object: 'list',
      data: [
        {
          object: 'subscription_item',
          price: {
            object: 'price',
            currency,
            recurring: { interval: 'month', interval_count: 1 },
            type: 'recurring',
            unit_amount: session.amountMinor,
          },
          quantity: 1,
          subscription: session.subscriptionId,
        },
      ],
      has_more: false,
    },
    livemode: false,
    metadata: { donation_id: session.donationId },
    status: ended ? 'canceled' : 'active',
  };
}
