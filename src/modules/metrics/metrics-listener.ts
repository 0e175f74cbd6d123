import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppConfig } from '../../config/app-config';
import { PROCESS_ROLE, type ProcessRole } from '../../queue/queue.constants';
import { MetricsEndpoint } from './metrics-endpoint';

/**
 * With METRICS_PORT, the internal listener on METRICS_HOST (127.0.0.1 by default) that serves
 * GET /metrics and nothing else, in web and worker processes (a worker has no other HTTP port).
 * CLI commands do not listen.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly config: AppConfig,
    private readonly endpoint: MetricsEndpoint,
    private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(PROCESS_ROLE) private readonly declaredRole?: ProcessRole,
  ) {}

  /** The port it listens on (METRICS_PORT), once listening. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { port, host } = this.config.metrics;
    const role = this.declaredRole ?? (this.adapterHost.httpAdapter ? 'web' : 'cli');
    if (port === undefined || role === 'cli') return;
    const server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0];
      if (request.method !== 'GET' || path !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics here.\n');
        return;
      }
      this.endpoint.answer(request.headers.authorization).then(
        (answer) => response.writeHead(answer.status, answer.headers).end(answer.body),
        (error: Error) => {
          this.logger.error(`metrics scrape failed: ${error.message}`);
          response.writeHead(500, { 'content-type': 'text/plain' }).end('Scrape failed.\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.logger.log(`metrics on http://${host}:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
