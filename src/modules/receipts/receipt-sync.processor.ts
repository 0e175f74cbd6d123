import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  OutboxHandlerRegistry,
  PermanentOutboxError,
  type OutboxHandler,
} from '../../queue/outbox-handlers';
import type { OutboxMessage } from '../../queue/outbox.entity';
import { DonationNotFoundError } from '../donations/donations.errors';
import { ReceiptsService } from './receipts.service';

/** RECEIPT_SYNC: a gift was received or refunded; its receipts follow (`ReceiptsService.syncGift`). */
@Injectable()
export class ReceiptSyncProcessor implements OutboxHandler<'RECEIPT_SYNC'>, OnModuleInit {
  constructor(
    private readonly registry: OutboxHandlerRegistry,
    private readonly receipts: ReceiptsService,
  ) {}

  onModuleInit(): void {
    this.registry.register('RECEIPT_SYNC', this);
  }

  async handle(message: OutboxMessage<'RECEIPT_SYNC'>): Promise<void> {
    const { donationId, cause } = message.payload;
    try {
      await this.receipts.syncGift(donationId, cause);
    } catch (error) {
      if (error instanceof DonationNotFoundError)
        throw new PermanentOutboxError(error.message, { cause: error });
      throw error;
    }
  }
}
