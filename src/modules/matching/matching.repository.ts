import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { rowsOf } from '../../database/query-result';
import { col, defineTable } from '../../database/table-map';
import type { TransactionOptions } from '../../database/transaction.service';
import { toSafeInteger } from '../../common/money';
import type { MatchRule } from './match-amount';

export interface StoredRule extends MatchRule {
  id: string;
  campaignId: string;
  poolFundId: string;
  matchFeeCover: boolean;
  /** When staff ended the rule (it stays inactive from then on), or null. */
  endedAt: Date | null;
}

/** What staff set on a rule; the fee-cover option defaults to off. */
export type RuleFields = Omit<
  StoredRule,
  'id' | 'campaignId' | 'matchedMinor' | 'endedAt' | 'matchFeeCover'
> & { matchFeeCover?: boolean };

/** matching_rules, mapped once: SELECT list and typed rows. */
export const MATCHING_RULES = defineTable('matching_rules', {
  id: col.uuid('id'),
  campaignId: col.uuid('campaign_id'),
  poolFundId: col.uuid('pool_fund_id'),
  mode: col.text<MatchRule['mode']>('mode'),
  ratioBp: col.int.nullable('ratio_bp'),
  randomMinMinor: col.bigint.nullable('random_min_minor'),
  randomMaxMinor: col.bigint.nullable('random_max_minor'),
  minGiftMinor: col.bigint('min_gift_minor'),
  capPerGiftMinor: col.bigint.nullable('cap_per_gift_minor'),
  capPerDonorDayMinor: col.bigint.nullable('cap_per_donor_day_minor'),
  totalCapMinor: col.bigint.nullable('total_cap_minor'),
  matchedMinor: col.bigint('matched_minor'),
  startsAt: col.timestamptz.nullable('starts_at'),
  endsAt: col.timestamptz.nullable('ends_at'),
  active: col.bool('active'),
  matchFeeCover: col.bool('match_fee_cover'),
  endedAt: col.timestamptz.nullable('ended_at'),
});

const COLUMNS = MATCHING_RULES.select();

function toRule(row: Record<string, unknown>): StoredRule {
  return MATCHING_RULES.map(row);
}

