import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Closes a race between closing a fund and money arriving in it. The posting trigger read the
 * account's closed_at before taking its balance slot, so a posting that started before a close
 * committed could land in the closed account. Closing now locks every balance slot (and re-reads
 * the balance under that lock); the trigger checks closed_at again after its slot update, when
 * any close it waited for has committed and is visible.
 */
export class LedgerClosedAccountRecheck1764192000000 implements MigrationInterface {
  name = 'LedgerClosedAccountRecheck1764192000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(applyPosting(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(applyPosting(false));
  }
}

function applyPosting(recheck: boolean): string {
  return `
    CREATE OR REPLACE FUNCTION ledger_apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
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
      ${
        recheck
          ? `-- Holding the slot now: a close that locked the slots first has committed; see it.
      IF EXISTS (SELECT 1 FROM ledger_accounts WHERE id = NEW.account_id AND closed_at IS NOT NULL) THEN
        RAISE EXCEPTION 'account % is closed', acct.code USING ERRCODE = 'LX005', DETAIL = acct.code;
      END IF;`
          : ''
      }
      RETURN NEW;
    END $$;`;
}
