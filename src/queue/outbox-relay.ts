import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { BullQueues } from './bull-queues';
import { OutboxRepository, type ClaimedRow } from './outbox.repository';
import { OUTBOX_KINDS, type OutboxKind } from './outbox-kinds';

const BATCH = 100;
/**
 * A claimed row is the relay's for this long; if the process dies, it comes due again. The relay
 * holds a row only from its claim to its mark (one add, bounded by ADD_TIMEOUT_MS), so the lease
 * can be short: should it lapse and another relay add the row again, the queue keeps one job per
 * outbox id and the second mark finds the row RELAYED already. A stopping relay finishes its pass,
 * so only a killed process leaves claims behind, due again after this.
 */
const LEASE_MS = 10_000;
/** A RELAYED row unfinished after this long gets its job checked (Redis may have lost it). */
export const REDELIVER_AFTER_MS = 10 * 60_000;

/**
 * Redis mode: hands due PENDING rows to BullMQ with job id = outbox id, then marks them RELAYED.
 * While Redis is unreachable it claims nothing, so rows simply stay PENDING; if an add fails or
 * times out, the rows are given back. A job added twice is one job, so a row relayed again after
 * a crash between add and mark is harmless.
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger('OutboxRelay');
  private lastRedeliveryCheck = 0;
  /**
   * Set when the queue connection comes (back) up: every row RELAYED before then is checked
   * against the queue at once, since a Redis that restarted without persistence lost their jobs.
   * Null when no such sweep is due; it starts set, for the jobs of a whole restart.
   */
  private sweepBefore: number | null = null;
  private connected = false;

  constructor(
    private readonly repo: OutboxRepository,
    private readonly queues: BullQueues,
    private readonly config: AppConfig,
  ) {}

  /** One pass; true when a full batch was relayed and more may be due. */
  async tick(): Promise<boolean> {
    if (!OUTBOX_KINDS.every((kind) => this.queues.isReady(kind))) {
      this.connected = false;
      return false;
    }
    if (!this.connected) {
      this.connected = true;
      this.sweepBefore = Date.now();
    }
    if (this.sweepBefore !== null) await this.sweepRelayed(this.sweepBefore);
    await this.redeliverStale();
    const rows = await this.repo.claimDue(BATCH, LEASE_MS);
    for (const [kind, ids] of groupByKind(rows)) {
      try {
        await this.queues.add(kind, ids);
      } catch (error) {
        await this.repo.release(ids, 0);
        throw error;
      }
      await this.repo.markRelayed(ids);
    }
    return rows.length === BATCH;
  }

  /** At most every ten poll intervals: rows relayed long ago and still not finished. */
  private async redeliverStale(): Promise<void> {
    const now = Date.now();
    if (now - this.lastRedeliveryCheck < this.config.queue.pollMs * 10) return;
    this.lastRedeliveryCheck = now;
    await this.ensureJobs(await this.repo.claimStaleRelayed(BATCH, REDELIVER_AFTER_MS));
  }

  /**
   * One batch of the rows still RELAYED from before `before` (the claim touches `relayed_at`, so
   * the next batch is other rows); the sweep ends with a batch that is not full.
   */
  private async sweepRelayed(before: number): Promise<void> {
    const rows = await this.repo.claimStaleRelayed(BATCH, Math.max(0, Date.now() - before));
    await this.ensureJobs(rows);
    if (rows.length < BATCH) this.sweepBefore = null;
  }

  private async ensureJobs(rows: readonly ClaimedRow[]): Promise<void> {
    let restored = 0;
    for (const row of rows) {
      const outcome = await this.queues.ensure(row.kind, row.id);
      if (outcome !== 'present') restored++;
    }
    if (restored > 0) this.logger.warn(`${restored} job(s) missing from the queue added again`);
  }
}

function groupByKind(rows: readonly ClaimedRow[]): Map<OutboxKind, string[]> {
  const groups = new Map<OutboxKind, string[]>();
  for (const row of rows) groups.set(row.kind, [...(groups.get(row.kind) ?? []), row.id]);
  return groups;
}