/** The only place that queries matching rules. */
@Injectable()
export class MatchingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async forCampaign(campaignId: string, opts: TransactionOptions = {}): Promise<StoredRule | null> {
    const rows = await (opts.within ?? this.dataSource.manager).query(
      `SELECT ${COLUMNS} FROM matching_rules WHERE campaign_id = $1`,
      [campaignId],
    );
    return rows[0] ? toRule(rows[0]) : null;
  }

  /** The campaign's rule row locked (FOR UPDATE) until the caller's transaction ends. */
  async lockForCampaign(manager: EntityManager, campaignId: string): Promise<StoredRule | null> {
    const rows = await manager.query(
      `SELECT ${COLUMNS} FROM matching_rules WHERE campaign_id = $1 FOR UPDATE`,
      [campaignId],
    );
    return rows[0] ? toRule(rows[0]) : null;
  }

  /**
   * What one matching pool paid, per campaign and fund, net of matches given back on refunds: the
   * pool is the account each gift's `match:<id>` entry took the money from (so a rule that moved
   * to another pool does not move its history with it).
   */
  async matchedByCampaign(
    poolAccountId: string,
  ): Promise<{ campaignId: string; fundId: string; gifts: number; matchedMinor: number }[]> {
    const rows = rowsOf(
      await this.dataSource.query(
        `SELECT d.campaign_id AS "campaignId", d.fund_id AS "fundId", count(*)::int AS gifts,
                sum(d.matched_minor) AS "matchedMinor"
         FROM donations d
         JOIN journal_entries e ON e.idempotency_key = 'match:' || d.id::text
         JOIN postings p ON p.entry_id = e.id AND p.amount_minor < 0
         WHERE p.account_id = $1 AND d.matched_minor > 0
         GROUP BY d.campaign_id, d.fund_id ORDER BY 4 DESC`,
        [poolAccountId],
      ),
    );
    return rows.map((r) => ({
      campaignId: String(r.campaignId),
      fundId: String(r.fundId),
      gifts: Number(r.gifts),
      matchedMinor: toSafeInteger(r.matchedMinor as string) ?? 0,
    }));
  }

  async upsert(manager: EntityManager, campaignId: string, rule: RuleFields): Promise<StoredRule> {
    const rows = await manager.query(
      `INSERT INTO matching_rules (campaign_id, pool_fund_id, mode, ratio_bp, random_min_minor, random_max_minor,
         min_gift_minor, cap_per_gift_minor, cap_per_donor_day_minor, total_cap_minor, starts_at, ends_at, active,
         match_fee_cover)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (campaign_id) DO UPDATE SET pool_fund_id = $2, mode = $3, ratio_bp = $4, random_min_minor = $5,
         random_max_minor = $6, min_gift_minor = $7, cap_per_gift_minor = $8, cap_per_donor_day_minor = $9,
         total_cap_minor = $10, starts_at = $11, ends_at = $12, active = $13, match_fee_cover = $14
       RETURNING ${COLUMNS}`,
      [
        campaignId,
        rule.poolFundId,
        rule.mode,
        rule.ratioBp,
        rule.randomMinMinor,
        rule.randomMaxMinor,
        rule.minGiftMinor,
        rule.capPerGiftMinor,
        rule.capPerDonorDayMinor,
        rule.totalCapMinor,
        rule.startsAt,
        rule.endsAt,
        rule.active,
        rule.matchFeeCover ?? false,
      ],
    );
    return toRule(rows[0]);
  }

  /**
   * Serialises staff changes to one campaign's rule (two submits of the same form, an edit and an
   * end) until the transaction ends, including the first creation, when there is no row to lock.
   */
  async lockCampaignRule(manager: EntityManager, campaignId: string): Promise<void> {
    await manager.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('matching-rule:' || $1, 0))`,
      [campaignId],
    );
  }

  /** Pauses or resumes a rule; an ended rule stays as it is (the caller refuses that first). */
  async setActive(manager: EntityManager, id: string, active: boolean): Promise<StoredRule> {
    const rows = await manager.query(
      `UPDATE matching_rules SET active = $2 WHERE id = $1 AND ended_at IS NULL RETURNING ${COLUMNS}`,
      [id, active],
    );
    return toRule(rowsOf(rows)[0]!);
  }

  /** Ends a rule for good: inactive, with its matched sum kept for give-backs and reports. */
  async end(manager: EntityManager, id: string): Promise<StoredRule> {
    const rows = await manager.query(
      `UPDATE matching_rules SET active = false, ended_at = coalesce(ended_at, now()) WHERE id = $1
       RETURNING ${COLUMNS}`,
      [id],
    );
    return toRule(rowsOf(rows)[0]!);
  }

  /**
   * An update that adds to the rule's matched sum only if it stays within the total cap and the
   * rule is still as `seen` (active, same pool, ratio, caps, window and fee-cover option), for
   * LedgerService.postIf: the match entry is posted only if it changes the rule.
   */
  raiseMatchedWithinCap(
    seen: StoredRule,
    amountMinor: number,
  ): (param: (value: unknown) => string) => string {
    return (
      param,
    ) => `UPDATE matching_rules SET matched_minor = matched_minor + ${param(amountMinor)}::bigint
       WHERE id = ${param(seen.id)}::uuid AND active
         AND (total_cap_minor IS NULL OR matched_minor + ${param(amountMinor)}::bigint <= total_cap_minor)
         AND pool_fund_id = ${param(seen.poolFundId)}::uuid AND mode = ${param(seen.mode)}::text
         AND ratio_bp IS NOT DISTINCT FROM ${param(seen.ratioBp)}::int
         AND random_min_minor IS NOT DISTINCT FROM ${param(seen.randomMinMinor)}::bigint
         AND random_max_minor IS NOT DISTINCT FROM ${param(seen.randomMaxMinor)}::bigint
         AND min_gift_minor = ${param(seen.minGiftMinor)}::bigint
         AND cap_per_gift_minor IS NOT DISTINCT FROM ${param(seen.capPerGiftMinor)}::bigint
         AND cap_per_donor_day_minor IS NOT DISTINCT FROM ${param(seen.capPerDonorDayMinor)}::bigint
         AND total_cap_minor IS NOT DISTINCT FROM ${param(seen.totalCapMinor)}::bigint
         AND starts_at IS NOT DISTINCT FROM ${param(seen.startsAt)}::timestamptz
         AND ends_at IS NOT DISTINCT FROM ${param(seen.endsAt)}::timestamptz
         AND match_fee_cover = ${param(seen.matchFeeCover)}::boolean`;
  }

  async addMatched(manager: EntityManager, ruleId: string, deltaMinor: number): Promise<void> {
    await manager.query(
      `UPDATE matching_rules SET matched_minor = matched_minor + $2 WHERE id = $1`,
      [ruleId, deltaMinor],
    );
  }
}
