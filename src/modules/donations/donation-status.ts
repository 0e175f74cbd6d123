/**
 * Donation lifecycle as a transition table. Pure. A paid session can arrive after the session
 * expired (the provider captured anyway), so EXPIRED and FAILED may still become SUCCEEDED.
 */
export const DONATION_STATUSES = [
  'PENDING',
  'SUCCEEDED',
  'FAILED',
  'EXPIRED',
  'REFUNDED',
  'PARTIALLY_REFUNDED',
  'DISPUTED',
] as const;
export type DonationStatus = (typeof DONATION_STATUSES)[number];

export type DonationEventKind =
  | 'paid'
  | 'failed'
  | 'expired'
  | 'refunded_part'
  | 'refunded_all'
  | 'disputed'
  | 'dispute_won'
  | 'dispute_lost';

const TABLE: Record<DonationStatus, Partial<Record<DonationEventKind, DonationStatus>>> = {
  PENDING: { paid: 'SUCCEEDED', failed: 'FAILED', expired: 'EXPIRED' },
  FAILED: { paid: 'SUCCEEDED' },
  EXPIRED: { paid: 'SUCCEEDED' },
  SUCCEEDED: {
    refunded_part: 'PARTIALLY_REFUNDED',
    refunded_all: 'REFUNDED',
    disputed: 'DISPUTED',
  },
  PARTIALLY_REFUNDED: {
    refunded_part: 'PARTIALLY_REFUNDED',
    refunded_all: 'REFUNDED',
    disputed: 'DISPUTED',
  },
  // A refund during an inquiry (Stripe allows it then) keeps the dispute open until it closes.
  DISPUTED: {
    dispute_won: 'SUCCEEDED',
    dispute_lost: 'REFUNDED',
    refunded_part: 'DISPUTED',
    refunded_all: 'REFUNDED',
  },
  REFUNDED: {},
};

/** The next status, or null when the event does not apply in this status (a late or repeated event). */
export function nextDonationStatus(
  current: DonationStatus,
  event: DonationEventKind,
): DonationStatus | null {
  return TABLE[current][event] ?? null;
}

/** The status after an event: the table's answer, or unchanged when the event does not apply. */
function after(current: DonationStatus, event: DonationEventKind): DonationStatus {
  return nextDonationStatus(current, event) ?? current;
}

/**
 * What a disputed gift is once its dispute closes, before any loss is booked (a lost dispute is
 * then booked as a refund, statusAfterRefund): the table's `dispute_won`, then `refunded_part`
 * when refunds were booked before or during the dispute.
 */
export function statusAfterDispute(refundedMinor: number): DonationStatus {
  const won = after('DISPUTED', 'dispute_won');
  return refundedMinor > 0 ? after(won, 'refunded_part') : won;
}

/**
 * The status once refunds (or a lost dispute booked as one) reach `refundedTotalMinor` of a gift
 * of `amountMinor`: the table's `refunded_all` or `refunded_part`, and nothing else decides. A
 * partial refund during an open dispute keeps it DISPUTED; a late refund event on a REFUNDED
 * gift leaves it REFUNDED.
 */
export function statusAfterRefund(
  current: DonationStatus,
  refundedTotalMinor: number,
  amountMinor: number,
): DonationStatus {
  return after(current, refundedTotalMinor >= amountMinor ? 'refunded_all' : 'refunded_part');
}

/** Money has been received for the gift (it counts in the ledger and the totals). */
export function isSettled(status: DonationStatus): boolean {
  return (
    status === 'SUCCEEDED' ||
    status === 'PARTIALLY_REFUNDED' ||
    status === 'DISPUTED' ||
    status === 'REFUNDED'
  );
}
