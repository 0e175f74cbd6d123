import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { JOURNAL_ENTRIES, LEDGER_ACCOUNTS, POSTINGS } from './ledger.tables';
import type { CrossModuleCheckReport, InvariantViolation, LedgerCheckReport } from './ledger.types';

type Row = Record<string, unknown>;

/** Donation statuses whose gift was received: each has been settled exactly once. */
const SETTLED = `('SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED', 'DISPUTED')`;

const amount = (raw: unknown): number =>
  raw === null || raw === undefined ? 0 : POSTINGS.value('amountMinor', raw);
const count = (raw: unknown): number => Number(raw ?? 0);

/**
 * The invariants, recomputed from scratch (`npm run ledger:check`, `GET /api/v1/ledger/check`).
 * The ledger's own: every entry balances, every balance equals its postings, no fund below zero.
 * Across modules (read-only SQL over their tables, since what is checked is that they agree with
 * the ledger): each received gift's settle and match entries, and each campaign's totals.
 */
@Injectable()
export class LedgerCheckRepository {
  async check(manager: EntityManager): Promise<LedgerCheckReport> {
    const [counts]: Row[] = await manager.query(
      `SELECT (SELECT count(*) FROM journal_entries) AS entries, (SELECT count(*) FROM postings) AS postings`,
    );
    const unbalanced: Row[] = await manager.query(
      `SELECT e.id FROM journal_entries e LEFT JOIN postings p ON p.entry_id = e.id
       GROUP BY e.id HAVING count(p.id) < 2 OR coalesce(sum(p.amount_minor), 0) <> 0`,
    );
    const mismatches: Row[] = await manager.query(
      `SELECT a.id AS "accountId", a.code, s.total AS slots, coalesce(p.total, 0) AS postings
       FROM ledger_accounts a
       JOIN (SELECT account_id, sum(balance_minor) AS total FROM ledger_account_balances GROUP BY account_id) s
         ON s.account_id = a.id
       LEFT JOIN (SELECT account_id, sum(amount_minor) AS total FROM postings GROUP BY account_id) p
         ON p.account_id = a.id
       WHERE s.total <> coalesce(p.total, 0)`,
    );
    const negative: Row[] = await manager.query(
      `SELECT a.id AS "accountId", a.code, sum(b.balance_minor) AS balance
       FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
       WHERE NOT a.allow_negative GROUP BY a.id, a.code HAVING sum(b.balance_minor) < 0`,
    );
    const report: LedgerCheckReport = {
      entries: count(counts?.entries),
      postings: count(counts?.postings),
      unbalancedEntries: unbalanced.map((r) => JOURNAL_ENTRIES.value('id', r.id)),
      balanceMismatches: mismatches.map((m) => ({
        accountId: LEDGER_ACCOUNTS.value('id', m.accountId),
        code: LEDGER_ACCOUNTS.value('code', m.code),
        slotsMinor: amount(m.slots),
        postingsMinor: amount(m.postings),
      })),
      negativeAccounts: negative.map((n) => ({
        accountId: LEDGER_ACCOUNTS.value('id', n.accountId),
        code: LEDGER_ACCOUNTS.value('code', n.code),
        balanceMinor: amount(n.balance),
      })),
      ok: false,
    };
    report.ok =
      report.unbalancedEntries.length === 0 &&
      report.balanceMismatches.length === 0 &&
      report.negativeAccounts.length === 0;
    return report;
  }

