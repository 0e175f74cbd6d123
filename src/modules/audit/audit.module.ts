import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { DonorExportAudit } from './donor-exports';

/** Global: every module that changes money, approvals, roles or settings records here. */
@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditRepository, AuditService, DonorExportAudit],
  exports: [AuditService, DonorExportAudit],
})
export class AuditModule {}
