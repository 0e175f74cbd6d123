import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A donor link of a second kind: the browser that started a gift holds it (an HttpOnly cookie)
 * and, coming back from a checkout that did not complete, gets its form again filled in from the
 * gift. Only the link's SHA-256 is kept, as for the other kind; it lives for two hours.
 */
export class ReturnToFormLinks1764600300000 implements MigrationInterface {
  name = 'ReturnToFormLinks1764600300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE donor_links DROP CONSTRAINT donor_links_purpose_check;
      ALTER TABLE donor_links ADD CONSTRAINT donor_links_purpose_check
        CHECK (purpose IN ('STOP_MONTHLY', 'RETURN_TO_FORM'));
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM donor_links WHERE purpose = 'RETURN_TO_FORM';
      ALTER TABLE donor_links DROP CONSTRAINT donor_links_purpose_check;
      ALTER TABLE donor_links ADD CONSTRAINT donor_links_purpose_check
        CHECK (purpose IN ('STOP_MONTHLY'));
    `);
  }
}
