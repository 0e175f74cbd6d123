import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { BullQueues } from './bull-queues';
import type { OutboxKind } from './outbox-kinds';
import { type OutboxKindStats, OutboxRepository } from './outbox.repository';
import { QUEUE_NAMES, type QueueName } from './queue.constants';

/** Jobs of one queue in one state. */
export interface QueueDepth {
  queue: QueueName;
  state: 'waiting' | 'active' | 'delayed' | 'failed';
  count: number;
}

/** How long a scrape waits for Redis before leaving the queue depths out. */
const REDIS_TIMEOUT_MS = 2_000;

/**
 * What the outbox and the queue hold right now, for the metrics: the outbox table always, and the
 * queue's depth from BullMQ with REDIS_URL, else from the outbox table itself, which is the
 * in-process queue (due rows wait, retries are delayed, given-up rows failed).
 */
@Injectable()
export class QueueStats {
  constructor(
    private readonly config: AppConfig,
    private readonly outbox: OutboxRepository,
    private readonly queues: BullQueues,
  ) {}

  outboxStats(): Promise<OutboxKindStats[]> {
    return this.outbox.stats();
  }

  /** Depth by queue and state; null when Redis did not answer in time. */
  async depth(outbox: readonly OutboxKindStats[]): Promise<QueueDepth[] | null> {
    if (!this.config.redisUrl) {
      return outbox.flatMap((row) => [
        { queue: QUEUE_NAMES[row.kind], state: 'waiting' as const, count: row.due },
        { queue: QUEUE_NAMES[row.kind], state: 'delayed' as const, count: row.delayed },
        { queue: QUEUE_NAMES[row.kind], state: 'failed' as const, count: row.failed },
      ]);
    }
    const kinds = Object.keys(QUEUE_NAMES) as OutboxKind[];
    if (!kinds.every((kind) => this.queues.isReady(kind))) return null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), REDIS_TIMEOUT_MS);
    });
    const counts = Promise.all(
      kinds.map(async (kind) => {
        const c = await this.queues
          .queue(kind)
          .getJobCounts('waiting', 'active', 'delayed', 'failed');
        return (['waiting', 'active', 'delayed', 'failed'] as const).map((state) => ({
          queue: QUEUE_NAMES[kind],
          state,
          count: c[state] ?? 0,
        }));
      }),
    ).then((perQueue) => perQueue.flat());
    try {
      return await Promise.race([counts, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
