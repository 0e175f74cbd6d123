import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { DonationsModule } from '../donations/donations.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { PaymentsModule } from '../payments/payments.module';
import { ReceiptsModule } from '../receipts/receipts.module';
import { ErasureRepository } from './erasure/erasure.repository';
import { ErasureService } from './erasure/erasure.service';

/**
 * Personal data (PIPL): erasure requests and pseudonymisation, the donor's access download, and
 * the retention job. It reads and changes other modules' data only through their services.
 */
@Module({
  imports: [
    AccountsModule,
    CampaignsModule,
    DonationsModule,
    NotificationsModule,
    PaymentsModule,
    ReceiptsModule,
  ],
  providers: [ErasureRepository, ErasureService],
  exports: [ErasureService],
})
export class PrivacyModule {}
