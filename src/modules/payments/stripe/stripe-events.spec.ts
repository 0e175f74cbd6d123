import type { PaymentEvent } from '../payment-events';
import { isStripeEvent, stripeEventToPaymentEvent } from './stripe-events';

const D = '5f0c7a52-8d7e-4b8e-9a51-3b2f1e0c9d11';

function translate(type: string, object: Record<string, unknown>): PaymentEvent {
  return stripeEventToPaymentEvent({ id: 'evt_1', type, created: 0, data: { object } });
}

const session = (overrides: Record<string, unknown> = {}) => ({
  id: 'cs_1',
  object: 'checkout.session',
  client_reference_id: D,
  metadata: { donation_id: D },
  amount_total: 5_000,
  currency: 'cny',
  payment_status: 'paid',
  payment_intent: 'pi_1',
  subscription: null,
  invoice: null,
  ...overrides,
});

describe('stripeEventToPaymentEvent', () => {
  it.each<[string, string, Record<string, unknown>, PaymentEvent]>([
    [
      'a paid checkout: the gift, the amount and currency to check, the payment',
      'checkout.session.completed',
      session(),
      {
        kind: 'paid',
        gift: { donationId: D, sessionId: 'cs_1' },
        paid: { amountMinor: 5_000, currency: 'CNY' },
        paymentId: 'pi_1',
      },
    ],
    [
      'a monthly checkout: subscription and first invoice, no PaymentIntent',
      'checkout.session.completed',
      session({ payment_intent: null, subscription: 'sub_1', invoice: { id: 'in_1' } }),
      {
        kind: 'paid',
        gift: { donationId: D, sessionId: 'cs_1' },
        paid: { amountMinor: 5_000, currency: 'CNY' },
        subscriptionId: 'sub_1',
        invoiceId: 'in_1',
      },
    ],
    [
      'a session naming the gift only by client reference',
      'checkout.session.completed',
      session({ metadata: {}, client_reference_id: 'd-2', amount_total: undefined }),
      { kind: 'paid', gift: { donationId: 'd-2', sessionId: 'cs_1' }, paymentId: 'pi_1' },
    ],
    [
      'a delayed method completing unpaid',
      'checkout.session.completed',
      session({ payment_status: 'unpaid' }),
      { kind: 'awaiting_payment', gift: { donationId: D, sessionId: 'cs_1' } },
    ],
    [
      'a delayed payment that succeeded',
      'checkout.session.async_payment_succeeded',
      session({ payment_status: 'unpaid' }),
      {
        kind: 'paid',
        gift: { donationId: D, sessionId: 'cs_1' },
        paid: { amountMinor: 5_000, currency: 'CNY' },
        paymentId: 'pi_1',
      },
    ],
    [
      'a delayed payment that failed',
      'checkout.session.async_payment_failed',
      session(),
      { kind: 'failed', gift: { donationId: D, sessionId: 'cs_1' } },
    ],
    [
      'an expired checkout',
      'checkout.session.expired',
      session({ payment_status: 'unpaid' }),
      { kind: 'expired', gift: { donationId: D, sessionId: 'cs_1' } },
    ],
    [
      'a declined card',
      'payment_intent.payment_failed',
      { id: 'pi_2', object: 'payment_intent', metadata: { donation_id: D } },
      { kind: 'failed', gift: { donationId: D, paymentId: 'pi_2' } },
    ],
    [
      'a charge with its card fingerprint',
      'charge.succeeded',
      {
        id: 'ch_1',
        payment_intent: 'pi_1',
        metadata: { donation_id: D },
        payment_method_details: { type: 'card', card: { fingerprint: 'fp_1' } },
      },
      {
        kind: 'payment_method',
        gift: { donationId: D, paymentId: 'pi_1' },
        fingerprint: 'card:fp_1',
        chargeId: 'ch_1',
      },
    ],
    [
      'a charge without a fingerprint',
      'charge.succeeded',
      { id: 'ch_1', payment_intent: 'pi_1' },
      { kind: 'ignored', why: 'no payment fingerprint' },
    ],
    [
      'a refund: the cumulative amount refunded',
      'charge.refunded',
      { id: 'ch_1', payment_intent: { id: 'pi_1' }, amount_refunded: 1_200 },
      {
        kind: 'refunded',
        gift: { paymentId: 'pi_1', chargeId: 'ch_1' },
        refundedTotalMinor: 1_200,
        chargeId: 'ch_1',
      },
    ],
    [
      'a dispute opened, with its fees so far',
      'charge.dispute.created',
      {
        id: 'dp_1',
        charge: 'ch_1',
        payment_intent: 'pi_1',
        amount: 5_000,
        balance_transactions: [{ fee: 1_500 }],
      },
      {
        kind: 'dispute_opened',
        gift: { paymentId: 'pi_1', chargeId: 'ch_1' },
        disputeId: 'dp_1',
        amountMinor: 5_000,
        feeTotalMinor: 1_500,
      },
    ],
    [
      'a dispute lost',
      'charge.dispute.closed',
      { id: 'dp_1', charge: 'ch_1', status: 'lost', amount: 5_000 },
      {
        kind: 'dispute_closed',
        gift: { chargeId: 'ch_1' },
        disputeId: 'dp_1',
        outcome: 'lost',
        amountMinor: 5_000,
      },
    ],
    [
      'a dispute won',
      'charge.dispute.closed',
      { id: 'dp_1', payment_intent: 'pi_1', status: 'won' },
      { kind: 'dispute_closed', gift: { paymentId: 'pi_1' }, disputeId: 'dp_1', outcome: 'won' },
    ],
    [
      'an inquiry closed',
      'charge.dispute.closed',
      { id: 'dp_1', payment_intent: 'pi_1', status: 'warning_closed' },
      { kind: 'dispute_closed', gift: { paymentId: 'pi_1' }, disputeId: 'dp_1', outcome: 'closed' },
    ],
    [
      'dispute funds withdrawn',
      'charge.dispute.funds_withdrawn',
      { id: 'dp_1', charge: 'ch_1', balance_transactions: [{ fee: 1_500 }] },
      {
        kind: 'dispute_funds',
        gift: { chargeId: 'ch_1' },
        disputeId: 'dp_1',
        feeTotalMinor: 1_500,
      },
    ],
    [
      'dispute funds reinstated, the fee given back',
      'charge.dispute.funds_reinstated',
      { id: 'dp_1', charge: 'ch_1', balance_transactions: [{ fee: 1_500 }, { fee: -1_500 }] },
      { kind: 'dispute_funds', gift: { chargeId: 'ch_1' }, disputeId: 'dp_1', feeTotalMinor: 0 },
    ],
    [
      "a monthly gift's first invoice (the checkout's own payment)",
      'invoice.paid',
      {
        id: 'in_1',
        billing_reason: 'subscription_create',
        amount_paid: 5_000,
        parent: { subscription_details: { subscription: 'sub_1' } },
        payments: {
          data: [{ status: 'paid', payment: { payment_intent: 'pi_1', charge: 'ch_1' } }],
        },
      },
      {
        kind: 'renewal_paid',
        subscriptionId: 'sub_1',
        invoiceId: 'in_1',
        first: true,
        amountMinor: 5_000,
        paymentId: 'pi_1',
        chargeId: 'ch_1',
      },
    ],
    [
      'a renewal, in the legacy invoice format',
      'invoice.paid',
      {
        id: 'in_2',
        billing_reason: 'subscription_cycle',
        subscription: 'sub_1',
        payment_intent: 'pi_2',
      },
      {
        kind: 'renewal_paid',
        subscriptionId: 'sub_1',
        invoiceId: 'in_2',
        first: false,
        paymentId: 'pi_2',
      },
    ],
    [
      'an invoice outside any subscription',
      'invoice.paid',
      { id: 'in_3', amount_paid: 100 },
      { kind: 'ignored', why: 'not a subscription invoice' },
    ],
    [
      'a renewal that failed',
      'invoice.payment_failed',
      { id: 'in_4', subscription: 'sub_1', amount_due: 5_000 },
      { kind: 'renewal_failed', subscriptionId: 'sub_1', invoiceId: 'in_4', amountDueMinor: 5_000 },
    ],
    [
      'a subscription ended',
      'customer.subscription.deleted',
      { id: 'sub_1', object: 'subscription' },
      { kind: 'subscription_ended', subscriptionId: 'sub_1' },
    ],
    [
      'an event we do not subscribe to',
      'customer.created',
      { id: 'cus_1' },
      { kind: 'ignored', why: 'ignored customer.created' },
    ],
    [
      'a dispute without an id',
      'charge.dispute.created',
      { charge: 'ch_1' },
      { kind: 'ignored', why: 'a dispute without an id' },
    ],
  ])('%s', (_what, type, object, expected) => {
    expect(translate(type, object)).toEqual(expected);
  });

  it('never throws on wrong types, and reads nothing from them', () => {
    expect(
      translate('checkout.session.completed', {
        payment_status: 'paid',
        metadata: { donation_id: 7 },
        amount_total: 1.5,
        payment_intent: '',
      }),
    ).toEqual({ kind: 'paid', gift: {} });
    expect(translate('charge.refunded', { amount_refunded: 'all' })).toEqual({
      kind: 'refunded',
      gift: {},
      refundedTotalMinor: 0,
    });
  });

  it('recognises the event envelope the signature check accepts', () => {
    expect(isStripeEvent({ id: 'evt', type: 't', created: 0, data: { object: {} } })).toBe(true);
    expect(isStripeEvent({ id: 'evt', type: 't', data: { object: null } })).toBe(false);
    expect(isStripeEvent('evt')).toBe(false);
  });
});
