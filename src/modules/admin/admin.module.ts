import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { AllocationsModule } from '../allocations/allocations.module';
import { FoundationModule } from '../foundation/foundation.module';
import { FundsModule } from '../funds/funds.module';
import { ReportingModule } from '../reporting/reporting.module';
import { AdminAllocationsController } from './admin-allocations.controller';
import { AdminAuditController } from './admin-audit.controller';
import { AdminDashboardController } from './admin-dashboard.controller';
import { AdminFundsController } from './admin-funds.controller';
import { AdminFundsViews } from './admin-funds.views';
import { AdminPeopleViews } from './admin-people.views';
import { AdminTokensController } from './admin-tokens.controller';
import { AdminUsersController } from './admin-users.controller';

/** The back office: server-rendered pages over the domain services (no repositories here). */
@Module({
  imports: [AccountsModule, AllocationsModule, FoundationModule, FundsModule, ReportingModule],
  controllers: [
    AdminDashboardController,
    AdminFundsController,
    AdminAllocationsController,
    AdminUsersController,
    AdminAuditController,
    AdminTokensController,
  ],
  providers: [AdminFundsViews, AdminPeopleViews],
})
export class AdminModule {}
