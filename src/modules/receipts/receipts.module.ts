import { Module } from '@nestjs/common';
import { QueueModule } from '../../queue/queue.module';
import { AuditModule } from '../audit/audit.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { DonationsModule } from '../donations/donations.module';
import { FoundationModule } from '../foundation/foundation.module';
import { FundsModule } from '../funds/funds.module';
import { GrantsModule } from '../grants/grants.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { OfficialReceiptProcessor } from './official/official-receipt.processor';
import { OfficialReceipts } from './official/official-receipts';
import { ReceiptDocuments } from './receipt-documents';
import { ReceiptPagesController } from './receipt-pages.controller';
import { ReceiptPagesService } from './receipt-pages.service';
import { ReceiptEmails } from './receipt-emails';
import { ReceiptSyncProcessor } from './receipt-sync.processor';
import { ReceiptsRepository } from './receipts.repository';
import { ReceiptsService } from './receipts.service';

/** Donor receipts: numbering, issuing, voiding, documents, delivery, verification. */
@Module({
  imports: [
    AuditModule,
    CampaignsModule,
    DonationsModule,
    FoundationModule,
    FundsModule,
    GrantsModule,
    NotificationsModule,
    QueueModule,
  ],
  controllers: [ReceiptPagesController],
  providers: [
    ReceiptsRepository,
    ReceiptsService,
    ReceiptEmails,
    ReceiptDocuments,
    ReceiptSyncProcessor,
    OfficialReceipts,
    OfficialReceiptProcessor,
    ReceiptPagesService,
  ],
  exports: [ReceiptsService, ReceiptDocuments, OfficialReceipts],
})
export class ReceiptsModule {}
