import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ErasedPeopleRepository } from './erased-people.repository';
import { StaffRemovalService } from './staff/staff-removal.service';

/**
 * Personal data (PIPL): erasure requests and pseudonymisation, the donor's access download, and
 * the retention job. It reads and changes other modules' data only through their services.
 */
@Module({
  imports: [AccountsModule, NotificationsModule],
  providers: [ErasedPeopleRepository, StaffRemovalService],
  exports: [StaffRemovalService],
})
export class PrivacyModule {}
