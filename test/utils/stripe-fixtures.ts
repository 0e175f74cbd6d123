import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Stripe from 'stripe';

/**
 * Stripe-shaped objects and events for tests, built from Stripe's published fixtures
 * (`../shared/stripe/fixtures3.json`, stripe/openapi, MIT), read at test time and never copied
 * into the repository. Signing uses the real `stripe` package, independently of the app's own
 * wrapper, so a test proves the app accepts what Stripe itself would send.
 */
export const STRIPE_FIXTURES_FILE = findFixtures();

/**
 * STRIPE_FIXTURES, or `shared/stripe/fixtures3.json` beside the checkout or any folder above it,
 * or the workplace's `/work/shared`.
 */
function findFixtures(): string {
  if (process.env.STRIPE_FIXTURES) return process.env.STRIPE_FIXTURES;
  for (let dir = path.resolve(__dirname, '../..'); ; dir = path.dirname(dir)) {
    const candidate = path.join(path.dirname(dir), 'shared', 'stripe', 'fixtures3.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  // A clone made elsewhere (a temp folder) on a developer machine: the workplace's shared folder.
  return '/work/shared/stripe/fixtures3.json';
}

type StripeObject = Record<string, unknown>;

let resources: Record<string, StripeObject> | undefined;

/** A fresh copy of Stripe's example object for `resource` (`checkout.session`, `charge`, …). */
export function stripeFixture(resource: string): StripeObject {
  resources ??= (
    JSON.parse(readFileSync(STRIPE_FIXTURES_FILE, 'utf8')) as {
      resources: Record<string, StripeObject>;
    }
  ).resources;
  const found = resources[resource];
  if (!found) throw new Error(`${STRIPE_FIXTURES_FILE} has no "${resource}" resource`);
  return structuredClone(found);
}

export const testId = (prefix: string): string =>
  `${prefix}_test_${randomBytes(12).toString('hex')}`;

/** An event envelope (the fixture's `event`) around `object`. */
export function fixtureEvent(
  type: string,
  object: StripeObject,
  overrides: Partial<StripeObject> = {},
): StripeObject {
  return {
    ...stripeFixture('event'),
    id: testId('evt'),
    type,
    created: Math.floor(Date.now() / 1000),
    api_version: Stripe.API_VERSION,
    livemode: false,
    data: { object },
    ...overrides,
  };
}

export interface SessionFixtureInput {
  donationId: string;
  amountMinor: number;
  currency?: string;
  monthly?: boolean;
  email?: string;
}

/** A completed, paid Checkout Session for a donation, as in `checkout.session.completed`. */
export function completedSessionFixture(input: SessionFixtureInput): StripeObject {
  const monthly = input.monthly ?? false;
  return {
    ...stripeFixture('checkout.session'),
    id: testId('cs'),
    amount_subtotal: input.amountMinor,
    amount_total: input.amountMinor,
    client_reference_id: input.donationId,
    currency: (input.currency ?? 'cny').toLowerCase(),
    customer_email: input.email ?? 'donor@example.org',
    metadata: { donation_id: input.donationId },
    mode: monthly ? 'subscription' : 'payment',
    payment_intent: monthly ? null : testId('pi'),
    payment_status: 'paid',
    status: 'complete',
    subscription: monthly ? testId('sub') : null,
    url: null,
  };
}

/** A Checkout Session object as `checkout.sessions.create`/`list` return it (open, with a URL). */
export function openSessionFixture(input: SessionFixtureInput & { id?: string }): StripeObject {
  const id = input.id ?? testId('cs');
  return {
    ...completedSessionFixture(input),
    id,
    payment_intent: null,
    payment_status: 'unpaid',
    status: 'open',
    subscription: null,
    url: `https://checkout.stripe.com/c/pay/${id}`,
  };
}

/** The `Stripe-Signature` header Stripe would send for `payload`. */
export function stripeSignature(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

/** Verifies a delivery as Stripe's own SDK would (default 5-minute tolerance); throws if bad. */
export function verifyStripeDelivery(
  payload: string,
  header: string,
  secret: string,
): StripeObject {
  return Stripe.webhooks.constructEvent(payload, header, secret) as unknown as StripeObject;
}

/** Top-level invoice fields that API version `2025-03-31.basil` removed (the fixtures keep them). */
export const LEGACY_INVOICE_FIELDS = ['subscription', 'payment_intent', 'charge'] as const;

export interface InvoiceFixtureInput {
  subscriptionId: string;
  donationId: string;
  amountMinor: number;
  billingReason: 'subscription_create' | 'subscription_cycle';
  /** The paying PaymentIntent; null for a failed invoice. */
  paymentId: string | null;
  chargeId?: string;
  /** Leave `payments` out, as an event does when Stripe does not include it. */
  withoutPayments?: boolean;
  id?: string;
}

/**
 * A subscription invoice in the pinned API version's format (`invoice.paid`,
 * `invoice.payment_failed`): the subscription under `parent.subscription_details`, the payment in
 * `payments.data[].payment`, and none of the legacy top-level fields the fixture still carries.
 */
export function invoiceFixture(input: InvoiceFixtureInput): StripeObject {
  const id = input.id ?? testId('in');
  const paid = input.paymentId !== null;
  const invoice: StripeObject = {
    ...stripeFixture('invoice'),
    id,
    currency: 'cny',
    amount_due: input.amountMinor,
    amount_paid: paid ? input.amountMinor : 0,
    amount_remaining: paid ? 0 : input.amountMinor,
    billing_reason: input.billingReason,
    status: paid ? 'paid' : 'open',
    parent: {
      type: 'subscription_details',
      quote_details: null,
      subscription_details: {
        metadata: { donation_id: input.donationId },
        subscription: input.subscriptionId,
      },
    },
    payments: {
      object: 'list',
      data: paid
        ? [
            {
              id: testId('inpay'),
              object: 'invoice_payment',
              amount_paid: input.amountMinor,
              currency: 'cny',
              invoice: id,
              is_default: true,
              status: 'paid',
              payment: {
                type: 'payment_intent',
                payment_intent: input.paymentId,
                ...(input.chargeId ? { charge: input.chargeId } : {}),
              },
            },
          ]
        : [],
      has_more: false,
      url: `/v1/invoice_payments?invoice=${id}`,
    },
  };
  if (input.withoutPayments) delete invoice.payments;
  for (const legacy of LEGACY_INVOICE_FIELDS) delete invoice[legacy];
  return invoice;
}

/** A charge as in `charge.refunded` (cumulative `amount_refunded`). */
export function refundedChargeFixture(input: {
  paymentId: string;
  chargeId?: string;
  amountMinor: number;
  refundedMinor: number;
}): StripeObject {
  return {
    ...stripeFixture('charge'),
    id: input.chargeId ?? testId('ch'),
    amount: input.amountMinor,
    amount_captured: input.amountMinor,
    amount_refunded: input.refundedMinor,
    currency: 'cny',
    payment_intent: input.paymentId,
    refunded: input.refundedMinor >= input.amountMinor,
  };
}

/**
 * A dispute on a charge, as in `charge.dispute.*`, with its balance transactions in the pinned
 * API version's shape (`fee` is the dispute fee on the withdrawal; a reinstatement carries its own).
 */
export function disputeFixture(input: {
  chargeId: string;
  paymentId: string | null;
  amountMinor: number;
  status: string;
  id?: string;
  /** Per balance transaction: its amount and fee (e.g. [-10000, 1500] for the withdrawal). */
  transactions?: [amountMinor: number, feeMinor: number][];
}): StripeObject {
  const id = input.id ?? testId('dp');
  const balanceTransactions = (input.transactions ?? []).map(([amount, fee]) => ({
    ...stripeFixture('balance_transaction'),
    id: testId('txn'),
    amount,
    fee,
    net: amount - fee,
    currency: 'cny',
    fee_details: fee
      ? [{ amount: fee, currency: 'cny', description: 'Dispute fee', type: 'stripe_fee' }]
      : [],
    reporting_category: amount < 0 ? 'dispute' : 'dispute_reversal',
    type: 'adjustment',
    source: id,
  }));
  return {
    ...stripeFixture('dispute'),
    id,
    amount: input.amountMinor,
    currency: 'cny',
    charge: input.chargeId,
    payment_intent: input.paymentId,
    status: input.status,
    balance_transactions: balanceTransactions,
  };
}
