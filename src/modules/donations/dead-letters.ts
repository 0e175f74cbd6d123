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

type Obj = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const obj = (v: unknown): Obj | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
const int = (v: unknown): number | null =>
  typeof v === 'number' && Number.isSafeInteger(v) ? v : null;

/** Reads the donation, payment and subscription an event names, in Stripe's formats old and new. */
export function eventSubject(payload: unknown): EventSubject {
  const o = obj(obj(obj(payload)?.data)?.object) ?? {};
  const metadata = obj(o.metadata);
  const firstPayment = (() => {
    const list = obj(o.payments)?.data;
    return Array.isArray(list) ? obj(obj(list[0])?.payment) : undefined;
  })();
  const subscription =
    str(o.subscription) ?? str(obj(obj(o.parent)?.subscription_details)?.subscription);
  return {
    donationId: str(metadata?.donation_id) ?? str(o.client_reference_id),
    paymentId:
      str(o.payment_intent) ??
      str(firstPayment?.payment_intent) ??
      (o.object === 'payment_intent' ? str(o.id) : null),
    subscriptionId: subscription,
    amountMinor:
      int(o.amount_total) ?? int(o.amount_refunded) ?? int(o.amount_paid) ?? int(o.amount),
  };
}
