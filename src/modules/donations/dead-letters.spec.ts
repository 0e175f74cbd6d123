import type { PaymentEvent } from '../payments/payment-events';
import { stripeEventToPaymentEvent } from '../payments/stripe/stripe-events';
import {
  type EventSubject,
  eventSubject,
  MAX_RETRY_DELAY_MS,
  nextStep,
  type FailureReason,
} from './dead-letters';

describe('nextStep', () => {
  it.each<[number, FailureReason, number, ReturnType<typeof nextStep>]>([
    // attempt that failed, reason, max attempts, what follows
    [1, 'WAITING', 20, { kind: 'retry', delayMs: 1_000 }],
    [2, 'WAITING', 20, { kind: 'retry', delayMs: 2_000 }],
    [1, 'ERROR', 20, { kind: 'retry', delayMs: 5_000 }],
    [3, 'UNKNOWN_DONATION', 20, { kind: 'retry', delayMs: 20_000 }],
    [4, 'AMOUNT_MISMATCH', 20, { kind: 'retry', delayMs: 40_000 }],
    [12, 'WAITING', 20, { kind: 'retry', delayMs: 2_048_000 }],
    [13, 'WAITING', 20, { kind: 'retry', delayMs: MAX_RETRY_DELAY_MS }],
    [19, 'ERROR', 20, { kind: 'retry', delayMs: MAX_RETRY_DELAY_MS }],
    [20, 'ERROR', 20, { kind: 'dead' }],
    [20, 'WAITING', 20, { kind: 'dead' }],
    [25, 'ERROR', 20, { kind: 'dead' }],
    [1, 'UNKNOWN_DONATION', 1, { kind: 'dead' }],
    [2, 'UNKNOWN_DONATION', 3, { kind: 'retry', delayMs: 10_000 }],
    [3, 'UNKNOWN_DONATION', 3, { kind: 'dead' }],
  ])('attempt %i failing with %s (max %i): %j', (attempt, reason, max, expected) => {
    expect(nextStep(attempt, reason, max)).toEqual(expected);
  });
});

describe('eventSubject', () => {
  const none = { donationId: null, paymentId: null, subscriptionId: null, amountMinor: null };
  const stripe = (type: string, object: Record<string, unknown>) =>
    stripeEventToPaymentEvent({ id: 'evt_1', type, created: 0, data: { object } });

  it.each<[string, PaymentEvent | null, Partial<EventSubject>]>([
    [
      'a paid checkout session',
      stripe('checkout.session.completed', {
        metadata: { donation_id: 'd-1' },
        client_reference_id: 'd-2',
        payment_intent: 'pi_1',
        payment_status: 'paid',
        amount_total: 5_000,
      }),
      { donationId: 'd-1', paymentId: 'pi_1', amountMinor: 5_000 },
    ],
    [
      'a session with only a client reference',
      stripe('checkout.session.completed', { client_reference_id: 'd-2' }),
      { donationId: 'd-2' },
    ],
    [
      'a declined PaymentIntent',
      stripe('payment_intent.payment_failed', {
        object: 'payment_intent',
        id: 'pi_3',
        metadata: { donation_id: 'd-3' },
        amount: 5_000,
      }),
      { donationId: 'd-3', paymentId: 'pi_3' },
    ],
    [
      'a refunded charge',
      stripe('charge.refunded', { payment_intent: 'pi_2', amount_refunded: 800 }),
      { paymentId: 'pi_2', amountMinor: 800 },
    ],
    [
      'a single refund (WeChat Pay)',
      {
        kind: 'refunded',
        gift: { donationId: 'd-4', sessionId: 'o-4', paymentId: 'tx_4' },
        refund: { ref: 'r-1', amountMinor: 300 },
      },
      { donationId: 'd-4', paymentId: 'tx_4', amountMinor: 300 },
    ],
    [
      'a current-format invoice',
      stripe('invoice.paid', {
        id: 'in_1',
        parent: { subscription_details: { subscription: 'sub_1' } },
        payments: { data: [{ payment: { payment_intent: 'pi_3' } }] },
        amount_paid: 1_000,
      }),
      { subscriptionId: 'sub_1', paymentId: 'pi_3', amountMinor: 1_000 },
    ],
    [
      'a legacy invoice',
      stripe('invoice.paid', { id: 'in_2', subscription: 'sub_2', payment_intent: 'pi_4' }),
      { subscriptionId: 'sub_2', paymentId: 'pi_4' },
    ],
    ['an unreadable notification', null, {}],
    [
      'wrong types',
      stripe('checkout.session.completed', {
        metadata: { donation_id: 7 },
        payment_intent: '',
        payment_status: 'paid',
        amount_total: 1.5,
      }),
      {},
    ],
  ])('%s', (_what, event, expected) => {
    expect(eventSubject(event)).toEqual({ ...none, ...expected });
  });
});
