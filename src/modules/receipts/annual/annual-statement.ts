import type { SupportedLocale } from '../../../common/i18n/i18n';
import type { ReceiptContent, StatementGift } from '../receipts.types';

/** One received gift of the year, as the statement query reads it. */
export interface YearGift {
  donationId: string;
  donorName: string;
  locale: SupportedLocale;
  receiptAddress: string | null;
  receiptTaxId: string | null;
  receivedAt: Date;
  /** What the foundation keeps of it: the amount less refunds. */
  keptMinor: number;
  currency: string;
  fundNameZh: string;
  fundNameEn: string;
  campaignTitleZh: string;
  campaignTitleEn: string;
  reference: string;
  receiptNumber: string | null;
}

/** What one donor's statement states, before it is numbered. */
export interface StatementDraft {
  donorEmail: string;
  amountMinor: number;
  currency: string;
  locale: SupportedLocale;
  donor: ReceiptContent['donor'];
  statement: { year: number; gifts: StatementGift[] };
}

/**
 * One donor's statement of a year from their received gifts: every gift of which something was
 * kept, oldest first, and their sum; the donor's name and language as on their latest gift (also
 * a refunded one: it is still the latest way they named themselves), the address and ID or credit
 * code as on the latest gift that gave them. Null when nothing was kept (nothing to acknowledge).
 */
export function draftStatement(
  donorEmail: string,
  year: number,
  gifts: readonly YearGift[],
): StatementDraft | null {
  const byTime = [...gifts].sort(
    (a, b) =>
      a.receivedAt.getTime() - b.receivedAt.getTime() || a.donationId.localeCompare(b.donationId),
  );
  const kept = byTime.filter((g) => g.keptMinor > 0);
  const latest = byTime.at(-1);
  if (!latest || kept.length === 0) return null;
  const taxed = byTime.findLast((g) => g.receiptAddress !== null || g.receiptTaxId !== null);
  return {
    donorEmail,
    amountMinor: kept.reduce((sum, g) => sum + g.keptMinor, 0),
    currency: latest.currency,
    locale: latest.locale,
    donor: {
      name: latest.donorName,
      address: taxed?.receiptAddress ?? null,
      taxId: taxed?.receiptTaxId ?? null,
    },
    statement: {
      year,
      gifts: kept.map((g) => ({
        donationId: g.donationId,
        receivedAt: g.receivedAt.toISOString(),
        amountMinor: g.keptMinor,
        fundNameZh: g.fundNameZh,
        fundNameEn: g.fundNameEn,
        campaignTitleZh: g.campaignTitleZh,
        campaignTitleEn: g.campaignTitleEn,
        reference: g.reference,
        receiptNumber: g.receiptNumber,
      })),
    },
  };
}
