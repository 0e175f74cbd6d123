import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The donor's language (their emails are written in it) and the links in those emails that let a
 * donor stop a monthly gift without signing in: only a SHA-256 of each link's secret is kept.
 */
export class DonorLocaleLinks1764201000000 implements MigrationInterface {
  name = 'DonorLocaleLinks1764201000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE donations ADD COLUMN locale text NOT NULL DEFAULT 'zh-CN'
        CHECK (locale IN ('zh-CN', 'en'));

      CREATE TABLE donor_links (
        token_hash text PRIMARY KEY,
        purpose text NOT NULL CHECK (purpose IN ('STOP_MONTHLY')),
        donation_id uuid NOT NULL REFERENCES donations (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX donor_links_donation ON donor_links (donation_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE donor_links; ALTER TABLE donations DROP COLUMN locale;`);
  }
}
