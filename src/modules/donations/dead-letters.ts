import type { PaymentEvent } from '../payments/payment-events';

/**
 * The webhook inbox's retry rules and dead letters. Pure: no Nest, no TypeORM.
 *
 * An event that fails is retried with exponential backoff (capped at an hour). After
 * `maxAttempts` failed attempts in all it becomes a dead letter: never retried by the loop, listed
 * for FINANCE with the reason in words, and put back in the queue only by a person.
 */

/** Why an event's last attempt failed (payment_events.failure_reason). */
export const FAILURE_REASONS = ['UNKNOWN_DONATION', 'AMOUNT_MISMATCH', 'WAITING', 'ERROR'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** A failure that names its reason; anything else thrown while processing is an ERROR. */
export class InboxFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
  }
}

/** A paid checkout names a donation this deployment does not have. */
export class UnknownDonationError extends InboxFailure {
  constructor(message: string) {
    super('UNKNOWN_DONATION', message);
  }
}

/** The provider took a different amount than the gift is for: never booked without a person. */
export class AmountMismatchError extends InboxFailure {
  constructor(message: string) {
    super('AMOUNT_MISMATCH', message);
  }
}

/** Prerequisites usually arrive within seconds; real failures back off from 5 s. Both cap at 1 h. */
const BASE_DELAY_MS: Record<FailureReason, number> = {
  WAITING: 1_000,
  UNKNOWN_DONATION: 5_000,
  AMOUNT_MISMATCH: 5_000,
  ERROR: 5_000,
};
export const MAX_RETRY_DELAY_MS = 3_600_000;

export type NextStep = { kind: 'retry'; delayMs: number } | { kind: 'dead' };

/**
 * What becomes of an event whose attempt number `attempt` (1 for the first) just failed: retried
 * after a delay that doubles with each attempt, or, once `maxAttempts` attempts have failed, a
 * dead letter.
 */
export function nextStep(attempt: number, reason: FailureReason, maxAttempts: number): NextStep {
  if (attempt >= maxAttempts) return { kind: 'dead' };
  const doublings = Math.min(Math.max(attempt - 1, 0), 12);
  return {
    kind: 'retry',
    delayMs: Math.min(MAX_RETRY_DELAY_MS, BASE_DELAY_MS[reason] * 2 ** doublings),
  };
}

/** What an event is about, as far as its payload says: shown beside a dead letter. */
export interface EventSubject {
  donationId: string | null;
  paymentId: string | null;
  subscriptionId: string | null;
  amountMinor: number | null;
}

/** Reads the donation, payment, subscription and amount an event names (null: not readable). */
export function eventSubject(event: PaymentEvent | null): EventSubject {
  const subject: EventSubject = {
    donationId: null,
    paymentId: null,
    subscriptionId: null,
    amountMinor: null,
  };
  if (!event) return subject;
  if ('gift' in event) {
    subject.donationId = event.gift.donationId ?? null;
    subject.paymentId = event.gift.paymentId ?? null;
  }
  switch (event.kind) {
    case 'paid':
      subject.paymentId = event.paymentId ?? subject.paymentId;
      subject.subscriptionId = event.subscriptionId ?? null;
      subject.amountMinor = event.paid?.amountMinor ?? null;
      break;
    case 'refunded':
      subject.amountMinor = event.refund?.amountMinor ?? event.refundedTotalMinor ?? null;
      break;
    case 'dispute_opened':
    case 'dispute_closed':
      subject.amountMinor = event.amountMinor ?? null;
      break;
    case 'renewal_paid':
      subject.subscriptionId = event.subscriptionId;
      subject.paymentId = event.paymentId ?? null;
      subject.amountMinor = event.amountMinor ?? null;
      break;
    case 'renewal_failed':
      subject.subscriptionId = event.subscriptionId;
      subject.amountMinor = event.amountDueMinor ?? null;
      break;
    case 'subscription_ended':
      subject.subscriptionId = event.subscriptionId;
      break;
    case 'awaiting_payment':
    case 'failed':
    case 'expired':
    case 'payment_method':
    case 'dispute_funds':
    case 'ignored':
      break;
  }
  return subject;
}
