import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Offline gifts (bank transfers, cash) recorded by FINANCE may go straight into a fund, with no
 * campaign: `fund_id` was always set (the fund the gift's ledger entry credits), `campaign_id`
 * becomes optional for offline gifts only. An offline donor may leave out their email (a cash
 * gift: no receipt email) and their name (an empty name), and may be an organisation, whose name
 * is shown as given, never masked like a person's.
 */
export class OfflineGiftsToFunds1764520000000 implements MigrationInterface {
  name = 'OfflineGiftsToFunds1764520000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE donations
        ALTER COLUMN campaign_id DROP NOT NULL,
        ALTER COLUMN donor_email DROP NOT NULL,
        ADD COLUMN donor_kind text NOT NULL DEFAULT 'PERSON'
          CONSTRAINT donations_donor_kind CHECK (donor_kind IN ('PERSON', 'ORGANISATION')),
        DROP CONSTRAINT donations_donor_name_check,
        ADD CONSTRAINT donations_donor_name CHECK (
          length(donor_name) <= 100 AND (length(donor_name) >= 1 OR provider = 'OFFLINE')),
        ADD CONSTRAINT donations_campaign_or_offline CHECK (
          campaign_id IS NOT NULL OR provider = 'OFFLINE'),
        ADD CONSTRAINT donations_email_or_offline CHECK (
          donor_email IS NOT NULL OR provider = 'OFFLINE');
      CREATE INDEX donations_fund_gifts ON donations (fund_id, succeeded_at DESC)
        WHERE campaign_id IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    // Gifts without a campaign, email or name cannot be put back into the old shape: refuse.
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM donations
                   WHERE campaign_id IS NULL OR donor_email IS NULL OR donor_name = '') THEN
          RAISE EXCEPTION 'offline gifts without a campaign, email or name exist; cannot revert';
        END IF;
      END $$;
      DROP INDEX donations_fund_gifts;
      ALTER TABLE donations
        DROP CONSTRAINT donations_email_or_offline,
        DROP CONSTRAINT donations_campaign_or_offline,
        DROP CONSTRAINT donations_donor_name,
        ADD CONSTRAINT donations_donor_name_check CHECK (length(donor_name) BETWEEN 1 AND 100),
        DROP COLUMN donor_kind,
        ALTER COLUMN donor_email SET NOT NULL,
        ALTER COLUMN campaign_id SET NOT NULL;
    `);
  }
}
