import { Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AllocationsModule } from './modules/allocations/allocations.module';
import { FoundationModule } from './modules/foundation/foundation.module';
import { FundsModule } from './modules/funds/funds.module';
import { HealthModule } from './modules/health/health.module';
import { LedgerModule } from './modules/ledger/ledger.module';
import { PublicSiteModule } from './modules/public-site/public-site.module';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    LedgerModule,
    FoundationModule,
    FundsModule,
    AllocationsModule,
    HealthModule,
    PublicSiteModule,
  ],
})
export class AppModule {}
