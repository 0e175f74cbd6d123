import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PollingLoop } from '../../queue/polling-loop';
import { SessionsRepository } from './repositories/sessions.repository';
import { OneTimeLinksRepository } from './repositories/one-time-links.repository';

const SWEEP_MS = 60 * 60_000;

/**
 * Deletes expired sessions and long-expired one-time links once an hour in the web server (they
 * already grant nothing: every read checks expiry; this keeps the tables small).
 */
@Injectable()
export class SessionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SessionSweeper');
  private loop?: PollingLoop;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly links: OneTimeLinksRepository,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.adapterHost.httpAdapter) return; // CLI commands do not run loops
    this.loop = new PollingLoop('session sweeper', () => this.sweep(), SWEEP_MS, this.logger);
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }

  /** One pass; never reports a full batch (the next pass is an hour away). */
  async sweep(): Promise<false> {
    const sessions = await this.sessions.deleteExpiredSessions();
    const links = await this.links.deleteExpiredOneTimeTokens();
    if (sessions + links > 0)
      this.logger.log(`deleted ${sessions} expired sessions, ${links} expired one-time links`);
    return false;
  }
}
