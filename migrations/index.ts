import { FoundationFundsLedger1764180000000 } from './1764180000000-foundation-funds-ledger';
import { AccountsAudit1764185000000 } from './1764185000000-accounts-audit';
import { Outbox1764190000000 } from './1764190000000-outbox';
import { LedgerClosedAccountRecheck1764192000000 } from './1764192000000-ledger-closed-account-recheck';
import { CampaignsDonations1764195000000 } from './1764195000000-campaigns-donations';
import { SandboxSessions1764196000000 } from './1764196000000-sandbox-sessions';
import { OfflineGiftReference1764198000000 } from './1764198000000-offline-gift-reference';
import { DonationsIpIndex1764199000000 } from './1764199000000-donations-ip-index';
import { SubscriptionCancelled1764200000000 } from './1764200000000-subscription-cancelled';
import { DonorLocaleLinks1764201000000 } from './1764201000000-donor-locale-links';
import { DonationListIndexes1764202000000 } from './1764202000000-donation-list-indexes';
import { DonationMatchReturned1764210000000 } from './1764210000000-donation-match-returned';
import { MatchWithheld1764210100000 } from './1764210100000-match-withheld';
import { DonationPaymentReferences1764220000000 } from './1764220000000-donation-payment-references';
import { PaymentDeadLetters1764230000000 } from './1764230000000-payment-dead-letters';
import { FundReleases1764230100000 } from './1764230100000-fund-releases';
import { MatchingRuleOptions1764260000000 } from './1764260000000-matching-rule-options';
import { Grants1764300000000 } from './1764300000000-grants';
import { GrantAwardAgain1764300600000 } from './1764300600000-grant-award-again';
import { Receipts1764400000000 } from './1764400000000-receipts';
import { PublicDisclosure1764500000000 } from './1764500000000-public-disclosure';
import { PageChangeNotices1764500100000 } from './1764500100000-page-change-notices';
import { CoverSize1764510000000 } from './1764510000000-cover-size';
import { OfflineGiftsToFunds1764520000000 } from './1764520000000-offline-gifts-to-funds';
import { RefundReasons1764520400000 } from './1764520400000-refund-reasons';
import { CampaignEnglishOptional1764520500000 } from './1764520500000-campaign-english-optional';
import { ReturnToFormLinks1764600300000 } from './1764600300000-return-to-form-links';
import { LedgerOccurredAt1764700000000 } from './1764700000000-ledger-occurred-at';
import { PaymentRails1764800000000 } from './1764800000000-payment-rails';
import { LedgerFreeSlots1764900500000 } from './1764900500000-ledger-free-slots';
import { OutboxRequestId1764930000000 } from './1764930000000-outbox-request-id';
import { PersonalData1765000000000 } from './1765000000000-personal-data';
import { PrivacyPageNotices1765000001000 } from './1765000001000-privacy-page-notices';
import { ErasedAnnualKey1765000004000 } from './1765000004000-erased-annual-key';
/** Every migration in order. Listed explicitly so the app, CLI and tests run the same set. */
export const MIGRATIONS = [
  FoundationFundsLedger1764180000000,
  AccountsAudit1764185000000,
  Outbox1764190000000,
  LedgerClosedAccountRecheck1764192000000,
  CampaignsDonations1764195000000,
  SandboxSessions1764196000000,
  OfflineGiftReference1764198000000,
  DonationsIpIndex1764199000000,
  SubscriptionCancelled1764200000000,
  DonorLocaleLinks1764201000000,
  DonationListIndexes1764202000000,
  DonationMatchReturned1764210000000,
  MatchWithheld1764210100000,
  DonationPaymentReferences1764220000000,
  PaymentDeadLetters1764230000000,
  FundReleases1764230100000,
  MatchingRuleOptions1764260000000,
  Grants1764300000000,
  GrantAwardAgain1764300600000,
  Receipts1764400000000,
  PublicDisclosure1764500000000,
  PageChangeNotices1764500100000,
  CoverSize1764510000000,
  OfflineGiftsToFunds1764520000000,
  RefundReasons1764520400000,
  CampaignEnglishOptional1764520500000,
  ReturnToFormLinks1764600300000,
  LedgerOccurredAt1764700000000,
  PaymentRails1764800000000,
  LedgerFreeSlots1764900500000,
  OutboxRequestId1764930000000,
  PersonalData1765000000000,
  PrivacyPageNotices1765000001000,
  ErasedAnnualKey1765000004000,
];
