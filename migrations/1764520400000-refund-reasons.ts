import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why each refund was made, as FINANCE wrote it: one row per refund request (its amount and the
 * provider's refund id, or `offline:…` for a gift booked without a provider), shown on the gift's
 * page. The money itself is in the ledger; this is the record of the decision.
 */
export class RefundReasons1764520400000 implements MigrationInterface {
  name = 'RefundReasons1764520400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE donation_refunds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        donation_id uuid NOT NULL REFERENCES donations (id),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency char(3) NOT NULL,
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        refund_ref text NOT NULL UNIQUE,
        requested_by uuid REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX donation_refunds_donation ON donation_refunds (donation_id, created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE donation_refunds;`);
  }
}
