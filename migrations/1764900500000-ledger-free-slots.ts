import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Balance slots that concurrent transactions do not queue on. Before, a posting always used the
 * slot of its session (backend pid modulo the slot count), so two busy sessions with the same
 * remainder waited for each other, and every outflow from an account that may not go negative
 * (a matching pool paying a match) locked all of the account's slots until commit: matches on one
 * pool ran one at a time.
 *
 * Now:
 *  - an inflow, or a posting on an account that may go negative, takes a slot no other transaction
 *    holds (FOR UPDATE SKIP LOCKED, starting at the session's own slot), or waits for the
 *    session's own slot when every slot is share;
 *  - an outflow from an account that may not go negative takes ONE slot that holds all of it and
 *    that no other transaction holds. Every slot of such an account is kept at zero or more, so
 *    the account cannot go below zero while other slots are in use. When no single free slot
 *    holds enough, the old way: every slot locked in order, the total checked (LX001 if short),
 *    the outflow share from the slots in order, and what is left spread evenly over them again,
 *    so the next outflows find a slot of their own. An outflow from a slot that holds more than
 *    twice a fair share of the account (a pool funded by one entry sits in one slot) also moves
 *    the excess to free slots holding less than a fair share.
 * Accounts that may not go negative and have a slot below zero (left by the old outflows, which
 * used the session's slot) get their total gathered into slot 0 first; the totals do not change.
 */
export class LedgerFreeSlots1764900500000 implements MigrationInterface {
  name = 'LedgerFreeSlots1764900500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE ledger_account_balances DISABLE TRIGGER ledger_balance_guard;
      UPDATE ledger_account_balances b
         SET balance_minor = CASE WHEN b.slot = 0 THEN t.total ELSE 0 END
        FROM (SELECT s.account_id, sum(s.balance_minor) AS total
                FROM ledger_account_balances s JOIN ledger_accounts a ON a.id = s.account_id
               WHERE NOT a.allow_negative
               GROUP BY s.account_id HAVING min(s.balance_minor) < 0) t
       WHERE b.account_id = t.account_id;
      ALTER TABLE ledger_account_balances ENABLE TRIGGER ledger_balance_guard;
    `);
    await q.query(applyPosting(FREE_SLOT));
  }

  /** The session's slot again (migration 1764192000000's function); slot values stay as they are. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(applyPosting(SESSION_SLOT));
  }
}

/** Where a posting goes: the free slot (above). */
const FREE_SLOT = `
        IF NEW.amount_minor < 0 AND NOT acct.allow_negative THEN
          -- A free slot that holds the whole outflow (a slot this transaction holds is not skipped).
          SELECT slot, balance_minor INTO s FROM ledger_account_balances
           WHERE account_id = NEW.account_id AND balance_minor >= -NEW.amount_minor
           ORDER BY (slot + pg_backend_pid()) % acct.balance_slots
           FOR UPDATE SKIP LOCKED LIMIT 1;
          IF FOUND THEN
            chosen := s.slot;
            -- Money that sits in this slot beyond twice a fair share (a pool funded by one entry
            -- lands in one slot) goes to free slots holding less than a fair share, so that the
            -- outflows after this one find a slot of their own. Only slots locked here change.
            remaining := s.balance_minor + NEW.amount_minor;
            SELECT sum(balance_minor) / acct.balance_slots INTO fair
              FROM ledger_account_balances WHERE account_id = NEW.account_id;
            IF acct.balance_slots > 1 AND remaining > 2 * fair THEN
              FOR s IN SELECT slot, balance_minor FROM ledger_account_balances
                        WHERE account_id = NEW.account_id AND slot <> chosen AND balance_minor < fair
                        ORDER BY slot FOR UPDATE SKIP LOCKED LOOP
                share := least(fair - s.balance_minor, remaining - fair);
                EXIT WHEN share <= 0;
                UPDATE ledger_account_balances SET balance_minor = balance_minor + share
                 WHERE account_id = NEW.account_id AND slot = s.slot;
                remaining := remaining - share;
              END LOOP;
              UPDATE ledger_account_balances SET balance_minor = remaining - NEW.amount_minor
               WHERE account_id = NEW.account_id AND slot = chosen;
            END IF;
          ELSE
            PERFORM 1 FROM ledger_account_balances WHERE account_id = NEW.account_id ORDER BY slot FOR UPDATE;
            SELECT sum(balance_minor) INTO total FROM ledger_account_balances WHERE account_id = NEW.account_id;
            IF total + NEW.amount_minor < 0 THEN
              RAISE EXCEPTION 'account % holds %, cannot pay out %', acct.code, total, -NEW.amount_minor
                USING ERRCODE = 'LX001', DETAIL = json_build_object('account', acct.code,
                  'balanceMinor', total, 'amountMinor', -NEW.amount_minor)::text;
            END IF;
            -- What is left, spread evenly (the first slots take the remainder): each slot >= 0.
            remaining := total + NEW.amount_minor;
            FOR s IN SELECT slot FROM ledger_account_balances WHERE account_id = NEW.account_id ORDER BY slot LOOP
              share := remaining / acct.balance_slots + CASE WHEN s.slot < remaining % acct.balance_slots THEN 1 ELSE 0 END;
              UPDATE ledger_account_balances SET balance_minor = share
               WHERE account_id = NEW.account_id AND slot = s.slot AND balance_minor <> share;
            END LOOP;
            chosen := NULL;
          END IF;
        ELSE
          SELECT slot INTO chosen FROM ledger_account_balances
           WHERE account_id = NEW.account_id
           ORDER BY (slot + pg_backend_pid()) % acct.balance_slots
           FOR UPDATE SKIP LOCKED LIMIT 1;
          IF NOT FOUND THEN
            chosen := pg_backend_pid() % acct.balance_slots;
          END IF;
        END IF;
        IF chosen IS NOT NULL THEN
          UPDATE ledger_account_balances SET balance_minor = balance_minor + NEW.amount_minor
            WHERE account_id = NEW.account_id AND slot = chosen;
        END IF;`;

/** Where a posting went before: the session's slot, every slot locked for an outflow. */
const SESSION_SLOT = `
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
          WHERE account_id = NEW.account_id AND slot = pg_backend_pid() % acct.balance_slots;`;

/** The posting trigger's function around `slotChoice`, which applies NEW.amount_minor to a slot. */
function applyPosting(slotChoice: string): string {
  return `
      CREATE OR REPLACE FUNCTION ledger_apply_posting() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        acct record;
        entry record;
        total bigint;
        fair bigint;
        chosen smallint;
        remaining bigint;
        share bigint;
        s record;
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
${slotChoice}
        -- Holding a slot now: a close that locked the slots first has committed; see it.
        IF EXISTS (SELECT 1 FROM ledger_accounts WHERE id = NEW.account_id AND closed_at IS NOT NULL) THEN
          RAISE EXCEPTION 'account % is closed', acct.code USING ERRCODE = 'LX005', DETAIL = acct.code;
        END IF;
        RETURN NEW;
      END $$;`;
}
