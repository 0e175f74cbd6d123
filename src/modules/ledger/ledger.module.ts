import { Module } from '@nestjs/common';
import { LedgerController } from './ledger.controller';
import { LedgerCheckRepository } from './ledger-check.repository';
import { LedgerRepository } from './ledger.repository';
import { LedgerStatementsRepository } from './ledger-statements.repository';
import { LedgerService } from './ledger.service';

@Module({
  controllers: [LedgerController],
  providers: [LedgerRepository, LedgerStatementsRepository, LedgerCheckRepository, LedgerService],
  exports: [LedgerService],
})
export class LedgerModule {}
