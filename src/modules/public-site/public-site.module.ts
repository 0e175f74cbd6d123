import { Module } from '@nestjs/common';
import { FoundationModule } from '../foundation/foundation.module';
import { FundsModule } from '../funds/funds.module';
import { PublicPagesController } from './public-pages.controller';
import { PublicSiteService } from './public-site.service';

@Module({
  imports: [FoundationModule, FundsModule],
  controllers: [PublicPagesController],
  providers: [PublicSiteService],
})
export class PublicSiteModule {}
