import { Module } from '@nestjs/common';
import { QueueModule } from '../../queue/queue.module';
import { AuditModule } from '../audit/audit.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { DonationsModule } from '../donations/donations.module';
import { FoundationModule } from '../foundation/foundation.module';
import { FundsModule } from '../funds/funds.module';
import { GrantsModule } from '../grants/grants.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { AnnualStatementEmails } from './annual/annual-statement-emails';
import { AnnualStatementsRepository } from './annual/annual-statements.repository';
import { AnnualStatementsService } from './annual/annual-statements.service';
import { OfficialReceiptProcessor } from './official/official-receipt.processor';
import { OfficialReceipts } from './official/official-receipts';
import { ReceiptDeliveryService } from './receipt-delivery.service';
import { ReceiptDocuments } from './receipt-documents';
import { ReceiptPagesController } from './receipt-pages.controller';
import { ReceiptPagesService } from './receipt-pages.service';
import { ReceiptEmails } from './receipt-emails';
import { ReceiptSettingsService } from './receipt-settings.service';
import { ReceiptSyncProcessor } from './receipt-sync.processor';
import { ReceiptsController } from './receipts.controller';
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
  controllers: [ReceiptsController, ReceiptPagesController],
  providers: [
    ReceiptsRepository,
    ReceiptsService,
    ReceiptEmails,
    ReceiptDocuments,
    ReceiptSyncProcessor,
    OfficialReceipts,
    OfficialReceiptProcessor,
    AnnualStatementsRepository,
    AnnualStatementsService,
    AnnualStatementEmails,
    ReceiptDeliveryService,
    ReceiptSettingsService,
    ReceiptPagesService,
  ],
  exports: [
    ReceiptsService,
    ReceiptDocuments,
    OfficialReceipts,
    AnnualStatementsService,
    ReceiptDeliveryService,
    ReceiptSettingsService,
  ],
})
export class ReceiptsModule {}