  /**
   * Donations, matches and campaign totals against the ledger:
   * - a received gift (SUCCEEDED, PARTIALLY_REFUNDED, REFUNDED, DISPUTED) has exactly one
   *   `donation:<id>:settle` entry, of its amount; any other gift has none;
   * - a gift's match: `matched_minor + match_returned_minor` is what its `match:<id>` entry posted
   *   (0 without one), and `matched_minor` is that less its `match:<id>:reverse:<n>` entries;
   * - a campaign's totals (its campaign_totals slots summed) are its received gifts: raised is
   *   their amounts less refunds (a lost dispute is booked as a refund), matched the matches they
   *   keep (refunds give back their share; a withheld match released later adds to both), and
   *   gifts their number (refunds leave it).
   */
  async crossModule(manager: EntityManager): Promise<CrossModuleCheckReport> {
    const violations: InvariantViolation[] = [];

    const settles: Row[] = await manager.query(
      `SELECT d.id, d.status, d.amount_minor AS "amountMinor", count(DISTINCT e.id) AS entries,
              coalesce(sum(p.amount_minor) FILTER (WHERE p.amount_minor > 0), 0) AS "entryMinor"
       FROM donations d
       LEFT JOIN journal_entries e ON e.idempotency_key = 'donation:' || d.id::text || ':settle'
       LEFT JOIN postings p ON p.entry_id = e.id
       GROUP BY d.id
       HAVING CASE WHEN d.status IN ${SETTLED}
                   THEN count(DISTINCT e.id) <> 1
                     OR coalesce(sum(p.amount_minor) FILTER (WHERE p.amount_minor > 0), 0) <> d.amount_minor
                   ELSE count(DISTINCT e.id) <> 0 END
       ORDER BY d.id`,
    );
    for (const r of settles) {
      const id = String(r.id);
      const entries = count(r.entries);
      const status = String(r.status);
      violations.push({
        invariant: 'GIFT_SETTLE_ENTRY',
        id,
        message:
          entries === 0
            ? `Gift ${id} is ${status} but has no donation:${id}:settle entry.`
            : !SETTLED.includes(`'${status}'`)
              ? `Gift ${id} is ${status} (not received) but has a donation:${id}:settle entry.`
              : `Gift ${id} is ${amount(r.amountMinor)} (minor units) but its donation:${id}:settle entry moved ${amount(r.entryMinor)}.`,
      });
    }

    const matches: Row[] = await manager.query(
      `WITH m AS (
         SELECT split_part(e.idempotency_key, ':', 2) AS donation_id,
                coalesce(sum(p.amount_minor) FILTER (
                  WHERE p.amount_minor > 0 AND e.idempotency_key ~ '^match:[^:]+$'), 0) AS posted,
                coalesce(sum(p.amount_minor) FILTER (
                  WHERE p.amount_minor > 0 AND e.idempotency_key ~ '^match:[^:]+:reverse:'), 0) AS returned
         FROM journal_entries e JOIN postings p ON p.entry_id = e.id
         WHERE e.idempotency_key LIKE 'match:%'
         GROUP BY 1
       )
       SELECT d.id, d.matched_minor AS "matchedMinor", d.match_returned_minor AS "matchReturnedMinor",
              coalesce(m.posted, 0) AS posted, coalesce(m.returned, 0) AS returned
       FROM donations d LEFT JOIN m ON m.donation_id = d.id::text
       WHERE d.matched_minor + d.match_returned_minor <> coalesce(m.posted, 0)
          OR d.matched_minor <> coalesce(m.posted, 0) - coalesce(m.returned, 0)
       ORDER BY d.id`,
    );
    for (const r of matches) {
      const id = String(r.id);
      const matched = amount(r.matchedMinor);
      const returned = amount(r.matchReturnedMinor);
      const posted = amount(r.posted);
      const reversed = amount(r.returned);
      violations.push({
        invariant: 'GIFT_MATCH_ENTRY',
        id,
        message:
          matched + returned !== posted
            ? `Gift ${id} records a match of ${matched} kept + ${returned} given back, but its match:${id} entry posted ${posted}.`
            : `Gift ${id} keeps a match of ${matched}, but its match:${id} entry posted ${posted} and its reversals gave back ${reversed}.`,
      });
    }

    const campaigns: Row[] = await manager.query(
      `WITH t AS (
         SELECT campaign_id, sum(raised_minor) AS raised, sum(matched_minor) AS matched, sum(gifts) AS gifts
         FROM campaign_totals GROUP BY campaign_id
       ), g AS (
         SELECT campaign_id, sum(amount_minor - refunded_minor) AS raised, sum(matched_minor) AS matched,
                count(*) AS gifts
         FROM donations WHERE status IN ${SETTLED} GROUP BY campaign_id
       )
       SELECT c.id, c.slug,
              coalesce(t.raised, 0) AS "totalRaised", coalesce(g.raised, 0) AS "giftsRaised",
              coalesce(t.matched, 0) AS "totalMatched", coalesce(g.matched, 0) AS "giftsMatched",
              coalesce(t.gifts, 0) AS "totalGifts", coalesce(g.gifts, 0) AS "giftsCount"
       FROM campaigns c LEFT JOIN t ON t.campaign_id = c.id LEFT JOIN g ON g.campaign_id = c.id
       WHERE coalesce(t.raised, 0) <> coalesce(g.raised, 0)
          OR coalesce(t.matched, 0) <> coalesce(g.matched, 0)
          OR coalesce(t.gifts, 0) <> coalesce(g.gifts, 0)
       ORDER BY c.slug`,
    );
    for (const r of campaigns) {
      const slug = String(r.slug);
      const differences = [
        ['raised', amount(r.totalRaised), amount(r.giftsRaised)],
        ['matched', amount(r.totalMatched), amount(r.giftsMatched)],
        ['gifts', count(r.totalGifts), count(r.giftsCount)],
      ]
        .filter(([, total, gifts]) => total !== gifts)
        .map(([what, total, gifts]) => `${what} ${total} in its totals, ${gifts} from its gifts`);
      violations.push({
        invariant: 'CAMPAIGN_TOTALS',
        id: String(r.id),
        message: `Campaign "${slug}" totals disagree with its received gifts: ${differences.join('; ')}.`,
      });
    }

    const [sizes]: Row[] = await manager.query(
      `SELECT (SELECT count(*) FROM donations WHERE status IN ${SETTLED}) AS gifts,
              (SELECT count(*) FROM campaigns) AS campaigns`,
    );
    return {
      receivedGifts: count(sizes?.gifts),
      campaigns: count(sizes?.campaigns),
      violations,
      ok: violations.length === 0,
    };
  }
}
