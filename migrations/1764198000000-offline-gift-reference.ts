import type { MigrationInterface, QueryRunner } from 'typeorm';

/** An offline gift (bank transfer, cash) is recorded once per reference: imports are idempotent. */
export class OfflineGiftReference1764198000000 implements MigrationInterface {
  name = 'OfflineGiftReference1764198000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE UNIQUE INDEX donations_offline_reference ON donations (provider_payment_id) WHERE provider = 'OFFLINE'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX donations_offline_reference`);
  }
}
