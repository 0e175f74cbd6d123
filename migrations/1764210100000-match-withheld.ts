import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The bot check counts PAID gifts by donor email and by payment fingerprint (the card or payer
 * account the provider names), not started gifts by IP. A gift whose match it withheld records
 * why, and when FINANCE released the match after checking the donor.
 */
export class MatchWithheld1764210100000 implements MigrationInterface {
  name = 'MatchWithheld1764210100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE donations
        ADD COLUMN payment_fingerprint text CHECK (length(payment_fingerprint) BETWEEN 1 AND 200),
        ADD COLUMN match_withheld_reason text CHECK (match_withheld_reason IN ('VELOCITY')),
        ADD COLUMN match_released_at timestamptz,
        ADD CONSTRAINT donations_match_released_withheld
          CHECK (match_released_at IS NULL OR match_withheld_reason IS NOT NULL);
      CREATE INDEX donations_email_paid ON donations (donor_email, succeeded_at)
        WHERE succeeded_at IS NOT NULL;
      CREATE INDEX donations_fingerprint_paid ON donations (payment_fingerprint, succeeded_at)
        WHERE payment_fingerprint IS NOT NULL AND succeeded_at IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX donations_fingerprint_paid;
      DROP INDEX donations_email_paid;
      ALTER TABLE donations
        DROP CONSTRAINT donations_match_released_withheld,
        DROP COLUMN match_released_at,
        DROP COLUMN match_withheld_reason,
        DROP COLUMN payment_fingerprint;
    `);
  }
}
