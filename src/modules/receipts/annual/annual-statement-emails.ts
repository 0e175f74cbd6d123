import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { formatMoney } from '../../../common/money';
import { AppConfig } from '../../../config/app-config';
import { OutboxService } from '../../notifications/outbox.service';
import { RECEIPT_PDF } from '../receipt-emails';
import { ReceiptsRepository } from '../receipts.repository';
import type { Receipt } from '../receipts.types';

/**
 * The email that carries an annual statement (its PDF made at send time, like every receipt's),
 * queued in the issuing transaction and recorded as the statement's delivery. Sent to every donor
 * of the year, also those who chose per-gift receipts: the statement is the one document for the
 * year's tax return. One email per statement (its dedupe key), however often it is queued.
 */
@Injectable()
export class AnnualStatementEmails {
  constructor(
    private readonly outbox: OutboxService,
    private readonly repo: ReceiptsRepository,
    private readonly config: AppConfig,
  ) {}

  async issued(m: EntityManager, receipt: Receipt): Promise<void> {
    const locale = receipt.locale;
    const outboxId = await this.outbox.enqueue(m, {
      template: 'receipt-annual',
      to: receipt.donorEmail,
      locale,
      dedupeKey: `receipt-annual:${receipt.id}`,
      attachments: [{ source: RECEIPT_PDF, id: receipt.id }],
      data: {
        donorName: receipt.content.donor.name,
        year: receipt.content.statement?.year ?? receipt.year,
        number: receipt.number,
        total: formatMoney(receipt.amountMinor, receipt.currency, locale),
        giftCount: receipt.content.statement?.gifts.length ?? 0,
        portalUrl: `${this.config.publicUrl}/donor`,
      },
    });
    await this.repo.insertDelivery(m, {
      receiptId: receipt.id,
      purpose: 'ISSUED',
      recipient: receipt.donorEmail,
      outboxId,
      requestedBy: null,
    });
  }
}
