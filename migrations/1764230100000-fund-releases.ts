import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Releases of restricted money (a community or program fund's money moved to another fund):
 * requested by one person with a reason, approved by a second person of the other role (ADMIN and
 * FINANCE), posted as one ledger entry (`release:<id>`) in the approval's transaction, or rejected.
 * The database refuses a decision by the requester and a POSTED release without its entry.
 */
export class FundReleases1764230100000 implements MigrationInterface {
  name = 'FundReleases1764230100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE fund_releases (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        from_fund_id uuid NOT NULL REFERENCES funds (id),
        to_fund_id uuid NOT NULL REFERENCES funds (id),
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency char(3) NOT NULL,
        reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 1000),
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'POSTED', 'REJECTED')),
        request_key text UNIQUE CHECK (length(request_key) BETWEEN 1 AND 120),
        requested_by uuid NOT NULL REFERENCES users (id),
        requester_roles text[] NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        decided_by uuid REFERENCES users (id),
        decided_at timestamptz,
        decision_note text NOT NULL DEFAULT '' CHECK (length(decision_note) <= 1000),
        entry_id uuid UNIQUE REFERENCES journal_entries (id),
        CONSTRAINT fund_releases_two_funds CHECK (from_fund_id <> to_fund_id),
        CONSTRAINT fund_releases_decided CHECK ((status = 'PENDING') = (decided_by IS NULL)),
        CONSTRAINT fund_releases_posted CHECK ((status = 'POSTED') = (entry_id IS NOT NULL)),
        CONSTRAINT fund_releases_four_eyes CHECK (status <> 'POSTED' OR decided_by <> requested_by)
      );
      CREATE INDEX fund_releases_pending ON fund_releases (requested_at) WHERE status = 'PENDING';
      CREATE INDEX fund_releases_recent ON fund_releases (requested_at DESC, id DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE fund_releases;`);
  }
}
