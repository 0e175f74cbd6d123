import type { SupportedLocale } from '../../common/i18n/i18n';
import type { DonationStatus } from './donation-status';

export interface Donation {
  id: string;
  campaignId: string;
  fundId: string;
  amountMinor: number;
  feeCoverMinor: number;
  currency: string;
  donorName: string;
  donorEmail: string;
  anonymous: boolean;
  message: string;
  dedication: string;
  monthly: boolean;
  /** The donor's language: their emails and pages are in it. */
  locale: SupportedLocale;
  status: DonationStatus;
  provider: 'STRIPE' | 'SANDBOX' | 'OFFLINE';
  providerSessionId: string | null;
  providerPaymentId: string | null;
  providerSubscriptionId: string | null;
  parentDonationId: string | null;
  checkoutUrl: string | null;
  feeMinor: number | null;
  /** The match this gift keeps now: what its `match:<id>` entry posted, less what went back. */
  matchedMinor: number;
  /** What refunds gave back of the match to its pool; with matchedMinor, the original match. */
  matchReturnedMinor: number;
  refundedMinor: number;
  ip: string | null;
  createdAt: Date;
  succeededAt: Date | null;
  subscriptionCancelledAt: Date | null;
  updatedAt: Date;
}
