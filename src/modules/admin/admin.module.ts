import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AllocationsModule } from '../allocations/allocations.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { DonationsModule } from '../donations/donations.module';
import { FoundationModule } from '../foundation/foundation.module';
import { FundsModule } from '../funds/funds.module';
import { GrantsModule } from '../grants/grants.module';
import { MatchingModule } from '../matching/matching.module';
import { ReportingModule } from '../reporting/reporting.module';
import { AdminAllocationsController } from './admin-allocations.controller';
import { AdminAuditController } from './admin-audit.controller';
import { AdminCampaignsController } from './admin-campaigns.controller';
import { AdminCampaignsViews } from './admin-campaigns.views';
import { AdminDashboardController } from './admin-dashboard.controller';
import { AdminDonationsController } from './admin-donations.controller';
import { AdminDonationsViews } from './admin-donations.views';
import { AdminFundsController } from './admin-funds.controller';
import { AdminFundsViews } from './admin-funds.views';
import { AdminMatchingRulesController } from './admin-matching-rules.controller';
import { AdminMatchingRuleViews } from './admin-matching-rule.views';
import { AdminPaymentEventsController } from './admin-payment-events.controller';
import { AdminPeopleViews } from './admin-people.views';
import { AdminReleasesController } from './admin-releases.controller';
import { AdminReleasesViews } from './admin-releases.views';
import { AdminTokensController } from './admin-tokens.controller';
import { AdminUsersController } from './admin-users.controller';
// --- grants: expenses
import { AdminGrantsAttachmentsController } from './admin-grants-attachments.controller';
import { AdminGrantsExpensesController } from './admin-grants-expenses.controller';
import { AdminGrantsExpensesViews } from './admin-grants-expenses.views';
// --- end grants: expenses

/** The back office: server-rendered pages over the domain services (no repositories here). */
@Module({
  imports: [
    AccountsModule,
    AllocationsModule,
    CampaignsModule,
    DonationsModule,
    FoundationModule,
    FundsModule,
    MatchingModule,
    // --- grants: expenses
    GrantsModule,
    // --- end grants: expenses
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
    // --- grants: expenses
    AdminGrantsExpensesController,
    AdminGrantsAttachmentsController,
    // --- end grants: expenses
  ],
  providers: [
    AdminFundsViews,
    AdminPeopleViews,
    AdminDonationsViews,
    AdminCampaignsViews,
    AdminReleasesViews,
    AdminMatchingRuleViews,
    // --- grants: expenses
    AdminGrantsExpensesViews,
    // --- end grants: expenses
  ],
})
export class AdminModule {}
