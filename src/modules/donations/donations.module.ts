import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { FoundationModule } from '../foundation/foundation.module';
import { FundsModule } from '../funds/funds.module';
import { LedgerModule } from '../ledger/ledger.module';
import { MatchingModule } from '../matching/matching.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { QueueModule } from '../../queue/queue.module';
import { PaymentsModule } from '../payments/payments.module';
import { DonationsController } from './donations.controller';
import { DonationsRepository } from './donations.repository';
import { CAPTCHA_VERIFIER, DonationsService } from './donations.service';
import { PaymentEventsController } from './payment-events.controller';
import { PaymentEventsRepository } from './payment-events.repository';
import { PaymentInboxService } from './payment-inbox.service';
import { DonorDataRepository } from './donor-data.repository';
import { DonorDataService } from './donor-data.service';
import { DonorEmails } from './donor-emails';
import { FeeProcessor } from './fee.processor';
import { MatchReleaseService } from './match-release.service';
import { OfflineGiftsService } from './offline-gifts.service';
import { ReconciliationService } from './reconciliation.service';
import { SettlementService } from './settlement.service';
import { WebhooksController } from './webhooks.controller';

@Module({
  imports: [
    CampaignsModule,
    FoundationModule,
    FundsModule,
    LedgerModule,
    MatchingModule,
    NotificationsModule,
    PaymentsModule,
    QueueModule,
  ],
  controllers: [DonationsController, WebhooksController, PaymentEventsController],
  providers: [
    DonationsRepository,
    PaymentEventsRepository,
    DonationsService,
    SettlementService,
    DonorEmails,
    OfflineGiftsService,
    FeeProcessor,
    ReconciliationService,
    PaymentInboxService,
    MatchReleaseService,
    DonorDataRepository,
    DonorDataService,
    // No CAPTCHA by default; a deployment binds its own verifier here.
    { provide: CAPTCHA_VERIFIER, useValue: { verify: () => Promise.resolve(true) } },
  ],
  exports: [
    DonationsService,
    DonorEmails,
    PaymentInboxService,
    OfflineGiftsService,
    ReconciliationService,
    MatchReleaseService,
    DonorDataService,
  ],
})
export class DonationsModule {}
