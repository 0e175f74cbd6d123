import type { EntryInput } from '../ledger/journal';

/**
 * Journal entries for donations. Pure. The processor clearing account stands for the payment
 * provider: money the provider owes us arrives in the fund from it; refunds send it back.
 */
export interface SettleAccounts {
  clearingAccountId: string;
  fundAccountId: string;
}

export function settleEntry(
  donation: { id: string; amountMinor: number; currency: string },
  a: SettleAccounts,
  /** When the money arrived, if before now (an offline gift recorded later). */
  receivedAt?: Date,
): EntryInput {
  return {
    idempotencyKey: `donation:${donation.id}:settle`,
    kind: 'DONATION',
    description: `Gift ${donation.id}`,
    currency: donation.currency,
    postings: [
      { accountId: a.clearingAccountId, amountMinor: -donation.amountMinor },
      { accountId: a.fundAccountId, amountMinor: donation.amountMinor },
    ],
    metadata: { donationId: donation.id },
    ...(receivedAt ? { occurredAt: receivedAt } : {}),
  };
}

/** A refund up to a cumulative total: keyed by that total, so each step of a refund posts once. */
export function refundEntry(
  donation: { id: string; currency: string },
  refundedTotalMinor: number,
  deltaMinor: number,
  a: SettleAccounts,
): EntryInput {
  return {
    idempotencyKey: `donation:${donation.id}:refund:${refundedTotalMinor}`,
    kind: 'REFUND',
    description: `Refund of gift ${donation.id}`,
    currency: donation.currency,
    postings: [
      { accountId: a.fundAccountId, amountMinor: -deltaMinor },
      { accountId: a.clearingAccountId, amountMinor: deltaMinor },
    ],
    metadata: { donationId: donation.id, refundedTotalMinor },
  };
}
