import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: one row per side effect (an email today; PDFs and third-party calls
 * later), written by business code in its own transaction, so the side effect exists if and only
 * if the transaction committed. A relay hands due PENDING rows to BullMQ (job id = row id), or,
 * without Redis, an in-process drainer runs them; either way the row records attempts and outcome.
 *  - `dedupe_key` is unique: enqueueing the same key twice keeps the first row;
 *  - `next_attempt_at` is when a PENDING row is next due; claiming a row pushes it forward as a
 *    lease, so a crashed relay or drainer lets the row come due again instead of losing it;
 *  - a SENT row has `sent_at`, and nothing sends it again.
 */
export class Outbox1764190000000 implements MigrationInterface {
  name = 'Outbox1764190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind ~ '^[A-Z_]{1,40}$'),
        dedupe_key text UNIQUE CHECK (length(dedupe_key) BETWEEN 1 AND 200),
        payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
        status text NOT NULL DEFAULT 'PENDING'
          CHECK (status IN ('PENDING', 'RELAYED', 'SENT', 'FAILED')),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text CHECK (length(last_error) <= 2000),
        created_at timestamptz NOT NULL DEFAULT now(),
        relayed_at timestamptz,
        sent_at timestamptz,
        CHECK ((status = 'SENT') = (sent_at IS NOT NULL))
      );
      -- The relay's and drainer's claim: due PENDING rows, oldest first.
      CREATE INDEX outbox_pending_due ON outbox (next_attempt_at) WHERE status = 'PENDING';
      -- Redelivery check: RELAYED rows that have not finished long after they were relayed.
      CREATE INDEX outbox_relayed_at ON outbox (relayed_at) WHERE status = 'RELAYED';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox`);
  }
}
