import type { DataSource } from 'typeorm';
import { TransactionService } from '../../src/database/transaction.service';
import { AuditRepository } from '../../src/modules/audit/audit.repository';
import { AuditService } from '../../src/modules/audit/audit.service';
import { LedgerCheckRepository } from '../../src/modules/ledger/ledger-check.repository';
import { LedgerRepository } from '../../src/modules/ledger/ledger.repository';
import { LedgerStatementsRepository } from '../../src/modules/ledger/ledger-statements.repository';
import { LedgerService } from '../../src/modules/ledger/ledger.service';

/**
 * The ledger's services wired by hand on `dataSource`, as Nest wires them (no HTTP, no queues):
 * what the ledger bench drives. Type-checked against src/, so a changed constructor fails
 * `npm run typecheck` instead of the next bench run.
 */
export function ledgerServices(dataSource: DataSource): {
  ledger: LedgerService;
  repository: LedgerRepository;
} {
  const repository = new LedgerRepository();
  const audit = new AuditService(new AuditRepository(dataSource));
  return {
    ledger: new LedgerService(
      new TransactionService(dataSource),
      repository,
      audit,
      new LedgerStatementsRepository(),
      new LedgerCheckRepository(),
    ),
    repository,
  };
}
