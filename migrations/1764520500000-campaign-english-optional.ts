import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaigns (and their news) are written in Chinese first: the English title may be empty, and
 * pages in English show the Chinese title until one is written (campaign-views.ts, englishOr).
 */
export class CampaignEnglishOptional1764520500000 implements MigrationInterface {
  name = 'CampaignEnglishOptional1764520500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE campaigns DROP CONSTRAINT campaigns_title_en_check,
        ADD CONSTRAINT campaigns_title_en_check CHECK (length(title_en) <= 120);
      ALTER TABLE campaign_updates DROP CONSTRAINT campaign_updates_title_en_check,
        ADD CONSTRAINT campaign_updates_title_en_check CHECK (length(title_en) <= 120);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE campaigns SET title_en = title_zh WHERE title_en = '';
      UPDATE campaign_updates SET title_en = title_zh WHERE title_en = '';
      ALTER TABLE campaigns DROP CONSTRAINT campaigns_title_en_check,
        ADD CONSTRAINT campaigns_title_en_check CHECK (length(title_en) BETWEEN 1 AND 120);
      ALTER TABLE campaign_updates DROP CONSTRAINT campaign_updates_title_en_check,
        ADD CONSTRAINT campaign_updates_title_en_check CHECK (length(title_en) BETWEEN 1 AND 120);
    `);
  }
}
