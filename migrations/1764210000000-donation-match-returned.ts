import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a gift's match gave back to its pool on refunds, beside `matched_minor` (the match the gift
 * keeps now). Their sum is the original match, the amount its `match:<id>` entry posted, from
 * which every refund's give-back is computed. Filled in for existing gifts from that entry.
 */
export class DonationMatchReturned1764210000000 implements MigrationInterface {
  name = 'DonationMatchReturned1764210000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE donations ADD COLUMN match_returned_minor bigint NOT NULL DEFAULT 0
        CHECK (match_returned_minor >= 0);
      UPDATE donations d SET match_returned_minor = m.original - d.matched_minor
      FROM (
        SELECT substr(e.idempotency_key, length('match:') + 1) AS donation_id,
               sum(p.amount_minor) FILTER (WHERE p.amount_minor > 0) AS original
        FROM journal_entries e JOIN postings p ON p.entry_id = e.id
        WHERE e.kind = 'MATCH' AND e.idempotency_key LIKE 'match:%'
        GROUP BY e.idempotency_key
      ) m
      WHERE d.id::text = m.donation_id AND m.original > d.matched_minor;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE donations DROP COLUMN match_returned_minor`);
  }
}
