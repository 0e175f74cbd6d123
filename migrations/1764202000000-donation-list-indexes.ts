import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the lists of gifts: a campaign's latest received gifts (its public page) and the
 * back office's newest-first list, so both stay fast on a campaign with hundreds of thousands.
 */
export class DonationListIndexes1764202000000 implements MigrationInterface {
  name = 'DonationListIndexes1764202000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX donations_campaign_received ON donations (campaign_id, succeeded_at DESC)
        WHERE succeeded_at IS NOT NULL;
      CREATE INDEX donations_created ON donations (created_at DESC, id DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX donations_created; DROP INDEX donations_campaign_received;`);
  }
}
