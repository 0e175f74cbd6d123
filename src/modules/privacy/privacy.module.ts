import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { DonationsModule } from '../donations/donations.module';
import { NotificationsModule } from '../notifications/notifications.module';
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
  imports: [AccountsModule, DonationsModule, NotificationsModule],
  providers: [
    ErasedPeopleRepository,
    StaffRemovalService,
    RetentionRunsRepository,
    RetentionService,
    RetentionScheduler,
  ],
  exports: [StaffRemovalService, RetentionService],
})
export class PrivacyModule {}
