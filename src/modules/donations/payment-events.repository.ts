import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '../../database/query-result';
import type { ProviderEvent, ProviderName } from '../payments/payment-provider';

export interface StoredEvent {
  id: number;
  provider: ProviderName;
  eventId: string;
  type: string;
  payload: ProviderEvent;
  attempts: number;
}

/** The only place that queries the webhook inbox (payment_events). */
@Injectable()
export class PaymentEventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Records an event as processed inside the transaction that processes it; null when it is known
   * already (processed, or stored earlier for a retry). A concurrent delivery of the same event
   * waits here for this transaction, then finds it known.
   */
  async insertProcessed(
    manager: EntityManager,
    provider: ProviderName,
    event: ProviderEvent,
  ): Promise<number | null> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO payment_events (provider, event_id, type, payload, processed_at, attempts)
       VALUES ($1, $2, $3, $4, now(), 1)
       ON CONFLICT (provider, event_id) DO NOTHING RETURNING id`,
      [provider, event.id, event.type, JSON.stringify(event)],
    );
    return rows[0] ? Number(rows[0].id) : null;
  }

  /**
   * Stores an event that could not be processed yet, for the retry loop (attempt 1 failed with
   * `error`); if it is known already nothing changes. Returns its row id.
   */
  async storeForRetry(
    provider: ProviderName,
    event: ProviderEvent,
    error: string,
    retryInMs: number,
  ): Promise<number> {
    const rows: { id: string }[] = await this.dataSource.query(
      `WITH stored AS (
         INSERT INTO payment_events (provider, event_id, type, payload, attempts, last_error, next_attempt_at)
         VALUES ($1, $2, $3, $4, 1, $5, now() + make_interval(secs => $6))
         ON CONFLICT (provider, event_id) DO NOTHING RETURNING id
       )
       SELECT id FROM stored
       UNION ALL
       SELECT id FROM payment_events WHERE provider = $1 AND event_id = $2
       LIMIT 1`,
      [
        provider,
        event.id,
        event.type,
        JSON.stringify(event),
        error.slice(0, 2000),
        retryInMs / 1000,
      ],
    );
    if (rows[0]) return Number(rows[0].id);
    // Another delivery of the event committed while this statement ran (its snapshot predates
    // that row): a new statement sees it.
    const id = await this.idOf(provider, event.id);
    if (id === null) throw new Error(`payment event ${event.id} could not be stored`);
    return id;
  }

  async idOf(provider: ProviderName, eventId: string): Promise<number | null> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM payment_events WHERE provider = $1 AND event_id = $2`,
      [provider, eventId],
    );
    return rows[0] ? Number(rows[0].id) : null;
  }

  /**
   * Claims an unprocessed event inside the caller's transaction and marks it processed there: if
   * processing fails the transaction rolls back and the event is unprocessed again. Null when done
   * already or being processed by another delivery right now.
   */
  async claim(manager: EntityManager, id: number): Promise<StoredEvent | null> {
    const rows = rowsOf<Record<string, unknown>>(
      await manager.query(
        `UPDATE payment_events SET processed_at = now(), attempts = attempts + 1, last_error = NULL,
           next_attempt_at = now()
         WHERE id = (SELECT id FROM payment_events WHERE id = $1 AND processed_at IS NULL
                     FOR UPDATE SKIP LOCKED)
         RETURNING id, provider, event_id AS "eventId", type, payload, attempts - 1 AS attempts`,
        [id],
      ),
    );
    const row = rows[0];
    return row ? ({ ...row, id: Number(row.id) } as StoredEvent) : null;
  }

  async markFailed(id: number, error: string, retryInMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE payment_events SET attempts = attempts + 1, last_error = $2,
         next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1 AND processed_at IS NULL`,
      [id, error.slice(0, 2000), retryInMs / 1000],
    );
  }

  async due(limit: number): Promise<{ id: number; attempts: number }[]> {
    const rows: { id: string; attempts: number }[] = await this.dataSource.query(
      `SELECT id, attempts FROM payment_events WHERE processed_at IS NULL AND next_attempt_at <= now()
       ORDER BY next_attempt_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ id: Number(r.id), attempts: r.attempts }));
  }

  async stats(): Promise<{ pending: number; failing: number }> {
    const rows: { pending: number; failing: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS pending, count(*) FILTER (WHERE last_error IS NOT NULL)::int AS failing
       FROM payment_events WHERE processed_at IS NULL`,
    );
    return rows[0] ?? { pending: 0, failing: 0 };
  }
}
