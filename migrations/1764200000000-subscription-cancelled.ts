import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When a monthly gift was stopped (customer.subscription.deleted), on every gift of it. */
export class SubscriptionCancelled1764200000000 implements MigrationInterface {
  name = 'SubscriptionCancelled1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE donations ADD COLUMN subscription_cancelled_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE donations DROP COLUMN subscription_cancelled_at`);
  }
}
