import { Injectable } from '@nestjs/common';
import { OutboxExecutor } from './outbox-executor';
import { OutboxRepository, type ClaimedRow } from './outbox.repository';

const BATCH = 10;
/**
 * A claimed row is the drainer's for this long: longer than a batch can take (SMTP timeouts are
 * bounded), short enough that a crashed process's rows are picked up again the same day.
 */
const LEASE_MS = 10 * 60_000;

/**
 * In-process mode (no REDIS_URL): claims due PENDING rows and runs them one by one, keeping the
 * retry schedule in the table (attempts, next_attempt_at, FAILED after OUTBOX_MAX_ATTEMPTS).
 * Several processes may drain one database: claims skip each other's locked rows.
 */
@Injectable()
export class OutboxDrainer {
  /** The row being run right now, if any. */
  private current: ClaimedRow | null = null;

  constructor(
    private readonly repo: OutboxRepository,
    private readonly executor: OutboxExecutor,
  ) {}

  /** One pass; true when a full batch was taken and more may be due. */
  async tick(stopping: () => boolean): Promise<boolean> {
    const rows = await this.repo.claimDue(BATCH, LEASE_MS);
    for (const [index, row] of rows.entries()) {
      if (stopping()) {
        // Shutting down: give the rest back at once rather than after the lease.
        await this.repo.release(
          rows.slice(index).map((r) => r.id),
          0,
        );
        return false;
      }
      this.current = row;
      try {
        await this.executor.execute(row.id, 'table');
      } finally {
        this.current = null;
      }
    }
    return rows.length === BATCH;
  }

  /** What this drainer is running (`kind id`), for the log of a shutdown that gives up on it. */
  active(): string[] {
    return this.current ? [`${this.current.kind} ${this.current.id}`] : [];
  }
}
