import type { PaymentEvent } from '../payment-events';
import type { VerifiedNotification } from '../payment-provider';
import { isStripeEvent, type StripeEvent, stripeEventToPaymentEvent } from './stripe-events';

/**
 * Stripe's (and the sandbox's) notifications as the inbox keeps them: the whole event as its
 * payload, its id as the inbox key. Pure; shared by both Stripe-shaped adapters.
 */
export function stripeNotification(event: StripeEvent): VerifiedNotification {
  return {
    eventId: event.id,
    type: event.type,
    payload: event as unknown as Record<string, unknown>,
  };
}

export function stripeNotificationEvent(notification: VerifiedNotification): PaymentEvent {
  const payload: unknown = notification.payload;
  if (!isStripeEvent(payload)) return { kind: 'ignored', why: 'not a Stripe event' };
  return stripeEventToPaymentEvent(payload);
}

/** A Stripe event's `created` (seconds since the epoch); null when absent. */
export function stripeEventTime(notification: VerifiedNotification): Date | null {
  const created = notification.payload.created;
  return typeof created === 'number' && created > 0 ? new Date(created * 1000) : null;
}

/**
 * A paid checkout session found by reconciliation, as the completion event it would have sent:
 * keyed `reconcile_<session>`, so a repeat repair is a duplicate, and a late real event still books
 * once (settlement is idempotent per gift).
 */
export function notificationOfSession(session: Record<string, unknown>): VerifiedNotification {
  return stripeNotification({
    id: `reconcile_${String(session.id)}`,
    type: 'checkout.session.completed',
    created: Math.floor(Date.now() / 1000),
    data: { object: session },
  });
}
