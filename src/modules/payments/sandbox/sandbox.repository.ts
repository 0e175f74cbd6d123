import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { toSafeInteger } from '../../../common/money';
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

const PAYMENT_COLUMNS = `p.id, p.charge_id AS "chargeId", p.invoice_id AS "invoiceId",
  p.amount_minor AS "amountMinor", p.currency, p.fee_minor AS "feeMinor",
  p.refunded_minor AS "refundedMinor", p.created_at AS "createdAt"`;

/** A session with its first payment (the checkout's own, or the first invoice's). */
const SESSION_SELECT = `
  SELECT s.id, s.donation_id AS "donationId", s.amount_minor AS "amountMinor", s.currency,
         s.description, s.customer_email AS "customerEmail", s.monthly, s.locale,
         s.success_url AS "successUrl", s.cancel_url AS "cancelUrl", s.status,
         s.customer_id AS "customerId", s.subscription_id AS "subscriptionId",
         s.subscription_status AS "subscriptionStatus", s.created_at AS "createdAt",
         s.completed_at AS "completedAt", to_jsonb(fp) AS "firstPayment"
  FROM sandbox_sessions s
  LEFT JOIN LATERAL (
    SELECT ${PAYMENT_COLUMNS} FROM sandbox_payments p
    WHERE p.session_id = s.id ORDER BY p.created_at, p.id LIMIT 1
  ) fp ON true`;

type Row = Record<string, unknown>;

function toPayment(row: Row): PaymentSnapshot {
  return {
    id: String(row.id),
    chargeId: String(row.chargeId),
    invoiceId: (row.invoiceId as string | null) ?? null,
    amountMinor: toSafeInteger(row.amountMinor as string)!,
    currency: String(row.currency).trim(),
    feeMinor: toSafeInteger(row.feeMinor as string)!,
    refundedMinor: toSafeInteger(row.refundedMinor as string)!,
    createdAt: new Date(row.createdAt as string),
  };
}

function toSession(row: Row): SessionSnapshot {
  return {
    id: String(row.id),
    donationId: String(row.donationId),
    amountMinor: toSafeInteger(row.amountMinor as string)!,
    currency: String(row.currency).trim(),
    description: String(row.description),
    customerEmail: String(row.customerEmail),
    monthly: Boolean(row.monthly),
    locale: row.locale === 'en' ? 'en' : 'zh-CN',
    successUrl: String(row.successUrl),
    cancelUrl: String(row.cancelUrl),
    status: row.status as SandboxSessionStatus,
    customerId: (row.customerId as string | null) ?? null,
    subscriptionId: (row.subscriptionId as string | null) ?? null,
    subscriptionStatus: (row.subscriptionStatus as 'active' | 'canceled' | null) ?? null,
    createdAt: new Date(row.createdAt as string),
    completedAt: row.completedAt ? new Date(row.completedAt as string) : null,
    firstPayment: row.firstPayment ? toPayment(row.firstPayment as Row) : null,
  };
}

function toEvent(row: Row): StoredSandboxEvent {
  return {
    id: String(row.id),
    type: String(row.type),
    sessionId: String(row.sessionId),
    payload: row.payload as StripeShapedEvent,
    attempts: Number(row.attempts),
    deliveredAt: row.deliveredAt ? new Date(row.deliveredAt as string) : null,
  };
}

/** The only place that queries the sandbox provider's tables. */
@Injectable()
export class SandboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
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

  async findSession(id: string, manager?: EntityManager): Promise<SessionSnapshot | null> {
    const rows: Row[] = await this.m(manager).query(`${SESSION_SELECT} WHERE s.id = $1`, [id]);
    return rows[0] ? toSession(rows[0]) : null;
  }

  /** The session, locked for a state change (Pay and Decline racing each other, double clicks). */
  async lockSession(manager: EntityManager, id: string): Promise<SessionSnapshot | null> {
    const rows: Row[] = await manager.query(`${SESSION_SELECT} WHERE s.id = $1 FOR UPDATE OF s`, [
      id,
    ]);
    return rows[0] ? toSession(rows[0]) : null;
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
    manager?: EntityManager,
  ): Promise<{ payment: PaymentSnapshot; sessionId: string } | null> {
    const rows: Row[] = await this.m(manager).query(
      `SELECT ${PAYMENT_COLUMNS}, p.session_id AS "sessionId" FROM sandbox_payments p WHERE p.id = $1`,
      [id],
    );
    return rows[0] ? { payment: toPayment(rows[0]), sessionId: String(rows[0].sessionId) } : null;
  }

  /** The payment of an invoice (a monthly gift's first payment or a renewal's). */
  async findPaymentByInvoice(invoiceId: string): Promise<PaymentSnapshot | null> {
    const rows: Row[] = await this.m().query(
      `SELECT ${PAYMENT_COLUMNS} FROM sandbox_payments p WHERE p.invoice_id = $1`,
      [invoiceId],
    );
    return rows[0] ? toPayment(rows[0]) : null;
  }

  async lockPayment(
    manager: EntityManager,
    id: string,
  ): Promise<{ payment: PaymentSnapshot; sessionId: string } | null> {
    const rows: Row[] = await manager.query(
      `SELECT ${PAYMENT_COLUMNS}, p.session_id AS "sessionId"
       FROM sandbox_payments p WHERE p.id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? { payment: toPayment(rows[0]), sessionId: String(rows[0].sessionId) } : null;
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
      `SELECT id, payment_id AS "paymentId", amount_minor AS "amountMinor"
       FROM sandbox_refunds WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    const row = rows[0];
    return row
      ? {
          id: String(row.id),
          paymentId: String(row.paymentId),
          amountMinor: toSafeInteger(row.amountMinor as string)!,
        }
      : null;
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
    manager?: EntityManager,
  ): Promise<StoredSandboxEvent[]> {
    const rows: Row[] = await this.m(manager).query(
      `SELECT id, type, session_id AS "sessionId", payload, attempts, delivered_at AS "deliveredAt"
       FROM sandbox_events WHERE session_id = $1 AND delivered_at IS NULL ORDER BY seq`,
      [sessionId],
    );
    return rows.map(toEvent);
  }

  /** Events no delivery has succeeded for yet, oldest first. */
  async undeliveredEvents(createdAfter: Date, limit: number): Promise<StoredSandboxEvent[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT id, type, session_id AS "sessionId", payload, attempts, delivered_at AS "deliveredAt"
       FROM sandbox_events WHERE delivered_at IS NULL AND created_at >= $1 ORDER BY seq LIMIT $2`,
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
}
