import {
  nextDonationStatus,
  statusAfterDispute,
  statusAfterRefund,
  type DonationEventKind,
  type DonationStatus,
} from './donation-status';

describe('donation lifecycle', () => {
  const table: [DonationStatus, DonationEventKind, DonationStatus | null][] = [
    ['PENDING', 'paid', 'SUCCEEDED'],
    ['PENDING', 'failed', 'FAILED'],
    ['PENDING', 'expired', 'EXPIRED'],
    ['EXPIRED', 'paid', 'SUCCEEDED'],
    ['SUCCEEDED', 'paid', null],
    ['SUCCEEDED', 'expired', null],
    ['SUCCEEDED', 'refunded_part', 'PARTIALLY_REFUNDED'],
    ['PARTIALLY_REFUNDED', 'refunded_all', 'REFUNDED'],
    ['SUCCEEDED', 'disputed', 'DISPUTED'],
    ['DISPUTED', 'dispute_won', 'SUCCEEDED'],
    ['DISPUTED', 'dispute_lost', 'REFUNDED'],
    ['DISPUTED', 'refunded_part', 'DISPUTED'],
    ['DISPUTED', 'refunded_all', 'REFUNDED'],
    ['DISPUTED', 'disputed', null],
    ['REFUNDED', 'paid', null],
    ['PENDING', 'refunded_all', null],
  ];
  it.each(table)('%s --%s--> %s', (from, event, to) => {
    expect(nextDonationStatus(from, event)).toBe(to);
  });

  it.each([
    [0, 'SUCCEEDED'],
    [1, 'PARTIALLY_REFUNDED'],
  ] as const)('after a dispute with %d refunded: %s', (refunded, status) => {
    expect(statusAfterDispute(refunded)).toBe(status);
  });

  // Refunds and lost disputes (booked as refunds) go through the table and nothing else: a
  // partial refund of a disputed gift keeps it DISPUTED, never REFUNDED.
  it.each([
    ['SUCCEEDED', 300, 1000, 'PARTIALLY_REFUNDED'],
    ['SUCCEEDED', 1000, 1000, 'REFUNDED'],
    ['PARTIALLY_REFUNDED', 600, 1000, 'PARTIALLY_REFUNDED'],
    ['PARTIALLY_REFUNDED', 1000, 1000, 'REFUNDED'],
    ['DISPUTED', 300, 1000, 'DISPUTED'],
    ['DISPUTED', 999, 1000, 'DISPUTED'],
    ['DISPUTED', 1000, 1000, 'REFUNDED'],
    ['REFUNDED', 1000, 1000, 'REFUNDED'],
    ['REFUNDED', 500, 1000, 'REFUNDED'],
  ] as const)('%s refunded to %d of %d: %s', (from, refunded, amount, status) => {
    expect(statusAfterRefund(from, refunded, amount)).toBe(status);
  });

  // A dispute closed, then its loss booked as a refund of the disputed amount.
  it.each([
    ['won, nothing refunded', 0, null, 1000, 'SUCCEEDED'],
    ['won after a partial refund', 300, null, 1000, 'PARTIALLY_REFUNDED'],
    ['lost in full', 0, 1000, 1000, 'REFUNDED'],
    ['lost in part', 0, 400, 1000, 'PARTIALLY_REFUNDED'],
    ['lost, the rest of a partly refunded gift', 300, 700, 1000, 'REFUNDED'],
    ['lost in part after a partial refund', 300, 200, 1000, 'PARTIALLY_REFUNDED'],
  ] as const)('dispute %s: %s', (_name, refunded, lost, amount, status) => {
    const closed = statusAfterDispute(refunded);
    const final = lost === null ? closed : statusAfterRefund(closed, refunded + lost, amount);
    expect(final).toBe(status);
  });
});
