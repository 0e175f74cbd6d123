import { Module } from '@nestjs/common';
import { FundsModule } from '../funds/funds.module';
import { LedgerModule } from '../ledger/ledger.module';
import { NotificationsModule } from '../notifications/notifications.module';
// ---- awards part ----
import { AwardEmails } from './awards/award-emails';
import { AwardsController } from './awards/awards.controller';
import { AwardsRepository } from './awards/awards.repository';
import { AwardsService } from './awards/awards.service';
import { ReportsService } from './awards/reports.service';
import { TranchesService } from './awards/tranches.service';
// ---- end awards part ----

/**
 * Money out (以奖代补): grant rounds, applications and their review, awards paid in tranches,
 * grantee reports and acceptance inspections, resident evaluations, and fund expenses.
 */
@Module({
  imports: [FundsModule, LedgerModule, NotificationsModule],
  controllers: [
    // awards part
    AwardsController,
  ],
  providers: [
    // awards part
    AwardsRepository,
    AwardsService,
    TranchesService,
    ReportsService,
    AwardEmails,
  ],
  exports: [
    // awards part
    AwardsService,
    TranchesService,
    ReportsService,
  ],
})
export class GrantsModule {}
