import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When the money of an entry moved in the world, where that is earlier than its posting: an
 * offline gift received on 2 May and recorded on 4 December is posted on 4 December (the ledger's
 * order and running balances stay in posting order) and occurred on 2 May. Charts of a fund's
 * months date entries by it; NULL means "when it was posted". Never later than the posting.
 */
export class LedgerOccurredAt1764700000000 implements MigrationInterface {
  name = 'LedgerOccurredAt1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE journal_entries ADD COLUMN occurred_at timestamptz;
      ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_occurred_at_check
        CHECK (occurred_at IS NULL OR occurred_at <= posted_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE journal_entries DROP COLUMN occurred_at;`);
  }
}
