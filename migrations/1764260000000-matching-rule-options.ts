import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Matching rules managed by staff: whether the donor's fee cover is matched too (off by default:
 * the sponsor matches the gift), and when a rule was ended. An ended rule never matches again
 * (it stays inactive) but keeps its matched sum, so the sponsor report and give-backs still work.
 */
export class MatchingRuleOptions1764260000000 implements MigrationInterface {
  name = 'MatchingRuleOptions1764260000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE matching_rules
        ADD COLUMN match_fee_cover boolean NOT NULL DEFAULT false,
        ADD COLUMN ended_at timestamptz,
        ADD CONSTRAINT matching_rules_ended_inactive CHECK (ended_at IS NULL OR NOT active),
        ADD CONSTRAINT matching_rules_window CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE matching_rules
        DROP CONSTRAINT matching_rules_window,
        DROP CONSTRAINT matching_rules_ended_inactive,
        DROP COLUMN ended_at,
        DROP COLUMN match_fee_cover;
    `);
  }
}
