import { Injectable, Logger } from '@nestjs/common';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { AppConfig } from '../config/app-config';
import type { ExecutionOutcome } from './outbox-executor';
import type { OutboxKind } from './outbox-kinds';
import { OUTBOX_JOB, QUEUE_NAMES, type OutboxJobData, type QueueName } from './queue.constants';

/** How long one `addBulk` may take before the relay gives its rows back. */
const ADD_TIMEOUT_MS = 5_000;
const WORKER_CONCURRENCY = 5;
/**
 * A job's lock lasts this long and the worker renews it every half of it while the job runs. A
 * worker that dies (SIGKILL, lost machine) stops renewing: its jobs are found stalled by the next
 * check of another worker (every STALLED_CHECK_MS) and run again, within ~20 s instead of BullMQ's
 * default ~60 s. Running a job twice is safe: the executor skips rows already SENT or FAILED,
 * and a side effect caught between its send and SENT is delivered at least once, as after a crash.
 */
const LOCK_MS = 15_000;
const STALLED_CHECK_MS = 5_000;

const retryStrategy = (times: number) => Math.min(times * 500, 5_000);

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Tracks whether a BullMQ queue's or worker's connection is up, logging changes once each. */
class ConnectionState {
  ready = false;
  private reported = false;

  constructor(
    private readonly what: string,
    private readonly logger: Logger,
  ) {}

  watch(emitter: {
    getBackend(): { on(event: 'ready' | 'close', listener: () => void): unknown };
    on(event: 'error', listener: (error: Error) => void): unknown;
  }): void {
    emitter.getBackend().on('ready', () => {
      if (this.reported) this.logger.log(`${this.what}: Redis is back`);
      this.ready = true;
      this.reported = false;
    });
    emitter.getBackend().on('close', () => {
      this.ready = false;
    });
    // Without an 'error' listener, an unreachable Redis would crash the process.
    emitter.on('error', (error: Error) => {
      if (this.reported) return;
      this.reported = true;
      this.logger.warn(`${this.what}: ${error.message} (retrying in the background)`);
    });
  }
}

/**
 * BullMQ on Redis, used directly (no @nestjs/bullmq): one queue per outbox kind, created on first
 * use, and the workers that run the processors. STACK-NOTES: `queue.add` against an unreachable
 * Redis hangs, so the relay asks `isReady` first and every add has a timeout; and a worker's
 * graceful close hangs too when Redis is gone, so it is forced then.
 */
@Injectable()
export class BullQueues {
  private readonly logger = new Logger('Queue');
  private readonly queues = new Map<QueueName, { queue: Queue; state: ConnectionState }>();
  private readonly workers: { worker: Worker; state: ConnectionState }[] = [];
  /** Jobs running in this process (`kind id`). */
  private readonly running = new Set<string>();

  constructor(private readonly config: AppConfig) {}

  private connection(forWorker: boolean) {
    return {
      url: this.config.redisUrl,
      // Workers block on Redis and must wait for it indefinitely; producers fail fast instead.
      maxRetriesPerRequest: forWorker ? null : 1,
      retryStrategy,
      // ioredis waits this long for a socket that never connected before destroying it on close
      // (2 s by default), which would hold the process open after shutdown.
      disconnectTimeout: 500,
    };
  }

  /** Job options shared by every outbox job: the retry schedule mirrors the drainer's. */
  private jobOptions(outboxId: string) {
    const { maxAttempts, backoffMs } = this.config.queue;
    return {
      jobId: outboxId,
      attempts: maxAttempts,
      backoff: { type: 'exponential', delay: backoffMs },
      removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
      removeOnFail: { age: 30 * 24 * 3600 },
    };
  }

  queue(kind: OutboxKind): Queue<OutboxJobData> {
    const name = QUEUE_NAMES[kind];
    let entry = this.queues.get(name);
    if (!entry) {
      const queue = new Queue<OutboxJobData>(name, {
        connection: this.connection(false),
        prefix: this.config.queue.prefix,
        skipWaitingForReady: true,
      });
      const state = new ConnectionState(`queue ${name}`, this.logger);
      state.watch(queue);
      entry = { queue, state };
      this.queues.set(name, entry);
    }
    return entry.queue as Queue<OutboxJobData>;
  }

