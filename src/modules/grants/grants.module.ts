import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { FundsModule } from '../funds/funds.module';
import { LedgerModule } from '../ledger/ledger.module';
import { NotificationsModule } from '../notifications/notifications.module';
// ---- rounds, applications, reviews (rounds part) ----
import { ReviewsController } from './reviews/reviews.controller';
import { ReviewsRepository } from './reviews/reviews.repository';
import { ReviewsService } from './reviews/reviews.service';
import { ApplicationsController } from './rounds/applications.controller';
import { ApplicationsRepository } from './rounds/applications.repository';
import { ApplicationsService } from './rounds/applications.service';
import { RoundsController } from './rounds/rounds.controller';
import { RoundsRepository } from './rounds/rounds.repository';
import { RoundsService } from './rounds/rounds.service';
// ---- end rounds part ----

/**
 * Money out (以奖代补): grant rounds, applications and their review, awards paid in tranches,
 * grantee reports and acceptance inspections, resident evaluations, and fund expenses.
 */
@Module({
  imports: [FundsModule, LedgerModule, AccountsModule, NotificationsModule],
  controllers: [
    // rounds part
    RoundsController,
    ApplicationsController,
    ReviewsController,
  ],
  providers: [
    // rounds part
    RoundsRepository,
    RoundsService,
    ApplicationsRepository,
    ApplicationsService,
    ReviewsRepository,
    ReviewsService,
  ],
  exports: [
    // rounds part
    RoundsService,
    ApplicationsService,
    ReviewsService,
  ],
})
export class GrantsModule {}
