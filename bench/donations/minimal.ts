import type pg from 'pg';

/**
 * The least SQL a matched gift needs, for pgbench: the best design's rate, not our own. One
 * transaction inserts the gift (already settled, with its match), posts one entry (processor
 * clearing and the pool pay into the campaign fund: three postings), and takes the match from
 * ONE balance slot of the pool, last, with a conditional update that never overdraws it (so the
 * pool's lock is held for that statement and the COMMIT). Nothing else: no inbox, no outbox, no
 * campaign totals, no rule, no balance rows for the fund and the clearing account (inflows, which
 * a design can spread over as many rows as it likes, or sum on read).
 *
 * It runs on copies of the app's tables (`CREATE TABLE … (LIKE … INCLUDING ALL)`: the same
 * columns, defaults, checks and indexes) without the ledger's triggers, in the bench's database,
 * with the pool split over `slots` balance rows; a client picks a pool slot at random.
 */
export const MINIMAL_TABLES = {
  donations: 'minimal_donations',
  entries: 'minimal_journal_entries',
  postings: 'minimal_postings',
  balances: 'minimal_balances',
} as const;

/** Fixed account ids of the copy (it has no accounts table). */
const ACCOUNT = {
  clearing: '00000000-0000-4000-8000-00000000c1ea',
  fund: '00000000-0000-4000-8000-0000000f0d00',
  pool: '00000000-0000-4000-8000-00000000900c',
} as const;

export interface MinimalContext {
  campaignId: string;
  fundId: string;
  currency: string;
  /** What each pool slot holds at the start (far beyond every possible match). */
  perSlotFunding: number;
}

/** (Re)creates the copies, empty, and the pool's balance rows: split over `slots`. */
export async function prepareMinimal(
  side: pg.Client,
  ctx: MinimalContext,
  slots: number,
): Promise<void> {
  const t = MINIMAL_TABLES;
  await side.query(`
    DROP TABLE IF EXISTS ${t.postings}, ${t.entries}, ${t.donations}, ${t.balances};
    CREATE TABLE ${t.donations} (LIKE donations INCLUDING ALL);
    CREATE TABLE ${t.entries} (LIKE journal_entries INCLUDING ALL);
    CREATE TABLE ${t.postings} (LIKE postings INCLUDING ALL);
    CREATE TABLE ${t.balances} (LIKE ledger_account_balances INCLUDING ALL);
  `);
  await side.query(
    `INSERT INTO ${t.balances} (account_id, slot, balance_minor)
     SELECT $1::uuid, s, $2::bigint FROM generate_series(0, $3::int - 1) s`,
    [ACCOUNT.pool, ctx.perSlotFunding, slots],
  );
  await side.query(`VACUUM ANALYZE ${t.balances}`);
}

/** The pgbench script (see the comment at the top); :n is the per-client counter (-D n=0). */
export function minimalScript(ctx: MinimalContext, slots: number): string {
  const t = MINIMAL_TABLES;
  const id = `md5('minimal:${slots}:' || :client_id::text || ':' || :n::text)::uuid`;
  return `\\set n :n + 1
\\set amount random(1000, 9999)
\\set slot random(0, ${slots - 1})
BEGIN;
INSERT INTO ${t.donations} (id, campaign_id, fund_id, amount_minor, fee_cover_minor, currency, donor_name,
  donor_email, anonymous, message, dedication, monthly, status, provider, matched_minor, refunded_minor,
  ip, succeeded_at, provider_payment_id)
VALUES (${id}, '${ctx.campaignId}', '${ctx.fundId}', :amount, 0, '${ctx.currency}',
  'donor ' || :client_id::text || '-' || :n::text, 'minimal-' || :client_id::text || '-' || :n::text || '@bench.example.org',
  false, '', '', false, 'SUCCEEDED', 'SANDBOX', :amount, 0, '10.0.0.1', now(), 'pi_minimal_' || :n::text);
WITH e AS (
  INSERT INTO ${t.entries} (idempotency_key, kind, description, currency, fingerprint, metadata)
  VALUES ('donation:' || ${id}::text, 'DONATION', 'Gift', '${ctx.currency}', 'minimal', '{}')
  RETURNING id
)
INSERT INTO ${t.postings} (entry_id, account_id, amount_minor)
SELECT e.id, x.account_id, x.amount_minor
FROM e, (VALUES ('${ACCOUNT.clearing}'::uuid, -(:amount::bigint)), ('${ACCOUNT.fund}'::uuid, 2 * :amount::bigint),
  ('${ACCOUNT.pool}'::uuid, -(:amount::bigint))) AS x(account_id, amount_minor);
UPDATE ${t.balances} SET balance_minor = balance_minor - :amount::bigint
 WHERE account_id = '${ACCOUNT.pool}' AND slot = :slot AND balance_minor >= :amount::bigint;
COMMIT;
`;
}

/** What a run left: gifts, entries, and whether the pool's slots and the postings agree with them. */
export async function minimalTotals(
  side: pg.Client,
  ctx: MinimalContext,
  slots: number,
): Promise<{ gifts: number; entries: number; balanced: boolean }> {
  const t = MINIMAL_TABLES;
  const { rows } = await side.query<{
    gifts: number;
    raised: string;
    entries: number;
    pool: string;
    unbalanced: number;
  }>(
    `SELECT (SELECT count(*)::int FROM ${t.donations}) AS gifts,
            (SELECT coalesce(sum(amount_minor), 0)::text FROM ${t.donations}) AS raised,
            (SELECT count(*)::int FROM ${t.entries}) AS entries,
            (SELECT sum(balance_minor)::text FROM ${t.balances} WHERE account_id = $1) AS pool,
            (SELECT count(*)::int FROM (SELECT entry_id FROM ${t.postings} GROUP BY entry_id
               HAVING sum(amount_minor) <> 0 OR count(*) <> 3) u) AS unbalanced`,
    [ACCOUNT.pool],
  );
  const r = rows[0]!;
  const balanced =
    r.unbalanced === 0 &&
    BigInt(r.pool) === BigInt(ctx.perSlotFunding) * BigInt(slots) - BigInt(r.raised);
  return { gifts: r.gifts, entries: r.entries, balanced };
}
