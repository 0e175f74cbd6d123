import { PaymentsModule } from '../payments/payments.module';
import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { DonationsModule } from '../donations/donations.module';
import { FoundationModule } from '../foundation/foundation.module';
import { FundsModule } from '../funds/funds.module';
import { GrantsModule } from '../grants/grants.module';
import { MatchingModule } from '../matching/matching.module';
import { PrivacyModule } from '../privacy/privacy.module';
import { ReceiptsModule } from '../receipts/receipts.module';
import { ReportingModule } from '../reporting/reporting.module';
import { CampaignPagesController } from './campaign-pages.controller';
import { CampaignPagesService } from './campaign-pages.service';
import { DonorErasureController } from './donor-erasure.controller';
import { DonorPagesController } from './donor-pages.controller';
import { EvaluationPagesController } from './evaluation-pages.controller';
import { FundPagesController } from './fund-pages.controller';
import { FundPagesService } from './fund-pages.service';
import { InsightsProjectsController } from './insights-projects.controller';
import { MonthlyPagesController } from './monthly-pages.controller';
import { PublicPagesController } from './public-pages.controller';
import { PrivacyPageService } from './privacy-page.service';
import { PrivacyPagesController } from './privacy-pages.controller';
import { PublicSiteService } from './public-site.service';
import { SharingController } from './sharing.controller';
import { SharingService } from './sharing.service';

@Module({
  imports: [
    FoundationModule,
    FundsModule,
    CampaignsModule,
    MatchingModule,
    DonationsModule,
    PaymentsModule,
    GrantsModule,
    ReceiptsModule,
    ReportingModule,
    PrivacyModule,
  ],
  controllers: [
    PublicPagesController,
    CampaignPagesController,
    MonthlyPagesController,
    DonorPagesController,
    DonorErasureController,
    EvaluationPagesController,
    InsightsProjectsController,
    FundPagesController,
    SharingController,
    PrivacyPagesController,
  ],
  providers: [
    PublicSiteService,
    CampaignPagesService,
    FundPagesService,
    SharingService,
    PrivacyPageService,
  ],
})
export class PublicSiteModule {}
