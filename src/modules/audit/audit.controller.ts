import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { Allow } from '../../common/auth/policy.decorator';
import { AuditService } from './audit.service';
import { DonorExportAudit } from './donor-exports';
import { AuditQueryDto } from './dto/audit-query.dto';

@ApiTags('audit')
@Controller('api/v1/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly exportAudit: DonorExportAudit,
  ) {}

  @Get()
  @Allow('ADMIN')
  @ApiOperation({ summary: 'The audit log, newest first, with filters' })
  list(@Query() query: AuditQueryDto) {
    return this.audit.list(query);
  }

  @Get('export.csv')
  @Allow('ADMIN')
  @ApiOperation({ summary: 'The filtered audit log as CSV' })
  export(@Query() query: AuditQueryDto, @Res() reply: FastifyReply) {
    const { limit: _limit, cursor: _cursor, ...filter } = query;
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="audit-log.csv"')
      .send(
        Readable.from(
          this.exportAudit.track(
            'api-audit-log.csv',
            { ...filter, from: filter.from?.toISOString(), to: filter.to?.toISOString() },
            this.audit.csv(filter),
          ),
        ),
      );
  }
}
