import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { col, defineTable, type RowOf } from '../../../database/table-map';
import type { RetentionTrigger } from './retention-rules';

/** Each retention run: when, why, who, the cutoffs it applied and what it removed. */
export const RETENTION_RUNS = defineTable('retention_runs', {
  id: col.uuid('id'),
  trigger: col.text<RetentionTrigger>('trigger'),
  startedBy: col.uuid.nullable('started_by'),
  startedAt: col.timestamptz('started_at'),
  finishedAt: col.timestamptz.nullable('finished_at'),
  cutoffs: col.jsonb<Record<string, string>>('cutoffs'),
  removed: col.jsonb<Record<string, number>>('removed'),
  error: col.text.nullable('error'),
});

export type RetentionRunRow = RowOf<typeof RETENTION_RUNS>;

/** Session-level advisory lock key: one retention run at a time across every process. */
const RUN_LOCK = 'privacy:retention-run';

/** The only place that queries retention_runs (and holds the run lock). */
@Injectable()
export class RetentionRunsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Runs `fn` on one connection holding the run lock, or returns `{ locked: false }` at once when
   * another run holds it. Everything `fn` does goes through the manager it is given (the same
   * connection), so a pool of one (the embedded database) is never waited on by the lock holder.
   */
  async withRunLock<T>(
    fn: (m: EntityManager) => Promise<T>,
  ): Promise<{ locked: true; value: T } | { locked: false }> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const rows: { ok: boolean }[] = await runner.query(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`,
        [RUN_LOCK],
      );
      if (!rows[0]?.ok) return { locked: false };
      try {
        return { locked: true, value: await fn(runner.manager) };
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [RUN_LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  async start(
    m: EntityManager,
    run: { trigger: RetentionTrigger; startedBy: string | null; cutoffs: Record<string, string> },
  ): Promise<string> {
    const rows: { id: string }[] = await m.query(
      `INSERT INTO retention_runs (trigger, started_by, cutoffs) VALUES ($1, $2, $3) RETURNING id`,
      [run.trigger, run.startedBy, JSON.stringify(run.cutoffs)],
    );
    return rows[0]!.id;
  }

  async finish(
    m: EntityManager,
    id: string,
    outcome: { removed: Record<string, number>; error: string | null },
  ): Promise<void> {
    await m.query(
      `UPDATE retention_runs SET finished_at = now(), removed = $2, error = $3 WHERE id = $1`,
      [id, JSON.stringify(outcome.removed), outcome.error?.slice(0, 2000) ?? null],
    );
  }

  async get(id: string, m: EntityManager = this.dataSource.manager): Promise<RetentionRunRow> {
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT ${RETENTION_RUNS.select()} FROM retention_runs WHERE id = $1`,
      [id],
    );
    return RETENTION_RUNS.map(rows[0]!);
  }

  async latest(limit: number): Promise<RetentionRunRow[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${RETENTION_RUNS.select()} FROM retention_runs ORDER BY started_at DESC, id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => RETENTION_RUNS.map(r));
  }

  /** When the last scheduled run that went through finished (null: none yet). */
  async lastScheduledFinishedAt(m: EntityManager = this.dataSource.manager): Promise<Date | null> {
    const rows: { at: Date | null }[] = await m.query(
      `SELECT max(finished_at) AS at FROM retention_runs
        WHERE trigger = 'SCHEDULED' AND finished_at IS NOT NULL AND error IS NULL`,
    );
    return rows[0]?.at ?? null;
  }
}
