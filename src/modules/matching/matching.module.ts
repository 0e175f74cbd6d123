import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { FundsModule } from '../funds/funds.module';
import { LedgerModule } from '../ledger/ledger.module';
import { MatchingController } from './matching.controller';
import { MatchingRepository } from './matching.repository';
import { MatchingService } from './matching.service';
import { SponsorReportService } from './sponsor-report.service';

@Module({
  imports: [FundsModule, LedgerModule, CampaignsModule],
  controllers: [MatchingController],
  providers: [MatchingRepository, MatchingService, SponsorReportService],
  exports: [MatchingService, SponsorReportService],
})
export class MatchingModule {}
