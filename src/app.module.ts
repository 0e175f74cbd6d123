import { Module } from '@nestjs/common';
import { UploadParser } from './common/http/upload-parser';
import { PageCacheModule } from './common/page-cache/page-cache.module';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { InFlightRequests } from './common/shutdown/in-flight-requests';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AccountsModule } from './modules/accounts/accounts.module';
import { AdminModule } from './modules/admin/admin.module';
import { AllocationsModule } from './modules/allocations/allocations.module';
import { AuditModule } from './modules/audit/audit.module';
import { CampaignsModule } from './modules/campaigns/campaigns.module';
import { DonationsModule } from './modules/donations/donations.module';
import { MatchingModule } from './modules/matching/matching.module';
import { MetricsModule } from './modules/metrics/metrics.module';
import { FoundationModule } from './modules/foundation/foundation.module';
import { FundsModule } from './modules/funds/funds.module';
import { GrantsModule } from './modules/grants/grants.module';
import { HealthModule } from './modules/health/health.module';
import { LedgerModule } from './modules/ledger/ledger.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { PaymentsModule } from './modules/payments/payments.module';
import { PrivacyModule } from './modules/privacy/privacy.module';
import { PrivacyPolicyModule } from './modules/privacy/policy/privacy-policy.module';
import { PublicSiteModule } from './modules/public-site/public-site.module';
import { ReceiptsModule } from './modules/receipts/receipts.module';
import { ReportingModule } from './modules/reporting/reporting.module';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    PageCacheModule,
    RateLimitModule,
    AuditModule,
    PrivacyPolicyModule,
    LedgerModule,
    FoundationModule,
    FundsModule,
    CampaignsModule,
    MatchingModule,
    DonationsModule,
    ReceiptsModule,
    AllocationsModule,
    GrantsModule,
    AccountsModule,
    HealthModule,
    MetricsModule,
    PublicSiteModule,
    ReportingModule,
    AdminModule,
    NotificationsModule,
    PaymentsModule,
    PrivacyModule,
  ],
  /**
   * One body parser for every upload route (covers, grant attachments), registered once; the
   * requests in progress, which a stopping web process finishes first.
   */
  providers: [UploadParser, InFlightRequests],
})
export class AppModule {}
