import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AllocationsModule } from '../allocations/allocations.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { DonationsModule } from '../donations/donations.module';
import { FoundationModule } from '../foundation/foundation.module';
import { FundsModule } from '../funds/funds.module';
import { GrantsModule } from '../grants/grants.module';
import { MatchingModule } from '../matching/matching.module';
import { PrivacyModule } from '../privacy/privacy.module';
import { ReceiptsModule } from '../receipts/receipts.module';
import { ReportingModule } from '../reporting/reporting.module';
import { AdminAllocationsController } from './admin-allocations.controller';
import { AdminAuditController } from './admin-audit.controller';
import { AdminCampaignsController } from './admin-campaigns.controller';
import { AdminConfirmationsViews } from './admin-confirmations.views';
import { AdminCampaignsViews } from './admin-campaigns.views';
import { AdminDashboardController } from './admin-dashboard.controller';
import { AdminDonationsController } from './admin-donations.controller';
import { AdminDonationsViews } from './admin-donations.views';
import { AdminFoundationController } from './admin-foundation.controller';
import { AdminFundsController } from './admin-funds.controller';
import { AdminFundsViews } from './admin-funds.views';
import { AdminGrantsAttachmentsController } from './admin-grants-attachments.controller';
import { AdminGrantsAwardsController } from './admin-grants-awards.controller';
import { AdminGrantsAwardsViews } from './admin-grants-awards.views';
import { AdminGrantsEvaluationsController } from './admin-grants-evaluations.controller';
import { AdminGrantsEvaluationsViews } from './admin-grants-evaluations.views';
import { AdminGrantsExpensesController } from './admin-grants-expenses.controller';
import { AdminGrantsExpensesViews } from './admin-grants-expenses.views';
import { AdminGrantsInsightsController } from './admin-grants-insights.controller';
import { AdminGrantsInsightsViews } from './admin-grants-insights.views';
import { AdminGrantsRoundsController } from './admin-grants-rounds.controller';
import { AdminGrantsGranteeController } from './admin-grants-grantee.controller';
import { AdminGrantsRoundsViews } from './admin-grants-rounds.views';
import { AdminMatchingRuleViews } from './admin-matching-rule.views';
import { AdminMatchingRulesController } from './admin-matching-rules.controller';
import { AdminPaymentEventsController } from './admin-payment-events.controller';
import { AdminPrivacyRequestsController } from './admin-privacy-requests.controller';
import { AdminPeopleViews } from './admin-people.views';
import { AdminReleasesController } from './admin-releases.controller';
import { AdminReleasesViews } from './admin-releases.views';
import { AdminTokensController } from './admin-tokens.controller';
import { AdminPrivacyController } from './admin-privacy.controller';
import { AdminReceiptsController } from './admin-receipts.controller';
import { AdminUsersController } from './admin-users.controller';
import { AdminRetentionController } from './admin-retention.controller';

/** The back office: server-rendered pages over the domain services (no repositories here). */
@Module({
  imports: [
    AccountsModule,
    AllocationsModule,
    CampaignsModule,
    DonationsModule,
    FoundationModule,
    FundsModule,
    GrantsModule,
    MatchingModule,
    PrivacyModule,
    ReceiptsModule,
    ReportingModule,
  ],
  controllers: [
    AdminDashboardController,
    AdminFundsController,
    AdminAllocationsController,
    AdminDonationsController,
    AdminCampaignsController,
    AdminMatchingRulesController,
    AdminUsersController,
    AdminAuditController,
    AdminTokensController,
    AdminPaymentEventsController,
    AdminReleasesController,
    AdminGrantsRoundsController,
    AdminGrantsAwardsController,
    AdminGrantsEvaluationsController,
    AdminGrantsInsightsController,
    AdminGrantsExpensesController,
    AdminGrantsAttachmentsController,
    AdminGrantsGranteeController,
    AdminReceiptsController,
    AdminFoundationController,
    AdminPrivacyRequestsController,
    AdminPrivacyController,
    AdminRetentionController,
  ],
  providers: [
    AdminFundsViews,
    AdminConfirmationsViews,
    AdminPeopleViews,
    AdminDonationsViews,
    AdminCampaignsViews,
    AdminReleasesViews,
    AdminMatchingRuleViews,
    AdminGrantsRoundsViews,
    AdminGrantsAwardsViews,
    AdminGrantsEvaluationsViews,
    AdminGrantsInsightsViews,
    AdminGrantsExpensesViews,
  ],
})
export class AdminModule {}
