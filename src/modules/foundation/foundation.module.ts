import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LedgerModule } from '../ledger/ledger.module';
import { Community } from './community.entity';
import { FoundationController } from './foundation.controller';
import { Foundation } from './foundation.entity';
import { FoundationRepository } from './foundation.repository';
import { FoundationService } from './foundation.service';
import { Subdistrict } from './subdistrict.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Foundation, Subdistrict, Community]), LedgerModule],
  controllers: [FoundationController],
  providers: [FoundationRepository, FoundationService],
  exports: [FoundationService],
})
export class FoundationModule {}
