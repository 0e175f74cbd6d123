import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Donor receipts (捐赠票据): numbered per year and series without gaps (`receipt_counters`, taken in
 * the issuing transaction, so a rolled-back issue consumes no number), immutable once issued
 * (a trigger allows only voiding once and recording the official e-receipt once), the
 * foundation's receipt wording and seal, donors' delivery choice, and each email of a receipt.
 * Gifts may carry the donor's address and ID or credit code, given only for tax purposes.
 */
export class Receipts1764400000000 implements MigrationInterface {
  name = 'Receipts1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE donations
        ADD COLUMN receipt_address text NULL CHECK (char_length(receipt_address) <= 300),
        ADD COLUMN receipt_tax_id text NULL CHECK (char_length(receipt_tax_id) <= 40);

      CREATE TABLE receipt_settings (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        address_zh text NOT NULL DEFAULT '' CHECK (char_length(address_zh) <= 300),
        address_en text NOT NULL DEFAULT '' CHECK (char_length(address_en) <= 300),
        title_zh text NOT NULL DEFAULT '公益事业捐赠收据' CHECK (char_length(title_zh) BETWEEN 1 AND 60),
        title_en text NOT NULL DEFAULT 'Donation receipt' CHECK (char_length(title_en) BETWEEN 1 AND 60),
        statement_zh text NOT NULL DEFAULT '本基金会确认收到上述捐赠。捐赠人未因此次捐赠获得任何商品或服务作为回报。'
          CHECK (char_length(statement_zh) BETWEEN 1 AND 1000),
        statement_en text NOT NULL DEFAULT 'The foundation confirms that it received the gift above. No goods or services were given in return for it.'
          CHECK (char_length(statement_en) BETWEEN 1 AND 1000),
        signatory text NOT NULL DEFAULT '' CHECK (char_length(signatory) <= 100),
        seal_png bytea NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid NULL REFERENCES users (id)
      );
      INSERT INTO receipt_settings (id) VALUES (1);

      CREATE TABLE receipt_counters (
        series text NOT NULL CHECK (series IN ('GIFT', 'ANNUAL')),
        year integer NOT NULL CHECK (year BETWEEN 2000 AND 9999),
        last_seq integer NOT NULL CHECK (last_seq >= 0),
        PRIMARY KEY (series, year)
      );

      CREATE TABLE receipts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number text NOT NULL UNIQUE,
        series text NOT NULL CHECK (series IN ('GIFT', 'ANNUAL')),
        year integer NOT NULL,
        seq integer NOT NULL CHECK (seq > 0),
        kind text NOT NULL CHECK (kind IN ('GIFT', 'CORRECTION', 'ANNUAL')),
        issue_key text NOT NULL UNIQUE,
        donation_id uuid NULL REFERENCES donations (id),
        replaces_id uuid NULL REFERENCES receipts (id),
        donor_email text NOT NULL,
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency char(3) NOT NULL,
        locale text NOT NULL CHECK (locale IN ('zh-CN', 'en')),
        verify_code text NOT NULL CHECK (verify_code ~ '^[A-Z0-9]{8}$'),
        content jsonb NOT NULL,
        issued_at timestamptz NOT NULL DEFAULT now(),
        voided_at timestamptz NULL,
        void_reason text NULL CHECK (void_reason IN ('REFUNDED', 'PARTIALLY_REFUNDED', 'DISPUTE_LOST', 'STAFF')),
        void_note text NOT NULL DEFAULT '' CHECK (char_length(void_note) <= 500),
        voided_by uuid NULL REFERENCES users (id),
        official_number text NULL,
        official_url text NULL,
        official_issued_at timestamptz NULL,
        UNIQUE (series, year, seq),
        CHECK ((series = 'ANNUAL') = (kind = 'ANNUAL')),
        CHECK ((kind = 'ANNUAL') = (donation_id IS NULL)),
        CHECK ((kind = 'CORRECTION') = (replaces_id IS NOT NULL)),
        CHECK ((voided_at IS NULL) = (void_reason IS NULL))
      );
      CREATE UNIQUE INDEX receipts_one_live_per_gift ON receipts (donation_id)
        WHERE voided_at IS NULL AND donation_id IS NOT NULL;
      CREATE INDEX receipts_donation ON receipts (donation_id);
      CREATE INDEX receipts_donor ON receipts (donor_email, issued_at DESC);

      -- Issued receipts are immutable: only voiding (once) and the official e-receipt (once).
      CREATE FUNCTION receipts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'receipts are kept: receipt % cannot be deleted', OLD.number;
        END IF;
        IF (NEW.id, NEW.number, NEW.series, NEW.year, NEW.seq, NEW.kind, NEW.issue_key,
            NEW.donation_id, NEW.replaces_id, NEW.donor_email, NEW.amount_minor, NEW.currency,
            NEW.locale, NEW.verify_code, NEW.content, NEW.issued_at)
           IS DISTINCT FROM
           (OLD.id, OLD.number, OLD.series, OLD.year, OLD.seq, OLD.kind, OLD.issue_key,
            OLD.donation_id, OLD.replaces_id, OLD.donor_email, OLD.amount_minor, OLD.currency,
            OLD.locale, OLD.verify_code, OLD.content, OLD.issued_at) THEN
          RAISE EXCEPTION 'receipt % is issued and cannot change', OLD.number;
        END IF;
        IF OLD.voided_at IS NOT NULL AND (NEW.voided_at, NEW.void_reason, NEW.void_note, NEW.voided_by)
             IS DISTINCT FROM (OLD.voided_at, OLD.void_reason, OLD.void_note, OLD.voided_by) THEN
          RAISE EXCEPTION 'receipt % is already void', OLD.number;
        END IF;
        IF OLD.official_number IS NOT NULL AND (NEW.official_number, NEW.official_url, NEW.official_issued_at)
             IS DISTINCT FROM (OLD.official_number, OLD.official_url, OLD.official_issued_at) THEN
          RAISE EXCEPTION 'receipt % already has its official e-receipt', OLD.number;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER receipts_guard BEFORE UPDATE OR DELETE ON receipts
        FOR EACH ROW EXECUTE FUNCTION receipts_guard();

      -- A donor's choice: a receipt emailed for each gift, or only the annual statement.
      CREATE TABLE receipt_preferences (
        donor_email text PRIMARY KEY,
        mode text NOT NULL CHECK (mode IN ('EACH_GIFT', 'ANNUAL_ONLY')),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      -- Each email of a receipt (its status is its outbox row's).
      CREATE TABLE receipt_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        receipt_id uuid NOT NULL REFERENCES receipts (id),
        purpose text NOT NULL CHECK (purpose IN ('ISSUED', 'VOIDED', 'RESENT')),
        recipient text NOT NULL,
        outbox_id uuid NOT NULL,
        requested_by uuid NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX receipt_deliveries_receipt ON receipt_deliveries (receipt_id, created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE receipt_deliveries;
      DROP TABLE receipt_preferences;
      DROP TRIGGER receipts_guard ON receipts;
      DROP FUNCTION receipts_guard();
      DROP TABLE receipts;
      DROP TABLE receipt_counters;
      DROP TABLE receipt_settings;
      ALTER TABLE donations DROP COLUMN receipt_tax_id, DROP COLUMN receipt_address;
    `);
  }
}
