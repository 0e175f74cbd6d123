import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The receipts guard as of 1765000000000, with the annual key's erasure as `keyChange`. */
function receiptsGuard(keyChange: string): string {
  return `
      CREATE OR REPLACE FUNCTION receipts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        erasing boolean;
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'receipts are kept: receipt % cannot be deleted', OLD.number;
        END IF;
        erasing := OLD.donor_erased_no IS NULL AND NEW.donor_erased_no IS NOT NULL;
        IF NOT erasing AND NEW.donor_erased_no IS DISTINCT FROM OLD.donor_erased_no THEN
          RAISE EXCEPTION 'receipt % already belongs to an erased donor', OLD.number;
        END IF;
        IF (NEW.id, NEW.number, NEW.series, NEW.year, NEW.seq, NEW.kind,
            NEW.donation_id, NEW.replaces_id, NEW.amount_minor, NEW.currency,
            NEW.locale, NEW.verify_code, NEW.issued_at)
           IS DISTINCT FROM
           (OLD.id, OLD.number, OLD.series, OLD.year, OLD.seq, OLD.kind,
            OLD.donation_id, OLD.replaces_id, OLD.amount_minor, OLD.currency,
            OLD.locale, OLD.verify_code, OLD.issued_at)
           OR (NEW.issue_key IS DISTINCT FROM OLD.issue_key AND NOT (${keyChange}))
           OR (NOT erasing AND (NEW.donor_email, NEW.content) IS DISTINCT FROM (OLD.donor_email, OLD.content)) THEN
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
      END $$;`;
}

/**
 * An annual statement's issue key names its donor's address (`annual:<year>:<email>`, one
 * statement per donor and year), so erasing the donor must change the key too. The receipts guard
 * learns that one change, only while the receipt is being erased: `annual:<year>:erased:<no>`,
 * still unique, no longer anyone's address. Everything else stays as 1765000000000 left it.
 */
export class ErasedAnnualKey1765000004000 implements MigrationInterface {
  name = 'ErasedAnnualKey1765000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      receiptsGuard(`erasing AND OLD.kind = 'ANNUAL' AND OLD.issue_key ~ '^annual:[0-9]+:'
              AND NEW.issue_key = substring(OLD.issue_key FROM '^annual:[0-9]+:') || 'erased:' || NEW.donor_erased_no`),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(receiptsGuard('false'));
  }
}
