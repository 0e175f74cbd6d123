import type { DonationProvider } from '../donations/donations.types';
import type { SupportedLocale } from '../../common/i18n/i18n';
import type { OutboxStatus } from '../../queue/outbox-status';
import type { ReceiptKind, ReceiptSeries, VoidReason } from './receipt-number';

/**
 * The facts a receipt states, frozen when it is issued (stored as jsonb, plain JSON: dates as ISO
 * strings). Rendering (PDF, HTML, email) reads only this, so a receipt reads the same forever,
 * whatever later happens to the foundation's profile, the fund's name or the gift.
 */
export interface ReceiptContent {
  version: 1;
  foundation: {
    legalNameZh: string;
    legalNameEn: string;
    /** Unified social credit code (统一社会信用代码). */
    creditCode: string;
    addressZh: string;
    addressEn: string;
  };
  wording: {
    titleZh: string;
    titleEn: string;
    /** "Nothing was given in return", in the foundation's words. */
    statementZh: string;
    statementEn: string;
    signatory: string;
  };
  donor: {
    /** Always the donor's own name, also for gifts shown anonymously on the campaign page. */
    name: string;
    /** An organisation's name is shown as given (never masked); absent on older receipts: a person. */
    kind?: 'PERSON' | 'ORGANISATION';
    /** Only when the donor gave them for a tax receipt. */
    address: string | null;
    taxId: string | null;
  };
  /** A gift receipt or a correction: the gift it acknowledges. */
  gift?: ReceiptGift;
  /** A correction: the receipt it replaces. */
  replaces?: { number: string; issuedAt: string };
  /** An annual statement: the year and every gift in it. */
  statement?: { year: number; gifts: StatementGift[] };
}

export interface ReceiptGift {
  donationId: string;
  /** When the money was received (ISO). */
  receivedAt: string;
  /** What the gift was; `refundedMinor` of it went back; the receipt's amount is the rest. */
  originalAmountMinor: number;
  refundedMinor: number;
  /** Match money the gift earned from a sponsor's pool (not part of the donor's gift). */
  matchedMinor: number;
  fund: { id: string; code: string; nameZh: string; nameEn: string };
  /** Null for an offline gift recorded straight into the fund. */
  campaign: { id: string; slug: string; titleZh: string; titleEn: string } | null;
  /** STRIPE (card), SANDBOX (test payments) or OFFLINE (bank transfer, cash). */
  method: DonationProvider;
  /** The payment's reference at the provider, or the bank or receipt-book reference. */
  reference: string;
  monthly: boolean;
}

export interface StatementGift {
  donationId: string;
  receivedAt: string;
  amountMinor: number;
  fundNameZh: string;
  fundNameEn: string;
  /** Empty for a gift recorded straight into the fund. */
  campaignTitleZh: string;
  campaignTitleEn: string;
  reference: string;
  /** The gift's own receipt, when one was issued. */
  receiptNumber: string | null;
}

export interface Receipt {
  id: string;
  number: string;
  series: ReceiptSeries;
  year: number;
  seq: number;
  kind: ReceiptKind;
  issueKey: string;
  donationId: string | null;
  replacesId: string | null;
  donorEmail: string;
  amountMinor: number;
  currency: string;
  locale: SupportedLocale;
  verifyCode: string;
  content: ReceiptContent;
  issuedAt: Date;
  voidedAt: Date | null;
  voidReason: VoidReason | null;
  voidNote: string;
  voidedBy: string | null;
  officialNumber: string | null;
  officialUrl: string | null;
  officialIssuedAt: Date | null;
  /** Set once the donor was erased: the n of "已删除的捐赠人 #n" (absent: not erased). */
  donorErasedNo?: number | null;
}

/** The foundation's receipt wording and seal (one row). */
export interface ReceiptSettings {
  addressZh: string;
  addressEn: string;
  titleZh: string;
  titleEn: string;
  statementZh: string;
  statementEn: string;
  signatory: string;
  /** A PNG of the seal or signature, re-encoded on upload; null prints an empty seal box. */
  sealPng: Buffer | null;
  updatedAt: Date;
  updatedBy: string | null;
}

export type ReceiptPreference = 'EACH_GIFT' | 'ANNUAL_ONLY';

/** One email of a receipt, with its outbox row's state. */
export interface ReceiptDelivery {
  id: string;
  receiptId: string;
  purpose: 'ISSUED' | 'VOIDED' | 'RESENT';
  recipient: string;
  outboxId: string;
  requestedBy: string | null;
  createdAt: Date;
  /** As the outbox row has it: PENDING or RELAYED (on its way), SENT, FAILED. */
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
}
