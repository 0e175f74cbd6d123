import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { affectedRows } from '../database/query-result';
import { OutboxMessage } from './outbox.entity';
import type { OutboxKind, OutboxPayloads } from './outbox-kinds';

export interface ClaimedRow {
  id: string;
  kind: OutboxKind;
}

export interface OutboxKindStats {
  kind: OutboxKind;
  due: number;
  delayed: number;
  relayed: number;
  failed: number;
  /** Seconds since the oldest open (PENDING or RELAYED) row was written; null when none is open. */
  oldestOpenSeconds: number | null;
}

const MAX_ERROR_LENGTH = 2000;

/**
 * The only place that queries the outbox table. Claims push `next_attempt_at` forward (a lease)
 * under `FOR UPDATE SKIP LOCKED`, so concurrent relays or drainers never take the same row and a
 * process that dies mid-batch leaves its rows to come due again. No method holds a transaction
 * open across a network call.
 */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts in the caller's transaction; a dedupe key seen before returns the first row's id. */
  async insert(
    manager: EntityManager,
    row: {
      kind: OutboxKind;
      payload: OutboxPayloads[OutboxKind];
      dedupeKey?: string;
      requestId?: string;
    },
  ): Promise<{ id: string; created: boolean }> {
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO outbox (kind, payload, dedupe_key, request_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [row.kind, row.payload, row.dedupeKey ?? null, row.requestId ?? null],
    );
    if (inserted[0]) return { id: inserted[0].id, created: true };
    const existing: { id: string }[] = await manager.query(
      `SELECT id FROM outbox WHERE dedupe_key = $1`,
      [row.dedupeKey],
    );
    if (!existing[0]) {
      // Only reachable under REPEATABLE READ or SERIALIZABLE, where the conflicting row committed
      // after this transaction's snapshot: PostgreSQL normally reports that as 40001 itself.
      throw new Error(`outbox dedupe key ${row.dedupeKey} conflicts with an invisible row`);
    }
    return { id: existing[0].id, created: false };
  }

  /**
   * Erasure: every email to an address (or whose data holds it) keeps only its template and
   * language; one not sent yet is marked FAILED, never to be sent. In the caller's transaction.
   * Returns the rows' ids (their copies on disk, in embedded mode, go after the commit).
   */
  async redactEmailsMentioning(
    manager: EntityManager,
    email: string,
    reason: string,
  ): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM outbox
        WHERE kind = 'EMAIL' AND payload_redacted_at IS NULL
          AND (lower(payload->>'to') = $1 OR strpos(lower(payload::text), $1) > 0)
        ORDER BY id FOR UPDATE`,
      [email],
    );
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return ids;
    await manager.query(
      `UPDATE outbox
          SET payload = jsonb_build_object('template', payload->'template', 'to', '',
                                           'locale', payload->'locale', 'data', '{}'::jsonb),
              payload_redacted_at = now(),
              status = CASE WHEN status IN ('PENDING', 'RELAYED') THEN 'FAILED' ELSE status END,
              last_error = CASE WHEN status IN ('PENDING', 'RELAYED') THEN $2 ELSE last_error END
        WHERE id = ANY ($1::uuid[])`,
      [ids, reason.slice(0, MAX_ERROR_LENGTH)],
    );
    return ids;
  }

  find(id: string): Promise<OutboxMessage | null> {
    return this.dataSource.manager.findOneBy(OutboxMessage, { id });
  }

  /** TypeORM answers UPDATE … RETURNING with [rows, affected count] on PostgreSQL. */
  private async updateReturning<T>(sql: string, parameters: unknown[]): Promise<T[]> {
    const [rows] = await this.dataSource.query<[T[], number]>(sql, parameters);
    return rows;
  }

  /** Due PENDING rows, oldest first, leased for `leaseMs`. */
  claimDue(limit: number, leaseMs: number): Promise<ClaimedRow[]> {
    return this.updateReturning(
      `UPDATE outbox o SET next_attempt_at = now() + $2 * interval '1 millisecond'
       FROM (SELECT id FROM outbox WHERE status = 'PENDING' AND next_attempt_at <= now()
             ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
       WHERE o.id = due.id
       RETURNING o.id, o.kind`,
      [limit, leaseMs],
    );
  }

  /**
   * RELAYED rows not finished `olderThanMs` after they were (last) relayed: their job may have been
   * lost with Redis's memory. Touching `relayed_at` spaces out the next check of the same row.
   */
  claimStaleRelayed(limit: number, olderThanMs: number): Promise<ClaimedRow[]> {
    return this.updateReturning(
      `UPDATE outbox o SET relayed_at = now()
       FROM (SELECT id FROM outbox
             WHERE status = 'RELAYED' AND relayed_at <= now() - $2 * interval '1 millisecond'
             ORDER BY relayed_at LIMIT $1 FOR UPDATE SKIP LOCKED) stale
       WHERE o.id = stale.id
       RETURNING o.id, o.kind`,
      [limit, olderThanMs],
    );
  }

  async markRelayed(ids: readonly string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET status = 'RELAYED', relayed_at = now()
       WHERE id = ANY($1::uuid[]) AND status = 'PENDING'`,
      [ids],
    );
  }

  /** Gives claimed rows back (the queue did not take them); they come due after `delayMs`. */
  async release(ids: readonly string[], delayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET next_attempt_at = now() + $2 * interval '1 millisecond'
       WHERE id = ANY($1::uuid[]) AND status = 'PENDING'`,
      [ids, delayMs],
    );
  }

  async markSent(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET status = 'SENT', sent_at = now(), attempts = attempts + 1, last_error = NULL
       WHERE id = $1 AND status IN ('PENDING', 'RELAYED')`,
      [id],
    );
  }

  /**
   * Records a failed attempt. `status` null keeps the current status (BullMQ holds the retry);
   * 'PENDING' hands the retry to the drainer at `nextAttemptAt`; 'FAILED' gives up.
   */
  async recordFailure(
    id: string,
    failure: { status: 'PENDING' | 'FAILED' | null; nextAttemptAt: Date; error: string },
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3,
              status = coalesce($4, status)
       WHERE id = $1 AND status IN ('PENDING', 'RELAYED')`,
      [id, failure.error.slice(0, MAX_ERROR_LENGTH), failure.nextAttemptAt, failure.status],
    );
  }

  /**
   * Empties every email to `email` (in the caller's transaction): its payload keeps only the
   * template and locale, an email not yet sent is given up (FAILED), and an error that quotes the
   * address is dropped. For a person who is erased; returns how many rows changed.
   */
  async redactEmailsTo(manager: EntityManager, email: string): Promise<number> {
    const result: unknown = await manager.query(
      `UPDATE outbox SET
         payload = jsonb_build_object('template', payload->'template', 'locale', payload->'locale',
                                      'to', '', 'data', '{}'::jsonb),
         payload_redacted_at = now(),
         last_error = CASE WHEN status IN ('PENDING', 'RELAYED') THEN 'recipient erased'
                           WHEN strpos(lower(last_error), lower($1)) > 0 THEN NULL
                           ELSE last_error END,
         status = CASE WHEN status IN ('PENDING', 'RELAYED') THEN 'FAILED' ELSE status END
       WHERE kind = 'EMAIL' AND lower(payload->>'to') = lower($1)
       RETURNING 1`,
      [email],
    );
    return affectedRows(result);
  }

  /**
   * Open and failed rows by kind, for the metrics: due (PENDING, due now), delayed (PENDING, a
   * retry or lease not yet due), relayed (in the queue, not finished), failed (given up), and the
   * age of the oldest open row. Reads the partial indexes only, never the SENT history.
   */
  async stats(): Promise<OutboxKindStats[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT kind,
              count(*) FILTER (WHERE status = 'PENDING' AND next_attempt_at <= now())::int AS due,
              count(*) FILTER (WHERE status = 'PENDING' AND next_attempt_at > now())::int AS delayed,
              count(*) FILTER (WHERE status = 'RELAYED')::int AS relayed,
              count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
              extract(epoch FROM now() - min(created_at) FILTER (WHERE status <> 'FAILED'))::float8
                AS "oldestOpenSeconds"
       FROM outbox WHERE status = 'PENDING' OR status = 'RELAYED' OR status = 'FAILED'
       GROUP BY kind`,
    );
    return rows.map((r) => ({
      kind: r.kind as OutboxKind,
      due: Number(r.due),
      delayed: Number(r.delayed),
      relayed: Number(r.relayed),
      failed: Number(r.failed),
      oldestOpenSeconds: r.oldestOpenSeconds === null ? null : Number(r.oldestOpenSeconds),
    }));
  }
}
