/**
 * Stripe's webhook events (and the sandbox's, which are Stripe-shaped) translated into the one
 * `PaymentEvent` union settlement reads. Pure. The objects are read with `stripe-objects.ts`
 * (current API format first, legacy fields accepted); nothing outside `payments/stripe/` reads
 * Stripe's JSON.
 */
import type { GiftRef, PaymentEvent } from '../payment-events';
import { paymentFingerprint } from './payment-fingerprint';
import { disputeFeeMinor, idOf, invoicePayment, invoiceSubscriptionId } from './stripe-objects';

/** A webhook event in Stripe's shape: `{ id, type, created, data: { object } }`. */
export interface StripeEvent {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
}

type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : undefined;
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
const obj = (v: unknown): Obj | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;

/** Whether a value has the shape of a Stripe event (what the signature check returns). */
export function isStripeEvent(value: unknown): value is StripeEvent {
  const event = value as Partial<StripeEvent> | null;
  return (
    typeof event?.id === 'string' &&
    typeof event.type === 'string' &&
    typeof event.data?.object === 'object' &&
    event.data.object !== null
  );
}

/** Drops the keys whose value is undefined, so events compare and store cleanly. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A checkout session names its gift by our donation id (metadata, else client reference). */
function sessionGift(session: Obj): GiftRef {
  return compact({
    donationId: str(obj(session.metadata)?.donation_id) ?? str(session.client_reference_id),
    sessionId: str(session.id),
  });
}

function sessionPaid(session: Obj): PaymentEvent {
  const amountMinor = num(session.amount_total);
  const currency = str(session.currency)?.toUpperCase();
  return compact({
    kind: 'paid' as const,
    gift: sessionGift(session),
    paid: amountMinor === undefined ? undefined : compact({ amountMinor, currency }),
    paymentId: idOf(session.payment_intent),
    subscriptionId: idOf(session.subscription),
    // A monthly gift's first invoice: its PaymentIntent can be looked up from it.
    invoiceId: idOf(session.invoice),
    fingerprint: paymentFingerprint(session) ?? undefined,
  });
}

/** Disputes name the payment (and charge) they contest. */
function disputeGift(dispute: Obj): GiftRef {
  return compact({ paymentId: idOf(dispute.payment_intent), chargeId: idOf(dispute.charge) });
}

/** Translates one Stripe-shaped event. Never throws for an event the signature check accepted. */
export function stripeEventToPaymentEvent(event: StripeEvent): PaymentEvent {
  const o = obj(event.data.object) ?? {};
  switch (event.type) {
    case 'checkout.session.completed':
      // Delayed payment methods complete the session unpaid; async_payment_succeeded follows.
      if (o.payment_status !== 'paid' && o.payment_status !== 'no_payment_required')
        return { kind: 'awaiting_payment', gift: sessionGift(o) };
      return sessionPaid(o);
    case 'checkout.session.async_payment_succeeded':
      return sessionPaid(o);
    case 'checkout.session.async_payment_failed':
      return { kind: 'failed', gift: sessionGift(o) };
    case 'checkout.session.expired':
      return { kind: 'expired', gift: sessionGift(o) };
    case 'payment_intent.payment_failed':
      // One-off checkouts name the gift on the PaymentIntent; a renewal's names none (its
      // failure arrives as invoice.payment_failed).
      return {
        kind: 'failed',
        gift: compact({ donationId: str(obj(o.metadata)?.donation_id), paymentId: str(o.id) }),
      };
    case 'charge.succeeded': {
      const fingerprint = paymentFingerprint(o);
      if (!fingerprint) return { kind: 'ignored', why: 'no payment fingerprint' };
      return compact({
        kind: 'payment_method' as const,
        gift: compact({
          donationId: str(obj(o.metadata)?.donation_id),
          paymentId: idOf(o.payment_intent),
        }),
        fingerprint,
        chargeId: idOf(o.id),
      });
    }
    case 'charge.refunded':
      return compact({
        kind: 'refunded' as const,
        gift: compact({ paymentId: idOf(o.payment_intent), chargeId: str(o.id) }),
        refundedTotalMinor: num(o.amount_refunded) ?? 0,
        chargeId: str(o.id),
      });
    case 'charge.dispute.created': {
      const disputeId = str(o.id);
      if (!disputeId) return { kind: 'ignored', why: 'a dispute without an id' };
      return compact({
        kind: 'dispute_opened' as const,
        gift: disputeGift(o),
        disputeId,
        amountMinor: num(o.amount),
        feeTotalMinor: disputeFeeMinor(o),
      });
    }
    case 'charge.dispute.closed': {
      const disputeId = str(o.id);
      if (!disputeId) return { kind: 'ignored', why: 'a dispute without an id' };
      return compact({
        kind: 'dispute_closed' as const,
        gift: disputeGift(o),
        disputeId,
        outcome: o.status === 'lost' ? 'lost' : o.status === 'won' ? 'won' : 'closed',
        amountMinor: num(o.amount),
        feeTotalMinor: disputeFeeMinor(o),
      });
    }
    case 'charge.dispute.funds_withdrawn':
    case 'charge.dispute.funds_reinstated': {
      const disputeId = str(o.id);
      if (!disputeId) return { kind: 'ignored', why: 'a dispute without an id' };
      return compact({
        kind: 'dispute_funds' as const,
        gift: disputeGift(o),
        disputeId,
        feeTotalMinor: disputeFeeMinor(o),
      });
    }
    case 'invoice.paid': {
      const subscriptionId = invoiceSubscriptionId(o);
      const invoiceId = str(o.id);
      if (!subscriptionId || !invoiceId)
        return { kind: 'ignored', why: 'not a subscription invoice' };
      const payment = invoicePayment(o);
      return compact({
        kind: 'renewal_paid' as const,
        subscriptionId,
        invoiceId,
        first: o.billing_reason === 'subscription_create',
        amountMinor: num(o.amount_paid),
        paymentId: payment.paymentId,
        chargeId: payment.chargeId,
      });
    }
    case 'invoice.payment_failed': {
      const subscriptionId = invoiceSubscriptionId(o);
      if (!subscriptionId) return { kind: 'ignored', why: 'not a subscription invoice' };
      return compact({
        kind: 'renewal_failed' as const,
        subscriptionId,
        invoiceId: str(o.id),
        amountDueMinor: num(o.amount_due),
      });
    }
    case 'customer.subscription.deleted': {
      const subscriptionId = str(o.id);
      if (!subscriptionId) return { kind: 'ignored', why: 'a subscription without an id' };
      return { kind: 'subscription_ended', subscriptionId };
    }
    default:
      return { kind: 'ignored', why: `ignored ${event.type}` };
  }
}
