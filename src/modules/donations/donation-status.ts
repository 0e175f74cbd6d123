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
  DISPUTED: { dispute_won: 'SUCCEEDED', dispute_lost: 'REFUNDED' },
  REFUNDED: {},
};

/** The next status, or null when the event does not apply in this status (a late or repeated event). */
export function nextDonationStatus(
  current: DonationStatus,
  event: DonationEventKind,
): DonationStatus | null {
  return TABLE[current][event] ?? null;
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
