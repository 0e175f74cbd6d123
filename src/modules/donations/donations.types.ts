import type { SupportedLocale } from '../../common/i18n/i18n';
import type { DonationStatus } from './donation-status';

export const DONOR_KINDS = ['PERSON', 'ORGANISATION'] as const;
export type DonorKind = (typeof DONOR_KINDS)[number];

/** How a gift was paid: online through Stripe, the sandbox stand-in, or recorded offline by staff. */
export const DONATION_PROVIDERS = ['STRIPE', 'SANDBOX', 'WECHAT_PAY', 'ALIPAY', 'OFFLINE'] as const;
export type DonationProvider = (typeof DONATION_PROVIDERS)[number];

/** What became of one row of an offline-gift CSV import. */
export const IMPORT_ROW_STATUSES = ['recorded', 'duplicate', 'error'] as const;
export type ImportRowStatus = (typeof IMPORT_ROW_STATUSES)[number];

export interface Donation {
  id: string;
  /** The campaign the gift was given to; null for an offline gift recorded straight into a fund. */
  campaignId: string | null;
  /** The fund the gift's ledger entry credits (the campaign's fund, or the one FINANCE chose). */
  fundId: string;
  amountMinor: number;
  feeCoverMinor: number;
  currency: string;
  /** As given; empty for an offline gift whose donor left no name (cash). */
  donorName: string;
  /** Null for an offline gift without one: no receipt or thank-you email is attempted. */
  donorEmail: string | null;
  /** An organisation's name is shown as given, never masked or split like a person's. */
  donorKind: DonorKind;
  anonymous: boolean;
  message: string;
  dedication: string;
  monthly: boolean;
  /** The donor's language: their emails and pages are in it. */
  locale: SupportedLocale;
  status: DonationStatus;
  provider: DonationProvider;
  providerSessionId: string | null;
  providerPaymentId: string | null;
  providerSubscriptionId: string | null;
  /** A monthly gift's invoice (`in_…`): one gift per invoice. */
  providerInvoiceId: string | null;
  /** The charge (`ch_…`) behind the PaymentIntent, once known: refunds and disputes name it. */
  providerChargeId: string | null;
  /** The gift's latest dispute (`dp_…`), once charge.dispute.created was booked. */
  providerDisputeId: string | null;
  parentDonationId: string | null;
  checkoutUrl: string | null;
  /** A QR-code checkout's content (WeChat Pay Native), shown on our own payment page. */
  checkoutQr: string | null;
  /** An in-app checkout's pay-sheet parameters (WeChat Pay JSAPI: getBrandWCPayRequest). */
  checkoutInvoke: Record<string, string> | null;
  feeMinor: number | null;
  /** The match this gift keeps now: what its `match:<id>` entry posted, less what went back. */
  matchedMinor: number;
  /** What refunds gave back of the match to its pool; with matchedMinor, the original match. */
  matchReturnedMinor: number;
  refundedMinor: number;
  /** The card or payer account the provider names for this payment (`card:…`), if it named one. */
  paymentFingerprint: string | null;
  /** Why the bot check withheld this gift's match; stays set after a release, for the record. */
  matchWithheldReason: 'VELOCITY' | null;
  /** When FINANCE released the withheld match (it was posted then). */
  matchReleasedAt: Date | null;
  /** What an open dispute holds of this gift (moved from its fund to the fund's held account). */
  disputeHeldMinor: number;
  /** The processor's dispute fees booked for this gift so far (net of fees given back). */
  disputeFeeMinor: number;
  ip: string | null;
  /** Given only for a tax receipt: printed on the gift's receipt, never shown anywhere public. */
  receiptAddress: string | null;
  /** ID card or unified social credit code, given only for a tax receipt (as above). */
  receiptTaxId: string | null;
  createdAt: Date;
  succeededAt: Date | null;
  subscriptionCancelledAt: Date | null;
  updatedAt: Date;
}
