import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What China's Charity Law asks a public fundraising page to show: the foundation's public
 * fundraising qualification (慈善组织公开募捐资格, e.g. the certificate's issuer and number) and each
 * campaign's filing number (募捐方案备案编号). Empty means "not set yet"; pages then say so rather
 * than invent one. Covers gain the widths they were resized to (for `srcset`).
 */
export class PublicDisclosure1764500000000 implements MigrationInterface {
  name = 'PublicDisclosure1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE foundation
        ADD COLUMN fundraising_qualification text NOT NULL DEFAULT ''
          CHECK (char_length(fundraising_qualification) <= 200);
      ALTER TABLE campaigns
        ADD COLUMN filing_number text NOT NULL DEFAULT ''
          CHECK (char_length(filing_number) <= 100),
        ADD COLUMN cover_widths integer[] NOT NULL DEFAULT '{}'
          CHECK (cardinality(cover_widths) <= 8);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE campaigns DROP COLUMN cover_widths, DROP COLUMN filing_number;
      ALTER TABLE foundation DROP COLUMN fundraising_qualification;
    `);
  }
}
