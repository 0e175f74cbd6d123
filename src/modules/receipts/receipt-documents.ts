import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { EmailAttachments, type EmailAttachment } from '../notifications/email-attachments';
import { renderReceiptPdf } from './pdf/receipt-pdf';
import { RECEIPT_PDF } from './receipt-emails';
import { ReceiptNotFoundError } from './receipts.errors';
import { ReceiptsRepository } from './receipts.repository';
import type { Receipt } from './receipts.types';

/**
 * A receipt as a document: its PDF (for downloads and email attachments) and the verification
 * link printed on it. Made on demand from the receipt's frozen content: receipts are immutable, so
 * the same receipt always makes the same document (only the seal image is the current one).
 */
@Injectable()
export class ReceiptDocuments implements OnModuleInit {
  constructor(
    private readonly repo: ReceiptsRepository,
    private readonly attachments: EmailAttachments,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.attachments.register(RECEIPT_PDF, (id) => this.attachment(id));
  }

  verifyUrl(receipt: Pick<Receipt, 'number' | 'verifyCode'>): string {
    const query = new URLSearchParams({ number: receipt.number, code: receipt.verifyCode });
    return `${this.config.publicUrl}/receipts/verify?${query.toString()}`;
  }

  async pdf(receipt: Receipt): Promise<Buffer> {
    const settings = await this.repo.settings();
    return renderReceiptPdf({
      receipt,
      verifyUrl: this.verifyUrl(receipt),
      sealPng: settings.sealPng,
    });
  }

  fileName(receipt: Pick<Receipt, 'number'>): string {
    return `${receipt.number}.pdf`;
  }

  private async attachment(receiptId: string): Promise<EmailAttachment> {
    const receipt = await this.repo.find(receiptId);
    if (!receipt) throw new ReceiptNotFoundError(receiptId);
    return {
      filename: this.fileName(receipt),
      contentType: 'application/pdf',
      content: await this.pdf(receipt),
    };
  }
}
