import type { EmailPayload } from '../modules/notifications/email-message';

/**
 * Each kind of side effect the outbox carries, with the payload its row holds (plain JSON: it is
 * stored as jsonb and read back by another process, so no Dates, no class instances). Writers are
 * checked against it (`OutboxWriter.add<K>(m, kind, payload: OutboxPayloads[K], key)`) and so are
 * handlers (`OutboxHandler<K>`). A new kind: its payload here, its queue in `QUEUE_NAMES`, and a
 * handler registered for it (`OutboxHandlerRegistry.register`).
 */
export interface OutboxPayloads {
  /** An email, rendered at send time (`EmailProcessor`, notifications). */
  EMAIL: EmailPayload;
  /** A settled gift whose processor fee is to be booked (`FeeProcessor`, donations). */
  DONATION_FEE: { donationId: string };
  /**
   * A gift was received or refunded: bring its receipts in line (`ReceiptSyncProcessor`,
   * receipts): issue, or void and correct. `cause` says why money went back, for the void.
   */
  RECEIPT_SYNC: { donationId: string; cause?: 'REFUNDED' | 'DISPUTE_LOST' };
  /** Ask the finance authority's platform for the official e-receipt of ours (receipts). */
  OFFICIAL_RECEIPT: { receiptId: string };
}

export type OutboxKind = keyof OutboxPayloads;

/** Listing a kind here is checked: a kind in `OutboxPayloads` left out does not compile. */
const KINDS: Record<OutboxKind, true> = {
  EMAIL: true,
  DONATION_FEE: true,
  RECEIPT_SYNC: true,
  OFFICIAL_RECEIPT: true,
};

/** Kinds of side effect the outbox carries; each kind has one BullMQ queue and one processor. */
export const OUTBOX_KINDS = Object.keys(KINDS) as readonly OutboxKind[];
