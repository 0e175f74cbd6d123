import { Module } from '@nestjs/common';
import { FundsModule } from '../funds/funds.module';
import { LedgerModule } from '../ledger/ledger.module';
import { NotificationsModule } from '../notifications/notifications.module';
// --- expenses and attachments
import { UploadParser } from '../../common/http/upload-parser';
import { GrantAttachmentsController } from './attachments/attachments.controller';
import { GrantAttachmentsRepository } from './attachments/attachments.repository';
import { GrantAttachmentsService } from './attachments/attachments.service';
import { AttachmentStorage } from './attachments/attachment-storage';
import { ExpensesController } from './expenses/expenses.controller';
import { ExpensesRepository } from './expenses/expenses.repository';
import { ExpensesService } from './expenses/expenses.service';
// --- end expenses and attachments

/**
 * Money out (以奖代补): grant rounds, applications and their review, awards paid in tranches,
 * grantee reports and acceptance inspections, resident evaluations, and fund expenses.
 */
@Module({
  imports: [FundsModule, LedgerModule, NotificationsModule],
  controllers: [
    // --- expenses and attachments
    ExpensesController,
    GrantAttachmentsController,
    // --- end expenses and attachments
  ],
  providers: [
    // --- expenses and attachments
    UploadParser,
    ExpensesRepository,
    ExpensesService,
    AttachmentStorage,
    GrantAttachmentsRepository,
    GrantAttachmentsService,
    // --- end expenses and attachments
  ],
  exports: [
    // --- expenses and attachments
    ExpensesService,
    GrantAttachmentsService,
    // --- end expenses and attachments
  ],
})
export class GrantsModule {}
