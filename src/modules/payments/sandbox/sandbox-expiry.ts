import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../../../config/app-config';
import { PollingLoop } from '../../../queue/polling-loop';
import { EXPIRE_BATCH, SandboxProcessor } from './sandbox-processor';

const POLL_MS = 60_000;

/**
 * Stripe closes an unpaid checkout after 24 hours and says so with `checkout.session.expired`;
 * this loop does the same for the sandbox's checkouts, so a gift the donor walked away from ends
 * EXPIRED there too. Only in the web server, and only while the sandbox is the provider.
 */
@Injectable()
export class SandboxExpiry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SandboxExpiry');
  private loop?: PollingLoop;

  constructor(
    private readonly config: AppConfig,
    private readonly processor: SandboxProcessor,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.paymentProvider !== 'SANDBOX' || !this.adapterHost.httpAdapter) return;
    this.loop = new PollingLoop(
      'sandbox checkout expiry',
      async () => (await this.processor.expireOverdue()) === EXPIRE_BATCH,
      POLL_MS,
      this.logger,
    );
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }
}
