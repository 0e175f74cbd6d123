import { Injectable } from '@nestjs/common';
import { TransactionService } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { DonationsService } from '../donations/donations.service';
import { ReceiptEmails } from './receipt-emails';
import { ReceiptNotFoundError, ReceiptResendTooSoonError } from './receipts.errors';
import { ReceiptsRepository } from './receipts.repository';
import { ReceiptsService } from './receipts.service';
import type { Receipt, ReceiptDelivery, ReceiptPreference } from './receipts.types';

/** A donor may ask for a copy of one receipt once in this many minutes. */
export const DONOR_RESEND_MINUTES = 10;

export type ReceiptWithDeliveries = Receipt & { deliveries: ReceiptDelivery[] };

/**
 * Getting receipts to people: a gift's receipts with each email and its state (staff pages and
 * the API), copies sent again by staff (audited) or by the donor from the portal (once per receipt
 * per ten minutes), and the donor's choice between a receipt per gift and the annual statement.
 */
@Injectable()
export class ReceiptDeliveryService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: ReceiptsRepository,
    private readonly receipts: ReceiptsService,
    private readonly emails: ReceiptEmails,
    private readonly donations: DonationsService,
    private readonly audit: AuditService,
  ) {}

  /** A gift's receipts, oldest first, each with its emails (404 for an unknown gift). */
  async forDonation(donationId: string): Promise<ReceiptWithDeliveries[]> {
    await this.donations.get(donationId);
    return this.withDeliveries(await this.repo.listForDonation(donationId));
  }

  async one(receiptId: string): Promise<ReceiptWithDeliveries> {
    const receipt = await this.receipts.get(receiptId);
    return (await this.withDeliveries([receipt]))[0]!;
  }

  /**
   * Staff ask for the receipt of a received gift now (the queue has not reached it): issued as the
   * outbox would issue it, or the live one returned; the request is audited.
   */
  async issueByStaff(donationId: string): Promise<Receipt> {
    const hadOne = (await this.repo.listForDonation(donationId)).some((r) => r.voidedAt === null);
    const receipt = await this.receipts.issueNow(donationId);
    await this.tx.run((m) =>
      this.audit.record(m, {
        action: 'receipt.issue_requested',
        entityType: 'receipt',
        entityId: receipt.id,
        after: { number: receipt.number, donationId, alreadyIssued: hadOne },
      }),
    );
    return receipt;
  }

  /** Staff send the receipt to the donor's address again, as a PDF. */
  async resendByStaff(receiptId: string, actorId: string | null): Promise<ReceiptWithDeliveries> {
    await this.tx.run(async (m) => {
      const receipt = await this.repo.find(receiptId, { within: m });
      if (!receipt) throw new ReceiptNotFoundError(receiptId);
      await this.tx.lock(m, `receipt:resend:${receipt.id}`);
      await this.emails.resend(m, receipt, actorId);
      await this.audit.record(m, {
        action: 'receipt.resent',
        entityType: 'receipt',
        entityId: receipt.id,
        after: { number: receipt.number, to: receipt.donorEmail },
      });
    });
    return this.one(receiptId);
  }

  /**
   * The donor asks for a copy of one of their own receipts, to their own address (the only one
   * it ever goes to). Someone else's receipt is "not found"; a second request within
   * DONOR_RESEND_MINUTES of the last copy is refused.
   */
  async resendForDonor(donorEmail: string, receiptId: string): Promise<Receipt> {
    return this.tx.run(async (m) => {
      const receipt = await this.repo.find(receiptId, { within: m });
      if (!receipt || receipt.donorEmail !== donorEmail.toLowerCase()) {
        throw new ReceiptNotFoundError(receiptId);
      }
      // Held until commit: a second request waits here, then sees this one's delivery.
      await this.tx.lock(m, `receipt:resend:${receipt.id}`);
      const since = Date.now() - DONOR_RESEND_MINUTES * 60_000;
      const recent = (await this.repo.deliveries([receipt.id])).some(
        (d) => d.purpose === 'RESENT' && d.createdAt.getTime() > since,
      );
      if (recent) throw new ReceiptResendTooSoonError(receipt.number, DONOR_RESEND_MINUTES);
      await this.emails.resend(m, receipt, null);
      await this.audit.record(m, {
        action: 'receipt.resent_to_donor',
        entityType: 'receipt',
        entityId: receipt.id,
        after: { number: receipt.number },
      });
      return receipt;
    });
  }

  listForDonor(email: string): Promise<Receipt[]> {
    return this.receipts.listForDonor(email);
  }

  /**
   * Every receipt of an address, oldest first, each with its emails (the donor's access
   * download: no limit, unlike the portal's list).
   */
  async allForDonor(email: string): Promise<ReceiptWithDeliveries[]> {
    const receipts = await this.repo.listForDonor(email, Number.MAX_SAFE_INTEGER);
    return this.withDeliveries(receipts.reverse());
  }

  preference(email: string): Promise<ReceiptPreference> {
    return this.repo.preference(email);
  }

  setPreference(email: string, mode: ReceiptPreference): Promise<void> {
    return this.tx.run((m) => this.repo.setPreference(m, email, mode));
  }

  private async withDeliveries(receipts: Receipt[]): Promise<ReceiptWithDeliveries[]> {
    const deliveries = await this.repo.deliveries(receipts.map((r) => r.id));
    return receipts.map((r) => ({
      ...r,
      deliveries: deliveries.filter((d) => d.receiptId === r.id),
    }));
  }
}
