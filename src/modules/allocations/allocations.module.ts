import { Module } from '@nestjs/common';
import { FundsModule } from '../funds/funds.module';
import { LedgerModule } from '../ledger/ledger.module';
import { AllocationsController } from './allocations.controller';
import { AllocationsService } from './allocations.service';
import { ReleasesController } from './releases.controller';
import { ReleasesRepository } from './releases.repository';
import { ReleasesService } from './releases.service';

@Module({
  imports: [FundsModule, LedgerModule],
  controllers: [AllocationsController, ReleasesController],
  providers: [AllocationsService, ReleasesService, ReleasesRepository],
  exports: [AllocationsService, ReleasesService],
})
export class AllocationsModule {}
