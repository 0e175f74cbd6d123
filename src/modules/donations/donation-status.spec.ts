import {
  nextDonationStatus,
  statusAfterDispute,
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
});
