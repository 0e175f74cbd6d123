import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { FundsModule } from '../funds/funds.module';
import { LedgerModule } from '../ledger/ledger.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { AwardEmails } from './awards/award-emails';
import { AwardsController } from './awards/awards.controller';
import { AwardsRepository } from './awards/awards.repository';
import { AwardsService } from './awards/awards.service';
import { ReportsService } from './awards/reports.service';
import { TranchesService } from './awards/tranches.service';
import { EvaluationsController } from './evaluations/evaluations.controller';
import { EvaluationsRepository } from './evaluations/evaluations.repository';
import { EvaluationsService } from './evaluations/evaluations.service';
import { GrantReminders } from './insights/grant-reminders';
import { GrantsDashboardController } from './insights/grants-dashboard.controller';
import { GrantsInsightsService } from './insights/grants-insights.service';
import { InsightsRepository } from './insights/insights.repository';
import { ReviewsController } from './reviews/reviews.controller';
import { ReviewsRepository } from './reviews/reviews.repository';
import { ReviewsService } from './reviews/reviews.service';
import { ApplicationsController } from './rounds/applications.controller';
import { ApplicationsRepository } from './rounds/applications.repository';
import { ApplicationsService } from './rounds/applications.service';
import { RoundsController } from './rounds/rounds.controller';
import { RoundsRepository } from './rounds/rounds.repository';
import { RoundsService } from './rounds/rounds.service';
import { AttachmentStorage } from './attachments/attachment-storage';
import { GrantAttachmentsController } from './attachments/attachments.controller';
import { GrantAttachmentsRepository } from './attachments/attachments.repository';
import { GrantAttachmentsService } from './attachments/attachments.service';
import { ExpensesController } from './expenses/expenses.controller';
import { ExpensesRepository } from './expenses/expenses.repository';
import { ExpensesService } from './expenses/expenses.service';

/**
 * Money out (以奖代补): grant rounds, applications and their review (`rounds/`, `reviews/`),
 * awards paid in tranches with grantee reports and acceptance inspections (`awards/`), resident
 * evaluations (`evaluations/`), fund expenses and attachments (`expenses/`, `attachments/`), and
 * the dashboard, reminders and public project pages (`insights/`).
 */
@Module({
  imports: [FundsModule, LedgerModule, AccountsModule, NotificationsModule],
  controllers: [
    RoundsController,
    ApplicationsController,
    ReviewsController,
    AwardsController,
    EvaluationsController,
    GrantsDashboardController,
    ExpensesController,
    GrantAttachmentsController,
  ],
  providers: [
    RoundsRepository,
    RoundsService,
    ApplicationsRepository,
    ApplicationsService,
    ReviewsRepository,
    ReviewsService,
    AwardsRepository,
    AwardsService,
    TranchesService,
    ReportsService,
    AwardEmails,
    EvaluationsRepository,
    EvaluationsService,
    InsightsRepository,
    GrantsInsightsService,
    GrantReminders,
    ExpensesRepository,
    ExpensesService,
    AttachmentStorage,
    GrantAttachmentsRepository,
    GrantAttachmentsService,
  ],
  exports: [
    RoundsService,
    ApplicationsService,
    ReviewsService,
    AwardsService,
    TranchesService,
    ReportsService,
    EvaluationsService,
    GrantsInsightsService,
    GrantReminders,
    ExpensesService,
    GrantAttachmentsService,
  ],
})
export class GrantsModule {}
