import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { BullQueues } from './bull-queues';
import { OutboxDrainer } from './outbox-drainer';
import { OutboxExecutor } from './outbox-executor';
import { OutboxHandlerRegistry } from './outbox-handlers';
import { OutboxRelay } from './outbox-relay';
import { PollingLoop } from './polling-loop';
import { PROCESS_ROLE, type ProcessRole } from './queue.constants';

export type QueueMode = 'redis' | 'in-process';

/**
 * Decides what this process runs, starts it after every module has initialised (processors have
 * registered by then) and stops it before the database closes:
 *
 * | role   | REDIS_URL set                               | no REDIS_URL                  |
 * | ------ | ------------------------------------------- | ----------------------------- |
 * | web    | relay; BullMQ workers if QUEUE_PROCESSORS   | drainer if QUEUE_PROCESSORS   |
 * | worker | relay and BullMQ workers                    | drainer                       |
 * | cli    | nothing: rows wait for a web or worker process                              |
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Outbox');
  private loop?: PollingLoop;
  role: ProcessRole = 'cli';

  constructor(
    private readonly config: AppConfig,
    private readonly relay: OutboxRelay,
    private readonly drainer: OutboxDrainer,
    private readonly executor: OutboxExecutor,
    private readonly handlers: OutboxHandlerRegistry,
    private readonly queues: BullQueues,
    private readonly adapterHost: HttpAdapterHost,
    @Optional() @Inject(PROCESS_ROLE) private readonly declaredRole?: ProcessRole,
  ) {}

  get mode(): QueueMode {
    return this.config.redisUrl ? 'redis' : 'in-process';
  }

  onApplicationBootstrap(): void {
    this.role = this.declaredRole ?? (this.adapterHost.httpAdapter ? 'web' : 'cli');
    if (this.role === 'cli') return;
    const processors = this.role === 'worker' || this.config.queue.processors;
    const { pollMs } = this.config.queue;
    if (this.mode === 'redis') {
      this.loop = new PollingLoop('outbox relay', () => this.relay.tick(), pollMs, this.logger);
      if (processors) {
        this.queues.startWorkers(this.handlers.kinds(), (id) => this.executor.execute(id, 'queue'));
      }
    } else if (processors) {
      this.loop = new PollingLoop(
        'outbox drainer',
        (stopping) => this.drainer.tick(stopping),
        pollMs,
        this.logger,
      );
    } else {
      this.logger.warn(
        'QUEUE_PROCESSORS=false and no REDIS_URL: outbox rows wait for a worker process (npm run start:worker)',
      );
    }
    this.loop?.start();
    this.logger.log(`${this.role}: ${this.mode} queue, processors ${processors ? 'on' : 'off'}`);
  }

  /** Relay or drainer passes finished in this process (0 when neither runs). */
  get passes(): number {
    return this.loop?.passes ?? 0;
  }

  /** Runs the relay or drainer now instead of at the next poll (called after an enqueue commits). */
  nudge(): void {
    this.loop?.nudge();
  }

  /** Jobs this process is running right now (`kind id`), for the log of an abandoning shutdown. */
  unfinished(): string[] {
    return [...this.queues.active(), ...this.drainer.active()];
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop?.stop();
    await this.queues.close();
  }
}
