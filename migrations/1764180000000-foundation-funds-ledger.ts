import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The foundation's structure (foundation, subdistricts, communities, funds) and the double-entry
 * ledger. The ledger's invariants live in the database, not only in the app:
 *  - every journal entry has at least two postings summing to zero (deferred constraint trigger);
 *  - postings can only be added in the transaction that created their entry;
 *  - journal entries and postings are append-only (no UPDATE, DELETE or TRUNCATE);
 *  - account balances are kept in balance slots that only the posting trigger may change, so a
 *    balance is always the sum of its postings and reads in O(1);
 *  - an account that may not go negative (every fund) is checked under a lock on all its slots.
 * Custom SQLSTATEs (class LX) let the app map each violation to a coded error.
 */
export class FoundationFundsLedger1764180000000 implements MigrationInterface {
  name = 'FoundationFundsLedger1764180000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE foundation (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        legal_name_zh text NOT NULL CHECK (length(legal_name_zh) BETWEEN 1 AND 200),
        legal_name_en text NOT NULL CHECK (length(legal_name_en) BETWEEN 1 AND 200),
        registration_number text NOT NULL CHECK (length(registration_number) BETWEEN 1 AND 40),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        default_locale text NOT NULL CHECK (default_locale IN ('zh-CN', 'en')),
        receipt_prefix text NOT NULL CHECK (receipt_prefix ~ '^[A-Z0-9-]{1,16}$'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE subdistricts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,40}$'),
        name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 100),
        name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 100),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE communities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subdistrict_id uuid NOT NULL REFERENCES subdistricts (id),
        code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,40}$'),
        name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 100),
        name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 100),
        households integer CHECK (households >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX communities_subdistrict_id ON communities (subdistrict_id);

      CREATE TABLE ledger_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE CHECK (code ~ '^[a-z]+:[A-Za-z0-9:_-]+$'),
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('FUND', 'EXTERNAL', 'CLEARING', 'EXPENSE', 'PAYABLE')),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        allow_negative boolean NOT NULL,
        balance_slots smallint NOT NULL DEFAULT 1 CHECK (balance_slots BETWEEN 1 AND 64),
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE ledger_account_balances (
        account_id uuid NOT NULL REFERENCES ledger_accounts (id),
        slot smallint NOT NULL,
        balance_minor bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, slot)
      );

      CREATE TABLE funds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,40}$'),
        kind text NOT NULL CHECK (kind IN ('GENERAL', 'COMMUNITY', 'MATCHING', 'PROGRAM')),
        status text NOT NULL DEFAULT 'PREPARING' CHECK (status IN ('PREPARING', 'ACTIVE', 'CLOSED')),
        name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 100),
        name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 100),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
        community_id uuid REFERENCES communities (id),
        account_id uuid NOT NULL UNIQUE REFERENCES ledger_accounts (id),
        currency char(3) NOT NULL,
        activated_at timestamptz,
        closed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT funds_community_kind CHECK ((kind = 'COMMUNITY') = (community_id IS NOT NULL)),
        CONSTRAINT funds_status_dates CHECK (
          (status = 'PREPARING' AND closed_at IS NULL)
          OR (status = 'ACTIVE' AND activated_at IS NOT NULL AND closed_at IS NULL)
          OR (status = 'CLOSED' AND closed_at IS NOT NULL))
      );
      CREATE UNIQUE INDEX funds_one_general ON funds (kind) WHERE kind = 'GENERAL';
      CREATE UNIQUE INDEX funds_one_open_per_community ON funds (community_id)
        WHERE community_id IS NOT NULL AND status <> 'CLOSED';
      CREATE INDEX funds_kind_status ON funds (kind, status);

      CREATE TABLE journal_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        idempotency_key text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 200),
        kind text NOT NULL CHECK (kind ~ '^[A-Z_]{1,40}$'),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
        currency char(3) NOT NULL,
        fingerprint text NOT NULL,
        reverses_entry_id uuid UNIQUE REFERENCES journal_entries (id),
        metadata jsonb NOT NULL DEFAULT '{}',
        created_txid bigint NOT NULL DEFAULT txid_current(),
        posted_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX journal_entries_kind_posted_at ON journal_entries (kind, posted_at);

      CREATE TABLE postings (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        entry_id uuid NOT NULL REFERENCES journal_entries (id),
        account_id uuid NOT NULL REFERENCES ledger_accounts (id),
        amount_minor bigint NOT NULL CHECK (amount_minor <> 0),
        posted_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX postings_entry_id ON postings (entry_id);
      -- Statement order and running balances: (posted_at, id) per account, amounts in the index.
      CREATE INDEX postings_account_statement ON postings (account_id, posted_at, id) INCLUDE (amount_minor);
    `);

    await q.query(`
      CREATE FUNCTION ledger_account_created() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ledger_account_balances (account_id, slot)
          SELECT NEW.id, s FROM generate_series(0, NEW.balance_slots - 1) s;
        RETURN NULL;
      END $$;
      CREATE TRIGGER ledger_account_created AFTER INSERT ON ledger_accounts
        FOR EACH ROW EXECUTE FUNCTION ledger_account_created();

      CREATE FUNCTION ledger_account_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'ledger accounts cannot be deleted; close them instead' USING ERRCODE = 'LX002';
        END IF;
        IF NEW.id <> OLD.id OR NEW.code <> OLD.code OR NEW.currency <> OLD.currency
           OR NEW.allow_negative <> OLD.allow_negative OR NEW.balance_slots <> OLD.balance_slots
           OR NEW.type <> OLD.type THEN
          RAISE EXCEPTION 'only the name and closed_at of a ledger account may change' USING ERRCODE = 'LX002';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER ledger_account_guard BEFORE UPDATE OR DELETE ON ledger_accounts
        FOR EACH ROW EXECUTE FUNCTION ledger_account_guard();

      -- Balance slots change only from inside ledger triggers (depth >= 2), never by direct SQL.
      CREATE FUNCTION ledger_balance_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF pg_trigger_depth() < 2 THEN
          RAISE EXCEPTION 'account balances change only by posting journal entries' USING ERRCODE = 'LX002';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$;
      CREATE TRIGGER ledger_balance_guard BEFORE INSERT OR UPDATE OR DELETE ON ledger_account_balances
        FOR EACH ROW EXECUTE FUNCTION ledger_balance_guard();

      CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: post a reversing entry instead of %', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'LX002';
      END $$;
      CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
        FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
      CREATE TRIGGER journal_entries_no_truncate BEFORE TRUNCATE ON journal_entries
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
      CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
        FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
      CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
      CREATE TRIGGER ledger_balances_no_truncate BEFORE TRUNCATE ON ledger_account_balances
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

      -- Applies one posting to its account's balance. Inflows touch one slot (chosen by backend
      -- so concurrent sessions spread over slots); an outflow from an account that may not go
      -- negative locks every slot in order, checks the total, then applies.
      CREATE FUNCTION ledger_apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        acct record;
        entry record;
        total bigint;
      BEGIN
        SELECT code, currency, allow_negative, balance_slots, closed_at INTO acct
          FROM ledger_accounts WHERE id = NEW.account_id;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'ledger account % does not exist', NEW.account_id USING ERRCODE = 'LX007';
        END IF;
        SELECT currency, created_txid, posted_at INTO entry FROM journal_entries WHERE id = NEW.entry_id;
        IF NOT FOUND OR entry.created_txid <> txid_current() THEN
          RAISE EXCEPTION 'postings can only be added in the transaction that creates their entry'
            USING ERRCODE = 'LX002';
        END IF;
        IF acct.closed_at IS NOT NULL THEN
          RAISE EXCEPTION 'account % is closed', acct.code USING ERRCODE = 'LX005', DETAIL = acct.code;
        END IF;
        IF acct.currency <> entry.currency THEN
          RAISE EXCEPTION 'account % holds %, the entry is in %', acct.code, acct.currency, entry.currency
            USING ERRCODE = 'LX006';
        END IF;
        NEW.posted_at := entry.posted_at;
        IF NEW.amount_minor < 0 AND NOT acct.allow_negative THEN
          PERFORM 1 FROM ledger_account_balances WHERE account_id = NEW.account_id ORDER BY slot FOR UPDATE;
          SELECT sum(balance_minor) INTO total FROM ledger_account_balances WHERE account_id = NEW.account_id;
          IF total + NEW.amount_minor < 0 THEN
            RAISE EXCEPTION 'account % holds %, cannot pay out %', acct.code, total, -NEW.amount_minor
              USING ERRCODE = 'LX001', DETAIL = json_build_object('account', acct.code,
                'balanceMinor', total, 'amountMinor', -NEW.amount_minor)::text;
          END IF;
        END IF;
        UPDATE ledger_account_balances SET balance_minor = balance_minor + NEW.amount_minor
          WHERE account_id = NEW.account_id AND slot = pg_backend_pid() % acct.balance_slots;
        RETURN NEW;
      END $$;
      CREATE TRIGGER postings_apply BEFORE INSERT ON postings
        FOR EACH ROW EXECUTE FUNCTION ledger_apply_posting();

      -- At commit: every entry created in the transaction has >= 2 postings summing to zero.
      CREATE FUNCTION ledger_check_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        n integer;
        total numeric;
      BEGIN
        SELECT count(*), coalesce(sum(amount_minor), 0) INTO n, total FROM postings WHERE entry_id = NEW.id;
        IF n < 2 OR total <> 0 THEN
          RAISE EXCEPTION 'journal entry % (%) is unbalanced: % postings summing to %',
            NEW.idempotency_key, NEW.id, n, total USING ERRCODE = 'LX003';
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE postings;
      DROP TABLE journal_entries;
      DROP TABLE funds;
      DROP TABLE ledger_account_balances;
      DROP TABLE ledger_accounts;
      DROP TABLE communities;
      DROP TABLE subdistricts;
      DROP TABLE foundation;
      DROP FUNCTION ledger_check_entry_balanced();
      DROP FUNCTION ledger_apply_posting();
      DROP FUNCTION ledger_append_only();
      DROP FUNCTION ledger_balance_guard();
      DROP FUNCTION ledger_account_guard();
      DROP FUNCTION ledger_account_created();
    `);
  }
}
