import { Injectable, Logger } from '@nestjs/common';
import { RequestContext } from '../common/context/request-context';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../modules/metrics/metrics.service';
import { OutboxHandlerRegistry, PermanentOutboxError } from './outbox-handlers';
import { OutboxRepository } from './outbox.repository';
import { afterFailure, isOpen } from './outbox-status';
import type { OutboxMessage } from './outbox.entity';
import { QUEUE_NAMES } from './queue.constants';

export type ExecutionOutcome =
  | { result: 'sent' }
  | { result: 'skipped'; reason: string }
  | { result: 'retry'; error: string }
  | { result: 'failed'; error: string };

/**
 * Runs one outbox row through its handler and records the outcome, for both the BullMQ processors
 * and the in-process drainer. Idempotent: a missing, SENT or FAILED row is skipped, so a job
 * delivered twice sends once. (A crash after the handler succeeded but before SENT was written
 * would repeat the side effect: delivery is at least once, which is why emails carry a
 * Message-ID derived from the row id.)
 *
 * `retryBy: 'queue'` leaves the retry to BullMQ (the row keeps its status); `'table'` sets the row
 * back to PENDING at its next attempt time for the drainer. Either way the row counts attempts
 * and, once `OUTBOX_MAX_ATTEMPTS` is reached, becomes FAILED.
 */
@Injectable()
export class OutboxExecutor {
  private readonly logger = new Logger('Outbox');

  constructor(
    private readonly repo: OutboxRepository,
    private readonly handlers: OutboxHandlerRegistry,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  async execute(id: string, retryBy: 'queue' | 'table'): Promise<ExecutionOutcome> {
    const row = await this.repo.find(id);
    if (!row) return { result: 'skipped', reason: 'no such outbox row' };
    if (!isOpen(row.status)) return { result: 'skipped', reason: `already ${row.status}` };
    // The job runs, and logs, under the id of the request that wrote the row.
    const context = { ...RequestContext.current(), requestId: row.requestId ?? undefined };
    return RequestContext.run(context, async () => {
      const started = performance.now();
      const outcome = await this.run(row, retryBy);
      this.logger.log({
        msg: 'job',
        kind: row.kind,
        outboxId: row.id,
        attempt: row.attempts + 1,
        outcome: outcome.result,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      });
      if (outcome.result === 'retry' || outcome.result === 'failed') {
        this.metrics.jobFailed(QUEUE_NAMES[row.kind], outcome.result);
      }
      return outcome;
    });
  }

  private async run(row: OutboxMessage, retryBy: 'queue' | 'table'): Promise<ExecutionOutcome> {
    const id = row.id;
    const handler = this.handlers.get(row.kind);
    try {
      if (!handler) throw new Error(`no handler for outbox kind ${row.kind} in this process`);
      await handler.handle(row);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const { maxAttempts, backoffMs } = this.config.queue;
      const outcome = afterFailure({
        attempts: row.attempts + 1,
        maxAttempts,
        permanent: error instanceof PermanentOutboxError,
        baseMs: backoffMs,
        now: new Date(),
      });
      await this.repo.recordFailure(id, {
        status: outcome.final ? 'FAILED' : retryBy === 'table' ? 'PENDING' : null,
        nextAttemptAt: outcome.nextAttemptAt,
        error: message,
      });
      if (outcome.final) {
        this.logger.error(
          `${row.kind} ${id} failed for good after ${row.attempts + 1} attempt(s): ${message}`,
        );
        return { result: 'failed', error: message };
      }
      this.logger.warn(
        `${row.kind} ${id} attempt ${row.attempts + 1} failed, will retry: ${message}`,
      );
      return { result: 'retry', error: message };
    }
    await this.repo.markSent(id);
    return { result: 'sent' };
  }
}
