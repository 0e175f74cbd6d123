import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters in the webhook inbox: an event that failed `PAYMENT_EVENT_MAX_ATTEMPTS` times stops
 * being retried (`dead_at`) and waits for FINANCE. `failure_reason` is why its last attempt failed,
 * as a code the back office puts in words; `last_attempt_at` is when that was.
 */
export class PaymentDeadLetters1764230000000 implements MigrationInterface {
  name = 'PaymentDeadLetters1764230000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE payment_events
        ADD COLUMN dead_at timestamptz,
        ADD COLUMN failure_reason text
          CHECK (failure_reason IN ('UNKNOWN_DONATION', 'AMOUNT_MISMATCH', 'WAITING', 'ERROR')),
        ADD COLUMN last_attempt_at timestamptz,
        ADD CONSTRAINT payment_events_dead_unprocessed CHECK (dead_at IS NULL OR processed_at IS NULL);
      UPDATE payment_events SET last_attempt_at = coalesce(processed_at, received_at) WHERE attempts > 0;
      CREATE INDEX payment_events_dead ON payment_events (dead_at DESC, id DESC) WHERE dead_at IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX payment_events_dead;
      ALTER TABLE payment_events
        DROP CONSTRAINT payment_events_dead_unprocessed,
        DROP COLUMN last_attempt_at,
        DROP COLUMN failure_reason,
        DROP COLUMN dead_at;
    `);
  }
}
