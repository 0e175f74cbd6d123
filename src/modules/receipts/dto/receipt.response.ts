import type { ReceiptWithDeliveries } from '../receipt-delivery.service';

/** A receipt as the API shows it to staff: the facts, the void, the official e-receipt, each email. */
export function receiptResponse(r: ReceiptWithDeliveries) {
  return {
    id: r.id,
    number: r.number,
    kind: r.kind,
    donationId: r.donationId,
    replacesId: r.replacesId,
    donorEmail: r.donorEmail,
    amountMinor: r.amountMinor,
    currency: r.currency,
    locale: r.locale,
    issuedAt: r.issuedAt,
    voidedAt: r.voidedAt,
    voidReason: r.voidReason,
    voidNote: r.voidNote,
    officialNumber: r.officialNumber,
    officialUrl: r.officialUrl,
    deliveries: r.deliveries.map((d) => ({
      id: d.id,
      purpose: d.purpose,
      recipient: d.recipient,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      createdAt: d.createdAt,
      sentAt: d.sentAt,
    })),
  };
}
