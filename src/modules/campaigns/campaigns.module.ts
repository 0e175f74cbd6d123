import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '../accounts/accounts.module';
import { FundsModule } from '../funds/funds.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { Campaign } from './campaign.entity';
import { CampaignTotalsService } from './campaign-totals.service';
import { CampaignUpdate } from './campaign-update.entity';
import { CampaignsController } from './campaigns.controller';
import { CampaignsRepository } from './campaigns.repository';
import { CampaignsService } from './campaigns.service';
import { CoverStorage } from './cover-storage';
import { UploadsController } from './uploads.controller';

@Module({
  imports: [
    TypeOrmModule.forFeature([Campaign, CampaignUpdate]),
    FundsModule,
    AccountsModule,
    NotificationsModule,
  ],
  controllers: [CampaignsController, UploadsController],
  providers: [CampaignsRepository, CampaignsService, CampaignTotalsService, CoverStorage],
  exports: [CampaignsService, CampaignTotalsService],
})
export class CampaignsModule {}
