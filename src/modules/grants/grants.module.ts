import { Module } from '@nestjs/common';
import { FundsModule } from '../funds/funds.module';
import { LedgerModule } from '../ledger/ledger.module';
import { NotificationsModule } from '../notifications/notifications.module';
// evaluations
import { EvaluationsController } from './evaluations/evaluations.controller';
import { EvaluationsRepository } from './evaluations/evaluations.repository';
import { EvaluationsService } from './evaluations/evaluations.service';
// end evaluations

/**
 * Money out (以奖代补): grant rounds, applications and their review, awards paid in tranches,
 * grantee reports and acceptance inspections, resident evaluations, and fund expenses.
 */
@Module({
  imports: [FundsModule, LedgerModule, NotificationsModule],
  controllers: [
    // evaluations
    EvaluationsController,
  ],
  providers: [
    // evaluations
    EvaluationsService,
    EvaluationsRepository,
  ],
  exports: [
    // evaluations
    EvaluationsService,
  ],
})
export class GrantsModule {}
