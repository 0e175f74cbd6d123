import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * WeChat Pay and Alipay beside Stripe: gifts and inbox rows may name them; a rail that reports
 * each refund on its own (WeChat Pay) has its refunds recorded once per (gift, refund reference);
 * a gift paid by scanning a QR code keeps the code's content for its payment page, and one paid
 * inside WeChat (JSAPI) the parameters its pay sheet is opened with.
 */
export class PaymentRails1764800000000 implements MigrationInterface {
  name = 'PaymentRails1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE donations DROP CONSTRAINT donations_provider_check;
      ALTER TABLE donations ADD CONSTRAINT donations_provider_check
        CHECK (provider IN ('STRIPE', 'SANDBOX', 'WECHAT_PAY', 'ALIPAY', 'OFFLINE'));
      ALTER TABLE donations ADD COLUMN checkout_qr text CHECK (length(checkout_qr) <= 2000);
      ALTER TABLE donations ADD COLUMN checkout_invoke jsonb;
      ALTER TABLE payment_events DROP CONSTRAINT payment_events_provider_check;
      ALTER TABLE payment_events ADD CONSTRAINT payment_events_provider_check
        CHECK (provider IN ('STRIPE', 'SANDBOX', 'WECHAT_PAY', 'ALIPAY'));
      CREATE TABLE payment_refunds (
        donation_id uuid NOT NULL REFERENCES donations (id),
        refund_ref text NOT NULL CHECK (length(refund_ref) BETWEEN 1 AND 200),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT payment_refunds_once PRIMARY KEY (donation_id, refund_ref)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE payment_refunds;
      DELETE FROM payment_events WHERE provider IN ('WECHAT_PAY', 'ALIPAY');
      ALTER TABLE payment_events DROP CONSTRAINT payment_events_provider_check;
      ALTER TABLE payment_events ADD CONSTRAINT payment_events_provider_check
        CHECK (provider IN ('STRIPE', 'SANDBOX'));
      ALTER TABLE donations DROP COLUMN checkout_invoke;
      ALTER TABLE donations DROP COLUMN checkout_qr;
      ALTER TABLE donations DROP CONSTRAINT donations_provider_check;
      ALTER TABLE donations ADD CONSTRAINT donations_provider_check
        CHECK (provider IN ('STRIPE', 'SANDBOX', 'OFFLINE'));
    `);
  }
}