  /** Whether the kind's queue is connected; creating it (and connecting) on first call. */
  isReady(kind: OutboxKind): boolean {
    this.queue(kind);
    return this.queues.get(QUEUE_NAMES[kind])!.state.ready;
  }

  /** Adds one job per outbox id; an id already in the queue adds nothing (job id = outbox id). */
  async add(kind: OutboxKind, outboxIds: readonly string[]): Promise<void> {
    const queue = this.queue(kind);
    await withTimeout(
      queue.addBulk(
        outboxIds.map((outboxId) => ({
          name: OUTBOX_JOB,
          data: { outboxId },
          opts: this.jobOptions(outboxId),
        })),
      ),
      ADD_TIMEOUT_MS,
      `adding ${outboxIds.length} job(s) to queue ${queue.name}`,
    );
  }

  /**
   * Makes sure a job exists for a row that should be in the queue: adds it when it is missing
   * (Redis lost it) and replaces it when it ended without the row recording an outcome (the
   * processor could not reach the database). Jobs still waiting, delayed or active are left alone.
   */
  async ensure(kind: OutboxKind, outboxId: string): Promise<'present' | 'added' | 'replaced'> {
    const queue = this.queue(kind);
    const state = await withTimeout(queue.getJobState(outboxId), ADD_TIMEOUT_MS, 'getJobState');
    if (state !== 'unknown' && state !== 'completed' && state !== 'failed') return 'present';
    if (state !== 'unknown') await withTimeout(queue.remove(outboxId), ADD_TIMEOUT_MS, 'remove');
    await this.add(kind, [outboxId]);
    return state === 'unknown' ? 'added' : 'replaced';
  }

  /** Starts one worker per kind; each job runs `execute(outboxId)`. */
  startWorkers(
    kinds: readonly OutboxKind[],
    execute: (outboxId: string) => Promise<ExecutionOutcome>,
  ): void {
    for (const kind of kinds) {
      const name = QUEUE_NAMES[kind];
      const worker = new Worker<OutboxJobData>(
        name,
        async (job: Job<OutboxJobData>) => {
          const label = `${kind} ${job.data.outboxId}`;
          this.running.add(label);
          const outcome = await execute(job.data.outboxId).finally(() =>
            this.running.delete(label),
          );
          switch (outcome.result) {
            case 'retry':
              throw new Error(outcome.error);
            case 'failed':
              throw new UnrecoverableError(outcome.error);
            case 'sent':
            case 'skipped':
              return outcome.result;
          }
        },
        {
          connection: this.connection(true),
          prefix: this.config.queue.prefix,
          concurrency: WORKER_CONCURRENCY,
          lockDuration: LOCK_MS,
          stalledInterval: STALLED_CHECK_MS,
        },
      );
      const state = new ConnectionState(`worker ${name}`, this.logger);
      state.watch(worker);
      this.workers.push({ worker, state });
    }
  }

  /** Jobs this process is running right now (`kind id`). */
  active(): string[] {
    return [...this.running];
  }

  /**
   * Stops the workers (letting jobs in progress finish while Redis is up), then the queues. A
   * stopping process has its own bound (SHUTDOWN_TIMEOUT_SECONDS, graceful-shutdown.ts), which
   * names the jobs it abandons; this one, a second longer, only keeps a close without that bound
   * (tests, the CLI) from hanging. An abandoned job's lock lapses and another worker runs it.
   */
  async close(): Promise<void> {
    const timeoutMs = this.config.shutdownTimeoutMs + 1_000;
    await Promise.all(
      this.workers.map(async ({ worker, state }) => {
        if (!state.ready) return worker.close(true);
        await withTimeout(worker.close(), timeoutMs, `closing worker ${worker.name}`).catch(
          async (error: Error) => {
            this.logger.warn(`${error.message}; abandoned: ${this.active().join(', ')}`);
            await worker.close(true);
          },
        );
      }),
    );
    this.workers.length = 0;
    await Promise.all([...this.queues.values()].map(({ queue }) => queue.close()));
    this.queues.clear();
  }
}
