import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notices at collection state the retention periods (privacy_settings) on public pages the
 * page cache keeps, the campaign pages among them: a change to the periods drops every cached page
 * (the `foundation` notice of migration 1764500100000-page-change-notices), so the notice a donor
 * reads is never older than the settings.
 */
export class PrivacyPageNotices1765000001000 implements MigrationInterface {
  name = 'PrivacyPageNotices1765000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TRIGGER privacy_settings_page_notice AFTER UPDATE ON privacy_settings
        FOR EACH STATEMENT EXECUTE FUNCTION page_notice_foundation();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER privacy_settings_page_notice ON privacy_settings`);
  }
}
