import { Module } from '@nestjs/common';
import { FundsModule } from '../funds/funds.module';
import { LedgerModule } from '../ledger/ledger.module';
import { NotificationsModule } from '../notifications/notifications.module';
// insights: dashboard, reminders, public projects
import { GrantReminders } from './insights/grant-reminders';
import { GrantsDashboardController } from './insights/grants-dashboard.controller';
import { GrantsInsightsService } from './insights/grants-insights.service';
import { InsightsRepository } from './insights/insights.repository';
// end insights

/**
 * Money out (以奖代补): grant rounds, applications and their review, awards paid in tranches,
 * grantee reports and acceptance inspections, resident evaluations, and fund expenses.
 */
@Module({
  imports: [FundsModule, LedgerModule, NotificationsModule],
  controllers: [
    // insights
    GrantsDashboardController,
    // end insights
  ],
  providers: [
    // insights
    InsightsRepository,
    GrantsInsightsService,
    GrantReminders,
    // end insights
  ],
  exports: [
    // insights
    GrantsInsightsService,
    GrantReminders,
    // end insights
  ],
})
export class GrantsModule {}
