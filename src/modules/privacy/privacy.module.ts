import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { DonationsModule } from '../donations/donations.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { PaymentsModule } from '../payments/payments.module';
import { ReceiptsModule } from '../receipts/receipts.module';
import { DonorAccessService } from './access/donor-access.service';
import { DonorDataController } from './access/donor-data.controller';
import { ErasureRequestsReader } from './access/erasure-requests.reader';
import { ErasedPeopleRepository } from './erased-people.repository';
import { ErasureRepository } from './erasure/erasure.repository';
import { ErasureService } from './erasure/erasure.service';
import { RetentionRunsRepository } from './retention/retention-runs.repository';
import { RetentionScheduler } from './retention/retention-scheduler';
import { RetentionService } from './retention/retention.service';
import { StaffRemovalService } from './staff/staff-removal.service';

/**
 * Personal data (PIPL): erasure requests and pseudonymisation, the donor's access download, and
 * the retention job. It reads and changes other modules' data only through their services.
 */
@Module({
  imports: [
    AccountsModule,
    DonationsModule,
    NotificationsModule,
    ReceiptsModule,
    CampaignsModule,
    PaymentsModule,
  ],
  controllers: [DonorDataController],
  providers: [
    ErasedPeopleRepository,
    StaffRemovalService,
    RetentionRunsRepository,
    RetentionService,
    RetentionScheduler,
    ErasureRequestsReader,
    DonorAccessService,
    ErasureRepository,
    ErasureService,
  ],
  exports: [StaffRemovalService, RetentionService, ErasureService],
})
export class PrivacyModule {}
