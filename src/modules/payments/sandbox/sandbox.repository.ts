import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { affectedRows } from '../../../database/query-result';
import { col, defineTable } from '../../../database/table-map';
import type { TransactionOptions } from '../../../database/transaction.service';
import type {
  PaymentSnapshot,
  SandboxSessionStatus,
  SessionSnapshot,
  StripeShapedEvent,
} from './sandbox-events';

export interface NewSandboxSession {
  id: string;
  donationId: string;
  amountMinor: number;
  currency: string;
  description: string;
  customerEmail: string;
  monthly: boolean;
  locale: 'zh-CN' | 'en';
  successUrl: string;
  cancelUrl: string;
  /** Set by the caller in whole milliseconds, so keyset pagination over it is exact. */
  createdAt: Date;
}

export interface StoredSandboxEvent {
  id: string;
  type: string;
  sessionId: string;
  payload: StripeShapedEvent;
  attempts: number;
  deliveredAt: Date | null;
}

/** The sandbox's checkout sessions (one per donation), mapped once. */
export const SANDBOX_SESSIONS = defineTable('sandbox_sessions', {
  id: col.text('id'),
  donationId: col.text('donation_id'),
  amountMinor: col.bigint('amount_minor'),
  currency: col.char('currency'),
  description: col.text('description'),
  customerEmail: col.text('customer_email'),
  monthly: col.bool('monthly'),
  locale: col.text<'zh-CN' | 'en'>('locale'),
  successUrl: col.text('success_url'),
  cancelUrl: col.text('cancel_url'),
  status: col.text<SandboxSessionStatus>('status'),
  customerId: col.text.nullable('customer_id'),
  subscriptionId: col.text.nullable('subscription_id'),
  subscriptionStatus: col.text.nullable<'active' | 'canceled'>('subscription_status'),
  createdAt: col.timestamptz('created_at'),
  completedAt: col.timestamptz.nullable('completed_at'),
});

/** Each sandbox payment: a checkout's, or a monthly renewal's. */
export const SANDBOX_PAYMENTS = defineTable('sandbox_payments', {
  id: col.text('id'),
  chargeId: col.text('charge_id'),
  sessionId: col.text('session_id'),
  invoiceId: col.text.nullable('invoice_id'),
  amountMinor: col.bigint('amount_minor'),
  currency: col.char('currency'),
  feeMinor: col.bigint('fee_minor'),
  refundedMinor: col.bigint('refunded_minor'),
  createdAt: col.timestamptz('created_at'),
});

export const SANDBOX_REFUNDS = defineTable('sandbox_refunds', {
  id: col.text('id'),
  idempotencyKey: col.text('idempotency_key'),
  paymentId: col.text('payment_id'),
  amountMinor: col.bigint('amount_minor'),
  createdAt: col.timestamptz('created_at'),
});

/** Every event the sandbox sent or will send, in order (`seq`). */
export const SANDBOX_EVENTS = defineTable('sandbox_events', {
  seq: col.bigint('seq'),
  id: col.text('id'),
  type: col.text('type'),
  sessionId: col.text('session_id'),
  payload: col.jsonb<StripeShapedEvent>('payload'),
  createdAt: col.timestamptz('created_at'),
  attempts: col.int('attempts'),
  deliveredAt: col.timestamptz.nullable('delivered_at'),
  lastError: col.text.nullable('last_error'),
});

type Row = Record<string, unknown>;

const PAYMENT_FIELDS = [
  'id',
  'chargeId',
  'invoiceId',
  'amountMinor',
  'currency',
  'feeMinor',
  'refundedMinor',
  'createdAt',
] as const satisfies readonly (keyof PaymentSnapshot)[];

/**
 * The first payment (the checkout's own, or the first invoice's) comes from a lateral join in the
 * same row as its session, its fields named `fp.<field>` so they cannot collide with the session's.
 */
