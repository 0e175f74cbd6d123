import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RequestContext } from '../../../common/context/request-context';
import { PollingLoop } from '../../../queue/polling-loop';
import { RetentionService } from './retention.service';

/** First look a few minutes after start (a restart storm does not run it at once). */
const START_DELAY_MS = 5 * 60_000;
/** Then once an hour; the run itself happens when the last scheduled one is 20 h old. */
const CHECK_MS = 60 * 60_000;

/**
 * The retention job's schedule, in web processes only (CLI commands do not run loops; the worker
 * has no HTTP adapter either). Every process asks hourly whether a scheduled run is due, so it
 * runs about once a day however many processes there are, and the advisory lock keeps two from
 * running together. Stops on shutdown, letting a step in progress finish.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RetentionScheduler');
  private loop?: PollingLoop;
  private startTimer?: NodeJS.Timeout;

  constructor(
    private readonly retention: RetentionService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.adapterHost.httpAdapter) return;
    this.loop = new PollingLoop('retention job', () => this.tick(), CHECK_MS, this.logger);
    this.startTimer = setTimeout(() => this.loop?.start(), START_DELAY_MS);
    this.startTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.startTimer);
    await this.loop?.stop();
  }

  /** One check; never reports a full batch (the next check is an hour away). */
  async tick(): Promise<false> {
    await RequestContext.run({ actor: { kind: 'system', label: 'retention' } }, () =>
      this.retention.runScheduledIfDue(),
    );
    return false;
  }
}
