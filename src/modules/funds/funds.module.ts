import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FoundationModule } from '../foundation/foundation.module';
import { LedgerModule } from '../ledger/ledger.module';
import { Fund } from './fund.entity';
import { FundOutflowService } from './fund-outflow.service';
import { FundReservationsRepository } from './fund-reservations.repository';
import { FundsController } from './funds.controller';
import { FundsRepository } from './funds.repository';
import { FundsService } from './funds.service';

@Module({
  imports: [TypeOrmModule.forFeature([Fund]), FoundationModule, LedgerModule],
  controllers: [FundsController],
  providers: [FundsRepository, FundsService, FundReservationsRepository, FundOutflowService],
  exports: [FundsService, FundOutflowService],
})
export class FundsModule {}
