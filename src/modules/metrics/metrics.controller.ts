import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/auth/policy.decorator';
import { MetricsEndpoint } from './metrics-endpoint';

/** Prometheus's scrape on the main port (see MetricsEndpoint for who may read it). */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly endpoint: MetricsEndpoint) {}

  @Get()
  @Public()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const answer = await this.endpoint.onMainPort(authorization);
    await reply.status(answer.status).headers(answer.headers).send(answer.body);
  }
}
