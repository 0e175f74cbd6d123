import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sandbox payment provider's own state (embedded default, no Stripe account): what Stripe
 * would hold on its side. The app's donations never read these tables; the sandbox answers
 * through the payment provider port and Stripe-shaped, signed webhook events, like Stripe.
 *  - `sandbox_sessions`: hosted checkouts, one per donation (the idempotency key's role);
 *  - `sandbox_payments`: each payment (a checkout's or a monthly renewal's), with what was refunded;
 *  - `sandbox_refunds`: one per refund idempotency key, so a retried refund refunds once;
 *  - `sandbox_events`: every event sent, in order (`seq`), kept so that a failed delivery can be
 *    sent again with the same event id, as Stripe redelivers.
 * The sandbox keeps no card data and moves no money: it exists for demos, development and tests.
 */
export class SandboxSessions1764196000000 implements MigrationInterface {
  name = 'SandboxSessions1764196000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sandbox_sessions (
        id text PRIMARY KEY CHECK (id ~ '^cs_sandbox_[0-9a-f]{32}$'),
        donation_id text NOT NULL UNIQUE CHECK (length(donation_id) BETWEEN 1 AND 200),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency char(3) NOT NULL,
        description text NOT NULL,
        customer_email text NOT NULL,
        monthly boolean NOT NULL,
        locale text NOT NULL CHECK (locale IN ('zh-CN', 'en')),
        success_url text NOT NULL,
        cancel_url text NOT NULL,
        status text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'PAID', 'DECLINED')),
        customer_id text,
        subscription_id text UNIQUE,
        subscription_status text CHECK (subscription_status IN ('active', 'canceled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CHECK ((status = 'OPEN') = (completed_at IS NULL)),
        CHECK ((subscription_id IS NULL) = (subscription_status IS NULL))
      );
      CREATE INDEX sandbox_sessions_created ON sandbox_sessions (created_at, id);

      CREATE TABLE sandbox_payments (
        id text PRIMARY KEY,
        charge_id text NOT NULL UNIQUE,
        session_id text NOT NULL REFERENCES sandbox_sessions (id),
        invoice_id text UNIQUE,
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency char(3) NOT NULL,
        fee_minor bigint NOT NULL CHECK (fee_minor >= 0 AND fee_minor <= amount_minor),
        refunded_minor bigint NOT NULL DEFAULT 0
          CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sandbox_payments_session ON sandbox_payments (session_id);

      CREATE TABLE sandbox_refunds (
        id text PRIMARY KEY,
        idempotency_key text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 255),
        payment_id text NOT NULL REFERENCES sandbox_payments (id),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE sandbox_events (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        type text NOT NULL,
        session_id text NOT NULL REFERENCES sandbox_sessions (id),
        payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        delivered_at timestamptz,
        last_error text
      );
      CREATE INDEX sandbox_events_session ON sandbox_events (session_id, seq);
      CREATE INDEX sandbox_events_undelivered ON sandbox_events (seq) WHERE delivered_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE sandbox_events;
      DROP TABLE sandbox_refunds;
      DROP TABLE sandbox_payments;
      DROP TABLE sandbox_sessions;
    `);
  }
}
