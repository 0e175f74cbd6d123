import { Injectable, type OnModuleInit } from '@nestjs/common';
import { TransactionService } from '../../../database/transaction.service';
import {
  OutboxHandlerRegistry,
  PermanentOutboxError,
  type OutboxHandler,
} from '../../../queue/outbox-handlers';
import type { OutboxMessage } from '../../../queue/outbox.entity';
import { ReceiptsRepository } from '../receipts.repository';
import { OfficialReceipts } from './official-receipts';

/**
 * OFFICIAL_RECEIPT: asks the configured platform for the official e-receipt of one of ours and
 * stores its number and link (once; a receipt that has one already is left alone). A platform
 * that fails is retried with the outbox's backoff; none configured fails permanently.
 */
@Injectable()
export class OfficialReceiptProcessor implements OutboxHandler<'OFFICIAL_RECEIPT'>, OnModuleInit {
  constructor(
    private readonly registry: OutboxHandlerRegistry,
    private readonly official: OfficialReceipts,
    private readonly repo: ReceiptsRepository,
    private readonly tx: TransactionService,
  ) {}

  onModuleInit(): void {
    this.registry.register('OFFICIAL_RECEIPT', this);
  }

  async handle(message: OutboxMessage<'OFFICIAL_RECEIPT'>): Promise<void> {
    const receipt = await this.repo.find(message.payload.receiptId);
    if (!receipt) throw new PermanentOutboxError(`no receipt ${message.payload.receiptId}`);
    if (receipt.officialNumber) return;
    if (!this.official.enabled)
      throw new PermanentOutboxError('no official e-receipt platform is configured');
    const official = await this.official.request(receipt);
    await this.tx.run((m) => this.repo.recordOfficial(m, receipt.id, official));
  }
}
