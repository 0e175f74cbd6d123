import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { DonationsModule } from '../donations/donations.module';
import { FoundationModule } from '../foundation/foundation.module';
import { FundsModule } from '../funds/funds.module';
// grants: insights
import { GrantsModule } from '../grants/grants.module';
import { InsightsProjectsController } from './insights-projects.controller';
// end grants: insights
import { MatchingModule } from '../matching/matching.module';
import { CampaignPagesController } from './campaign-pages.controller';
import { CampaignPagesService } from './campaign-pages.service';
import { DonorPagesController } from './donor-pages.controller';
import { MonthlyPagesController } from './monthly-pages.controller';
import { PublicPagesController } from './public-pages.controller';
import { PublicSiteService } from './public-site.service';

@Module({
  imports: [
    FoundationModule,
    FundsModule,
    CampaignsModule,
    MatchingModule,
    DonationsModule,
    // grants: insights
    GrantsModule,
    // end grants: insights
  ],
  controllers: [
    PublicPagesController,
    CampaignPagesController,
    MonthlyPagesController,
    DonorPagesController,
    // grants: insights
    InsightsProjectsController,
    // end grants: insights
  ],
  providers: [PublicSiteService, CampaignPagesService],
})
export class PublicSiteModule {}
