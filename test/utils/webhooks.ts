import Stripe from 'stripe';
import request from 'supertest';
import type { Server } from 'node:http';
import { stripeFixture } from './stripe-fixtures';

/** Stripe's own published example object for a resource (checkout.session, charge, event…). */
export const fixture = stripeFixture;

/** An event in Stripe's envelope, built from the fixtures, carrying `object`. */
export function stripeEvent(
  id: string,
  type: string,
  object: Record<string, unknown>,
): Record<string, unknown> {
  return {
    ...fixture('event'),
    id,
    type,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: { object },
  };
}

/** A paid Checkout Session for a donation, as Stripe sends it in checkout.session.completed. */
export function paidSession(
  donationId: string,
  amountMinor: number,
  overrides: Record<string, unknown> = {},
) {
  return {
    ...fixture('checkout.session'),
    id: `cs_test_${donationId.replace(/-/g, '')}`,
    amount_total: amountMinor,
    amount_subtotal: amountMinor,
    currency: 'cny',
    payment_status: 'paid',
    status: 'complete',
    mode: 'payment',
    client_reference_id: donationId,
    metadata: { donation_id: donationId },
    payment_intent: `pi_test_${donationId.replace(/-/g, '')}`,
    ...overrides,
  };
}

export function refundedCharge(donationId: string, amountRefunded: number) {
  return {
    ...fixture('charge'),
    id: `ch_test_${donationId.replace(/-/g, '')}`,
    payment_intent: `pi_test_${donationId.replace(/-/g, '')}`,
    amount_refunded: amountRefunded,
    refunded: true,
    currency: 'cny',
  };
}

const stripe = new Stripe('sk_test_unused');

/**
 * POSTs an event to the app's webhook, signed with the given secret as Stripe signs it; `server`
 * is an app in this process or the base URL of one spawned.
 */
export function deliver(
  server: Server | string,
  event: Record<string, unknown>,
  secret = process.env.STRIPE_WEBHOOK_SECRET!,
  timestamp?: number,
) {
  const payload = JSON.stringify(event);
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  return request(server)
    .post('/webhooks/stripe')
    .set('content-type', 'application/json')
    .set('stripe-signature', header)
    .send(payload);
}
