import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
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

  /** Stores an event once; returns its row id and whether this delivery was the first. */
  async store(
    provider: ProviderName,
    event: ProviderEvent,
  ): Promise<{ id: number; first: boolean }> {
    const inserted: { id: string }[] = await this.dataSource.query(
      // The request that stored it processes it at once; the retry loop only picks it up if that
      // did not finish (so the two do not race for a fresh event).
      `INSERT INTO payment_events (provider, event_id, type, payload, next_attempt_at)
       VALUES ($1, $2, $3, $4, now() + interval '30 seconds')
       ON CONFLICT (provider, event_id) DO NOTHING RETURNING id`,
      [provider, event.id, event.type, JSON.stringify(event)],
    );
    if (inserted[0]) return { id: Number(inserted[0].id), first: true };
    const existing: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM payment_events WHERE provider = $1 AND event_id = $2`,
      [provider, event.id],
    );
    return { id: Number(existing[0]!.id), first: false };
  }

  /** Locks an unprocessed event for processing; null when done or being processed elsewhere. */
  async claim(manager: EntityManager, id: number): Promise<StoredEvent | null> {
    const rows = await manager.query(
      `SELECT id, provider, event_id AS "eventId", type, payload, attempts FROM payment_events
       WHERE id = $1 AND processed_at IS NULL FOR UPDATE SKIP LOCKED`,
      [id],
    );
    return rows[0] ? { ...rows[0], id: Number(rows[0].id) } : null;
  }

  async markProcessed(manager: EntityManager, id: number, outcome: string): Promise<void> {
    await manager.query(
      `UPDATE payment_events SET processed_at = now(), attempts = attempts + 1, last_error = NULL,
         next_attempt_at = now() WHERE id = $1`,
      [id],
    );
    void outcome;
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
