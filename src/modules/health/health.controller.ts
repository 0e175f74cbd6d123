import { Public } from '../../common/auth/policy.decorator';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HealthService } from './health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Public()
  async report(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.health.report();
    void reply.status(report.checks.database.status === 'up' ? 200 : 503);
    return report;
  }

  /** 200 while the process runs: touches no dependency (a restart would not fix a database). */
  @Get('live')
  @Public()
  live() {
    return { status: 'live' };
  }

  /** 200 when this process can serve: database, migrations, Redis when configured; else 503. */
  @Get('ready')
  @Public()
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const report = await this.health.readiness();
    void reply.status(report.status === 'ready' ? 200 : 503);
    return report;
  }
}
