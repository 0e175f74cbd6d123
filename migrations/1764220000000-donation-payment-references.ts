import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A gift's payment references in their own columns: the invoice (a monthly gift's idempotency
 * key, one gift per invoice) apart from the PaymentIntent (what fees and refunds ask the provider
 * about), and the charge (what refunds and disputes name). Renewals stored before this kept the
 * invoice id where the PaymentIntent belongs: it moves to its column, and the fee job looks the
 * PaymentIntent up from it. Also what an open dispute holds of the gift, and the dispute fee
 * booked so far.
 */
export class DonationPaymentReferences1764220000000 implements MigrationInterface {
  name = 'DonationPaymentReferences1764220000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE donations
        ADD COLUMN provider_invoice_id text,
        ADD COLUMN provider_charge_id text,
        ADD COLUMN provider_dispute_id text,
        ADD COLUMN dispute_held_minor bigint NOT NULL DEFAULT 0 CHECK (dispute_held_minor >= 0),
        ADD COLUMN dispute_fee_minor bigint NOT NULL DEFAULT 0 CHECK (dispute_fee_minor >= 0)`);
    await q.query(`
      UPDATE donations SET provider_invoice_id = provider_payment_id, provider_payment_id = NULL
      WHERE provider <> 'OFFLINE' AND provider_payment_id LIKE 'in\\_%'`);
    await q.query(
      `CREATE UNIQUE INDEX donations_invoice ON donations (provider_invoice_id) WHERE provider_invoice_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX donations_charge ON donations (provider_charge_id) WHERE provider_charge_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX donations_charge`);
    await q.query(`DROP INDEX donations_invoice`);
    // Renewals get their invoice id back where it was kept before (their PaymentIntent is lost).
    await q.query(`
      UPDATE donations SET provider_payment_id = provider_invoice_id
      WHERE parent_donation_id IS NOT NULL AND provider_invoice_id IS NOT NULL`);
    await q.query(`
      ALTER TABLE donations
        DROP COLUMN dispute_fee_minor,
        DROP COLUMN dispute_held_minor,
        DROP COLUMN provider_dispute_id,
        DROP COLUMN provider_charge_id,
        DROP COLUMN provider_invoice_id`);
  }
}
