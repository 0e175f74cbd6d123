import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An application whose award was rejected may be proposed again (a corrected tier or amount): one
 * live award per application (PROPOSED or APPROVED) instead of one award row ever.
 */
export class GrantAwardAgain1764300600000 implements MigrationInterface {
  name = 'GrantAwardAgain1764300600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE grant_awards DROP CONSTRAINT grant_awards_application_id_key;
      CREATE UNIQUE INDEX grant_awards_one_live ON grant_awards (application_id) WHERE status <> 'REJECTED';
      CREATE INDEX grant_awards_application ON grant_awards (application_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX grant_awards_application;
      DROP INDEX grant_awards_one_live;
      ALTER TABLE grant_awards ADD CONSTRAINT grant_awards_application_id_key UNIQUE (application_id);
    `);
  }
}