const FIRST_PAYMENT_SELECT = PAYMENT_FIELDS.map(
  (field) => `fp.${SANDBOX_PAYMENTS.column(field)} AS "fp.${field}"`,
).join(', ');

/** A session with its first payment. */
const SESSION_SELECT = `
  SELECT ${SANDBOX_SESSIONS.select('s')}, ${FIRST_PAYMENT_SELECT}
  FROM sandbox_sessions s
  LEFT JOIN LATERAL (
    SELECT * FROM sandbox_payments p
    WHERE p.session_id = s.id ORDER BY p.created_at, p.id LIMIT 1
  ) fp ON true`;

const PAYMENT_SELECT = `SELECT ${SANDBOX_PAYMENTS.select('p')} FROM sandbox_payments p`;

const EVENT_FIELDS = [
  'id',
  'type',
  'sessionId',
  'payload',
  'attempts',
  'deliveredAt',
] as const satisfies readonly (keyof StoredSandboxEvent)[];

const EVENT_SELECT = `SELECT ${SANDBOX_EVENTS.select()} FROM sandbox_events`;

function toPayment(row: Row): PaymentSnapshot {
  return SANDBOX_PAYMENTS.mapSome(row, PAYMENT_FIELDS);
}

function toSession(row: Row): SessionSnapshot {
  const first: Row = {};
  for (const field of PAYMENT_FIELDS) first[field] = row[`fp.${field}`];
  return {
    ...SANDBOX_SESSIONS.map(row),
    firstPayment: first.id === null ? null : toPayment(first),
  };
}

function toPaymentOfSession(row: Row): { payment: PaymentSnapshot; sessionId: string } {
  return {
    payment: toPayment(row),
    sessionId: SANDBOX_PAYMENTS.mapSome(row, ['sessionId']).sessionId,
  };
}

function toEvent(row: Row): StoredSandboxEvent {
  return SANDBOX_EVENTS.mapSome(row, EVENT_FIELDS);
}

