import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { ReceiptsModule } from '../receipts/receipts.module';
import { DonationsModule } from '../donations/donations.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { DonorAccessService } from './access/donor-access.service';
import { DonorDataController } from './access/donor-data.controller';
import { ErasureRequestsReader } from './access/erasure-requests.reader';
import { ErasedPeopleRepository } from './erased-people.repository';
import { RetentionRunsRepository } from './retention/retention-runs.repository';
import { RetentionScheduler } from './retention/retention-scheduler';
import { RetentionService } from './retention/retention.service';
import { StaffRemovalService } from './staff/staff-removal.service';

/**
 * Personal data (PIPL): erasure requests and pseudonymisation, the donor's access download, and
 * the retention job. It reads and changes other modules' data only through their services.
 */
@Module({
  imports: [AccountsModule, DonationsModule, NotificationsModule, ReceiptsModule],
  controllers: [DonorDataController],
  providers: [
    ErasedPeopleRepository,
    StaffRemovalService,
    RetentionRunsRepository,
    RetentionService,
    RetentionScheduler,
    ErasureRequestsReader,
    DonorAccessService,
  ],
  exports: [StaffRemovalService, RetentionService],
})
export class PrivacyModule {}
