import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { affectedRows, rowsOf } from '../../database/query-result';
import { col, defineTable } from '../../database/table-map';
import type { ProviderName, VerifiedNotification } from '../payments/payment-provider';
import type { FailureReason, NextStep } from './dead-letters';

export interface StoredEvent {
  id: number;
  provider: ProviderName;
  eventId: string;
  type: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/** What happened to an event's last failed attempt, and what follows it. */
export interface EventFailure {
  message: string;
  reason: FailureReason;
  next: NextStep;
}

/** An event that stopped being retried, as FINANCE sees it. */
export interface DeadLetterRow {
  id: number;
  provider: ProviderName;
  eventId: string;
  type: string;
  payload: Record<string, unknown>;
  attempts: number;
  receivedAt: Date;
  lastAttemptAt: Date | null;
  deadAt: Date;
  reason: FailureReason | null;
  lastError: string | null;
}

/** An event's state: processed, dead, or waiting for its next attempt. */
export interface EventState {
  id: number;
  processedAt: Date | null;
  deadAt: Date | null;
  attempts: number;
  reason: FailureReason | null;
  lastError: string | null;
}

export interface InboxCounts {
  /** Events waiting to be processed (retries included), dead letters not. */
  backlog: number;
  /** Of those, events whose last attempt failed. */
  failing: number;
  /** Events no longer retried, waiting for a person. */
  deadLetters: number;
}

/** The webhook inbox, mapped once: columns, typed rows. */
export const PAYMENT_EVENTS = defineTable('payment_events', {
  id: col.bigint('id'),
  provider: col.text<ProviderName>('provider'),
  eventId: col.text('event_id'),
  type: col.text('type'),
  payload: col.jsonb<Record<string, unknown>>('payload'),
  receivedAt: col.timestamptz('received_at'),
  processedAt: col.timestamptz.nullable('processed_at'),
  attempts: col.int('attempts'),
  nextAttemptAt: col.timestamptz('next_attempt_at'),
  lastError: col.text.nullable('last_error'),
  reason: col.text.nullable<FailureReason>('failure_reason'),
  lastAttemptAt: col.timestamptz.nullable('last_attempt_at'),
  deadAt: col.timestamptz.nullable('dead_at'),
});

type EventField = keyof typeof PAYMENT_EVENTS.spec;

/** `column AS "field", …` for some fields of the inbox. */
function selectOf(fields: readonly EventField[]): string {
  return fields.map((f) => `${PAYMENT_EVENTS.column(f)} AS "${f}"`).join(', ');
}

const DEAD_LETTER_FIELDS = [
  'id',
  'provider',
  'eventId',
  'type',
  'payload',
  'attempts',
  'receivedAt',
  'lastAttemptAt',
  'deadAt',
  'reason',
  'lastError',
] as const satisfies readonly EventField[];
const DEAD_LETTER_COLUMNS = selectOf(DEAD_LETTER_FIELDS);

const STATE_FIELDS = [
  'id',
  'processedAt',
  'deadAt',
  'attempts',
  'reason',
  'lastError',
] as const satisfies readonly EventField[];

function toDeadLetter(row: Record<string, unknown>): DeadLetterRow {
  const r = PAYMENT_EVENTS.mapSome(row, DEAD_LETTER_FIELDS);
  // Selected WHERE dead_at IS NOT NULL.
  return { ...r, deadAt: r.deadAt! };
}

function idOfRow(row: Record<string, unknown> | undefined): number | null {
  return row ? PAYMENT_EVENTS.mapSome(row, ['id']).id : null;
}

/** The only place that queries the webhook inbox (payment_events). */
@Injectable()
export class PaymentEventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Erasure: each processed event whose payload mentions one of `needles` (an email, a gift's
   * id) keeps only what reconciliation and the dead-letter page read of it afterwards (its id and
   * type; the row's own columns keep provider, event id and when it was processed). Events still
   * waiting to be processed keep their payload: the gift's money depends on them.
   */
  async redactProcessed(manager: EntityManager, needles: readonly string[]): Promise<number> {
    if (needles.length === 0) return 0;
    const patterns = needles.map((n) => `%${n.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    return affectedRows(
      await manager.query(
        `UPDATE payment_events
            SET payload = jsonb_build_object('id', event_id, 'type', type, 'redacted', true),
                payload_redacted_at = now()
          WHERE processed_at IS NOT NULL AND payload_redacted_at IS NULL
            AND payload::text ILIKE ANY ($1)
          RETURNING 1`,
        [patterns],
      ),
    );
  }

  /**
   * Records an event as processed inside the transaction that processes it; null when it is known
   * already (processed, or stored earlier for a retry). A concurrent delivery of the same event
   * waits here for this transaction, then finds it known.
   */
  async insertProcessed(
    manager: EntityManager,
    provider: ProviderName,
    event: VerifiedNotification,
  ): Promise<number | null> {
    const rows: Record<string, unknown>[] = await manager.query(
      `INSERT INTO payment_events (provider, event_id, type, payload, processed_at, attempts, last_attempt_at)
       VALUES ($1, $2, $3, $4, now(), 1, now())
       ON CONFLICT (provider, event_id) DO NOTHING RETURNING id`,
      [provider, event.eventId, event.type, JSON.stringify(event.payload)],
    );
    return idOfRow(rows[0]);
  }

  /**
   * Stores an event whose first attempt failed, for the retry loop (or, when `failure.next` says
   * so, as a dead letter at once); if it is known already nothing changes. Returns its row id.
   */
  async storeForRetry(
    provider: ProviderName,
    event: VerifiedNotification,
    failure: EventFailure,
  ): Promise<number> {
    const dead = failure.next.kind === 'dead';
    const retryInMs = failure.next.kind === 'retry' ? failure.next.delayMs : 0;
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `WITH stored AS (
         INSERT INTO payment_events (provider, event_id, type, payload, attempts, last_error,
           failure_reason, last_attempt_at, next_attempt_at, dead_at)
         VALUES ($1, $2, $3, $4, 1, $5, $6, now(), now() + make_interval(secs => $7),
           CASE WHEN $8 THEN now() END)
         ON CONFLICT (provider, event_id) DO NOTHING RETURNING id
       )
       SELECT id FROM stored
       UNION ALL
       SELECT id FROM payment_events WHERE provider = $1 AND event_id = $2
       LIMIT 1`,
      [
        provider,
        event.eventId,
        event.type,
        JSON.stringify(event.payload),
        failure.message.slice(0, 2000),
        failure.reason,
        retryInMs / 1000,
        dead,
      ],
    );
    const stored = idOfRow(rows[0]);
    if (stored !== null) return stored;
    // Another delivery of the event committed while this statement ran (its snapshot predates
    // that row): a new statement sees it.
    const id = await this.idOf(provider, event.eventId);
    if (id === null) throw new Error(`payment event ${event.eventId} could not be stored`);
    return id;
  }

  async idOf(provider: ProviderName, eventId: string): Promise<number | null> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id FROM payment_events WHERE provider = $1 AND event_id = $2`,
      [provider, eventId],
    );
    return idOfRow(rows[0]);
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
           failure_reason = NULL, next_attempt_at = now(), last_attempt_at = now()
         WHERE id = (SELECT id FROM payment_events WHERE id = $1 AND processed_at IS NULL
                     AND dead_at IS NULL FOR UPDATE SKIP LOCKED)
         RETURNING id, provider, event_id AS "eventId", type, payload, attempts - 1 AS attempts`,
        [id],
      ),
    );
    const row = rows[0];
    return row
      ? PAYMENT_EVENTS.mapSome(row, ['id', 'provider', 'eventId', 'type', 'payload', 'attempts'])
      : null;
  }

  /**
   * Locks an event that is still to be processed (not dead) inside the caller's transaction and
   * returns how many attempts it has had; null when processed, dead, or gone.
   */
  async lockPending(manager: EntityManager, id: number): Promise<{ attempts: number } | null> {
    const rows: { attempts: number }[] = await manager.query(
      `SELECT attempts FROM payment_events
       WHERE id = $1 AND processed_at IS NULL AND dead_at IS NULL FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Records a failed attempt (the caller holds the row from `lockPending`): retry later, or dead. */
  async markFailed(manager: EntityManager, id: number, failure: EventFailure): Promise<void> {
    const dead = failure.next.kind === 'dead';
    const retryInMs = failure.next.kind === 'retry' ? failure.next.delayMs : 0;
    await manager.query(
      `UPDATE payment_events SET attempts = attempts + 1, last_error = $2, failure_reason = $3,
         last_attempt_at = now(), next_attempt_at = now() + make_interval(secs => $4),
         dead_at = CASE WHEN $5 THEN now() END
       WHERE id = $1 AND processed_at IS NULL AND dead_at IS NULL`,
      [id, failure.message.slice(0, 2000), failure.reason, retryInMs / 1000, dead],
    );
  }

  async due(limit: number): Promise<{ id: number; attempts: number }[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT id, attempts FROM payment_events
       WHERE processed_at IS NULL AND dead_at IS NULL AND next_attempt_at <= now()
       ORDER BY next_attempt_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => PAYMENT_EVENTS.mapSome(r, ['id', 'attempts']));
  }

  async counts(): Promise<InboxCounts> {
    const rows: InboxCounts[] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE dead_at IS NULL)::int AS backlog,
              count(*) FILTER (WHERE dead_at IS NULL AND last_error IS NOT NULL)::int AS failing,
              count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS "deadLetters"
       FROM payment_events WHERE processed_at IS NULL`,
    );
    return rows[0] ?? { backlog: 0, failing: 0, deadLetters: 0 };
  }

  /** Dead letters, the latest first. */
  async deadLetters(limit: number): Promise<DeadLetterRow[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${DEAD_LETTER_COLUMNS} FROM payment_events
       WHERE dead_at IS NOT NULL ORDER BY dead_at DESC, id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(toDeadLetter);
  }

  /** One dead letter, locked in the caller's transaction; null when it is not (or no longer) one. */
  async lockDeadLetter(manager: EntityManager, id: number): Promise<DeadLetterRow | null> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT ${DEAD_LETTER_COLUMNS} FROM payment_events
       WHERE id = $1 AND dead_at IS NOT NULL FOR UPDATE`,
      [id],
    );
    const row = rows[0];
    return row ? toDeadLetter(row) : null;
  }

  /** Puts a dead letter back in the queue, due now, with a fresh count of attempts. */
  async requeue(manager: EntityManager, id: number): Promise<void> {
    await manager.query(
      `UPDATE payment_events SET dead_at = NULL, attempts = 0, next_attempt_at = now()
       WHERE id = $1 AND dead_at IS NOT NULL`,
      [id],
    );
  }

  async state(id: number): Promise<EventState | null> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT ${selectOf(STATE_FIELDS)} FROM payment_events WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    return row ? PAYMENT_EVENTS.mapSome(row, STATE_FIELDS) : null;
  }

  /**
   * Settled events processed before `cutoff` keep only their provider, id, type and times: the
   * payload (the provider's notification, with the payer's details) becomes `{ redacted: true }`.
   * Nothing reads a processed event's payload back (retries and dead letters are unprocessed);
   * events still waiting or dead stay whole for FINANCE.
   */
  async redactSettledBefore(m: EntityManager, cutoff: Date): Promise<number> {
    return affectedRows(
      await m.query(
        `UPDATE payment_events SET payload = '{"redacted": true}'::jsonb, payload_redacted_at = now()
         WHERE processed_at < $1 AND dead_at IS NULL AND payload_redacted_at IS NULL RETURNING 1`,
        [cutoff],
      ),
    );
  }
}