/** The only place that queries the sandbox provider's tables. */
@Injectable()
export class SandboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(opts: TransactionOptions): EntityManager {
    return opts.within ?? this.dataSource.manager;
  }

  /** One session per donation: a second call for the same donation returns the first session. */
  async insertSessionOnce(data: NewSandboxSession): Promise<SessionSnapshot> {
    await this.dataSource.query(
      `INSERT INTO sandbox_sessions (id, donation_id, amount_minor, currency, description,
         customer_email, monthly, locale, success_url, cancel_url, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (donation_id) DO NOTHING`,
      [
        data.id,
        data.donationId,
        data.amountMinor,
        data.currency,
        data.description,
        data.customerEmail,
        data.monthly,
        data.locale,
        data.successUrl,
        data.cancelUrl,
        data.createdAt,
      ],
    );
    const rows: Row[] = await this.dataSource.query(`${SESSION_SELECT} WHERE s.donation_id = $1`, [
      data.donationId,
    ]);
    return toSession(rows[0]!);
  }

  async findSession(id: string, opts: TransactionOptions = {}): Promise<SessionSnapshot | null> {
    const rows: Row[] = await this.m(opts).query(`${SESSION_SELECT} WHERE s.id = $1`, [id]);
    return rows[0] ? toSession(rows[0]) : null;
  }

  /** The session, locked for a state change (Pay and Decline racing each other, double clicks). */
  async lockSession(manager: EntityManager, id: string): Promise<SessionSnapshot | null> {
    const rows: Row[] = await manager.query(`${SESSION_SELECT} WHERE s.id = $1 FOR UPDATE OF s`, [
      id,
    ]);
    return rows[0] ? toSession(rows[0]) : null;
  }

  /** Open sessions created before `cutoff`, oldest first, locked (others' locks are skipped). */
  async lockOpenSessionsBefore(
    manager: EntityManager,
    cutoff: Date,
    limit: number,
  ): Promise<SessionSnapshot[]> {
    const rows: Row[] = await manager.query(
      `${SESSION_SELECT} WHERE s.status = 'OPEN' AND s.created_at < $1
       ORDER BY s.created_at, s.id LIMIT $2 FOR UPDATE OF s SKIP LOCKED`,
      [cutoff, limit],
    );
    return rows.map(toSession);
  }

  async lockSessionBySubscription(
    manager: EntityManager,
    subscriptionId: string,
  ): Promise<SessionSnapshot | null> {
    const rows: Row[] = await manager.query(
      `${SESSION_SELECT} WHERE s.subscription_id = $1 FOR UPDATE OF s`,
      [subscriptionId],
    );
    return rows[0] ? toSession(rows[0]) : null;
  }

  /** Sessions created at or after `since`, newest first, keyset-paginated. */
  async sessionsSince(
    since: Date,
    before: { createdAt: Date; id: string } | null,
    limit: number,
  ): Promise<SessionSnapshot[]> {
    const rows: Row[] = await this.dataSource.query(
      `${SESSION_SELECT}
       WHERE s.created_at >= $1
         AND ($2::timestamptz IS NULL OR (s.created_at, s.id) < ($2::timestamptz, $3::text))
       ORDER BY s.created_at DESC, s.id DESC LIMIT $4`,
      [since, before?.createdAt ?? null, before?.id ?? null, limit],
    );
    return rows.map(toSession);
  }

  async completeSession(
    manager: EntityManager,
    id: string,
    change: {
      status: 'PAID' | 'DECLINED';
      completedAt: Date;
      customerId: string | null;
      subscriptionId: string | null;
    },
  ): Promise<void> {
    await manager.query(
      `UPDATE sandbox_sessions
       SET status = $2, completed_at = $3, customer_id = $4, subscription_id = $5,
           subscription_status = CASE WHEN $5::text IS NULL THEN NULL ELSE 'active' END
       WHERE id = $1 AND status = 'OPEN'`,
      [id, change.status, change.completedAt, change.customerId, change.subscriptionId],
    );
  }

  async cancelSubscription(manager: EntityManager, subscriptionId: string): Promise<void> {
    await manager.query(
      `UPDATE sandbox_sessions SET subscription_status = 'canceled' WHERE subscription_id = $1`,
      [subscriptionId],
    );
  }

  async insertPayment(
    manager: EntityManager,
    sessionId: string,
    payment: PaymentSnapshot,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO sandbox_payments (id, charge_id, session_id, invoice_id, amount_minor, currency,
         fee_minor, refunded_minor, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        payment.id,
        payment.chargeId,
        sessionId,
        payment.invoiceId,
        payment.amountMinor,
        payment.currency,
        payment.feeMinor,
        payment.refundedMinor,
        payment.createdAt,
      ],
    );
  }

  async findPayment(
    id: string,
    opts: TransactionOptions = {},
  ): Promise<{ payment: PaymentSnapshot; sessionId: string } | null> {
    const rows: Row[] = await this.m(opts).query(`${PAYMENT_SELECT} WHERE p.id = $1`, [id]);
    return rows[0] ? toPaymentOfSession(rows[0]) : null;
  }

  /** The payment of an invoice (a monthly gift's first payment or a renewal's). */
  async findPaymentByInvoice(invoiceId: string): Promise<PaymentSnapshot | null> {
    const rows: Row[] = await this.dataSource.query(`${PAYMENT_SELECT} WHERE p.invoice_id = $1`, [
      invoiceId,
    ]);
    return rows[0] ? toPayment(rows[0]) : null;
  }

  async lockPayment(
    manager: EntityManager,
    id: string,
  ): Promise<{ payment: PaymentSnapshot; sessionId: string } | null> {
    const rows: Row[] = await manager.query(`${PAYMENT_SELECT} WHERE p.id = $1 FOR UPDATE`, [id]);
    return rows[0] ? toPaymentOfSession(rows[0]) : null;
  }

  async setRefunded(manager: EntityManager, paymentId: string, refundedMinor: number) {
    await manager.query(`UPDATE sandbox_payments SET refunded_minor = $2 WHERE id = $1`, [
      paymentId,
      refundedMinor,
    ]);
  }

  async findRefund(
    manager: EntityManager,
    idempotencyKey: string,
  ): Promise<{ id: string; paymentId: string; amountMinor: number } | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${SANDBOX_REFUNDS.select()} FROM sandbox_refunds WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return rows[0] ? SANDBOX_REFUNDS.mapSome(rows[0], ['id', 'paymentId', 'amountMinor']) : null;
  }

  async insertRefund(
    manager: EntityManager,
    refund: { id: string; idempotencyKey: string; paymentId: string; amountMinor: number },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO sandbox_refunds (id, idempotency_key, payment_id, amount_minor)
       VALUES ($1, $2, $3, $4)`,
      [refund.id, refund.idempotencyKey, refund.paymentId, refund.amountMinor],
    );
  }

  /** Records events in the order given (their `seq`), before anything tries to deliver them. */
  async insertEvents(
    manager: EntityManager,
    sessionId: string,
    events: readonly StripeShapedEvent[],
  ): Promise<void> {
    for (const event of events) {
      await manager.query(
        `INSERT INTO sandbox_events (id, type, session_id, payload) VALUES ($1, $2, $3, $4)`,
        [event.id, event.type, sessionId, JSON.stringify(event)],
      );
    }
  }

  /** A session's events that no delivery has succeeded for yet, in order. */
  async undeliveredForSession(
    sessionId: string,
    opts: TransactionOptions = {},
  ): Promise<StoredSandboxEvent[]> {
    const rows: Row[] = await this.m(opts).query(
      `${EVENT_SELECT} WHERE session_id = $1 AND delivered_at IS NULL ORDER BY seq`,
      [sessionId],
    );
    return rows.map(toEvent);
  }

  /** Events no delivery has succeeded for yet, oldest first. */
  async undeliveredEvents(createdAfter: Date, limit: number): Promise<StoredSandboxEvent[]> {
    const rows: Row[] = await this.dataSource.query(
      `${EVENT_SELECT} WHERE delivered_at IS NULL AND created_at >= $1 ORDER BY seq LIMIT $2`,
      [createdAfter, limit],
    );
    return rows.map(toEvent);
  }

  async recordAttempt(id: string, outcome: { delivered: boolean; error?: string }): Promise<void> {
    await this.dataSource.query(
      `UPDATE sandbox_events
       SET attempts = attempts + 1,
           delivered_at = CASE WHEN $2 THEN coalesce(delivered_at, now()) ELSE delivered_at END,
           last_error = CASE WHEN $2 THEN NULL ELSE $3 END
       WHERE id = $1`,
      [id, outcome.delivered, outcome.error?.slice(0, 2000) ?? null],
    );
  }

  /**
   * Erasure: the sandbox's copies of a donor's address (its checkout sessions, and the events it
   * has stored to deliver) are emptied, in the caller's transaction. Addresses never hold a quote
   * or a backslash (the donation form refuses them), so removing it from the JSON text keeps valid
   * JSON. Returns the rows changed.
   */
  async eraseCustomer(manager: EntityManager, email: string): Promise<number> {
    const sessions = affectedRows(
      await manager.query(
        `UPDATE sandbox_sessions SET customer_email = '' WHERE lower(customer_email) = $1 RETURNING 1`,
        [email],
      ),
    );
    const events = affectedRows(
      await manager.query(
        `UPDATE sandbox_events SET payload = replace(payload::text, $1, '')::jsonb
          WHERE strpos(payload::text, $1) > 0 RETURNING 1`,
        [email],
      ),
    );
    return sessions + events;
  }
}
