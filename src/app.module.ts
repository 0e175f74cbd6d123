import { Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AccountsModule } from './modules/accounts/accounts.module';
import { AdminModule } from './modules/admin/admin.module';
import { AllocationsModule } from './modules/allocations/allocations.module';
import { AuditModule } from './modules/audit/audit.module';
import { FoundationModule } from './modules/foundation/foundation.module';
import { FundsModule } from './modules/funds/funds.module';
import { HealthModule } from './modules/health/health.module';
import { LedgerModule } from './modules/ledger/ledger.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { PublicSiteModule } from './modules/public-site/public-site.module';
import { ReportingModule } from './modules/reporting/reporting.module';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    AuditModule,
    LedgerModule,
    FoundationModule,
    FundsModule,
    AllocationsModule,
    AccountsModule,
    HealthModule,
    PublicSiteModule,
    ReportingModule,
    AdminModule,
    NotificationsModule,
  ],
})
export class AppModule {}
