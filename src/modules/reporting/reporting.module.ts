import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { DonationsModule } from '../donations/donations.module';
import { FoundationModule } from '../foundation/foundation.module';
import { FundsModule } from '../funds/funds.module';
import { LedgerModule } from '../ledger/ledger.module';
import { PublicLedgerRepository } from './public-ledger.repository';
import { ReportingService } from './reporting.service';

/** Dashboards, charts (server-rendered SVG) and exports; read-only. */
@Module({
  imports: [CampaignsModule, DonationsModule, FoundationModule, FundsModule, LedgerModule],
  providers: [ReportingService, PublicLedgerRepository],
  exports: [ReportingService],
})
export class ReportingModule {}
