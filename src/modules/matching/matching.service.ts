import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../common/errors';
import { TransactionService } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { FundsService } from '../funds/funds.service';
import { transferPostings } from '../ledger/journal';
import { LedgerService } from '../ledger/ledger.service';
import { allowedMatch, matchToReverse, offeredMatch, type NoMatchReason } from './match-amount';
import { MatchingRepository, type StoredRule } from './matching.repository';

/**
 * More PAID gifts than this within a minute from one donor email or one payment method (card or
 * payer account) look like a bot: the match is withheld (recorded, releasable by FINANCE).
 */
export const VELOCITY_LIMIT_PER_MINUTE = 5;

export interface MatchableGift {
  id: string;
  campaignId: string;
  fundId: string;
  amountMinor: number;
  currency: string;
  /**
   * Other paid gifts from this donor's email or payment method in the minute up to this one (the
   * caller counts them). Asked after the pool is locked, so gifts settling together on this pool
   * see each other. Absent: no bot check (a release by FINANCE, staff-recorded offline gifts).
   */
  paidRecently?: () => Promise<number>;
  /** Already matched today for this donor on this campaign; asked after the pool is locked, so two gifts of one donor cannot both pass the daily cap. */
  donorMatchedToday: () => Promise<number>;
  at: Date;
}

export type RuleInput = Omit<StoredRule, 'id' | 'campaignId' | 'matchedMinor'>;

/**
 * The matching engine. A match is a ledger entry from the sponsor's MATCHING fund to the
 * campaign's fund, posted inside the donation's own transaction. The pool's balance slots are
 * locked first, so matches on one pool are serialised and the pool can never be overspent; the
 * ledger trigger would refuse an overdraft anyway.
 */
@Injectable()
export class MatchingService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: MatchingRepository,
    private readonly funds: FundsService,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  /**
   * Matches one gift, inside its settlement's transaction. Called last in that transaction: the
   * pool stays locked until commit, and every matched gift on this pool waits for it, so the
   * statements from the lock to the commit are kept to a few.
   */
  async match(
    m: EntityManager,
    gift: MatchableGift,
    random: () => number = Math.random,
  ): Promise<{ matchedMinor: number; reason?: NoMatchReason }> {
    const peek = await this.repo.forCampaign(gift.campaignId, m);
    if (!peek) return { matchedMinor: 0, reason: 'NO_RULE' };
    const offer = offeredMatch(peek, gift.amountMinor, gift.at, random);
    if (offer.amountMinor === 0) return { matchedMinor: 0, reason: offer.reason };

    const poolAccountId = await this.funds.accountIdOf(peek.poolFundId, { within: m });
    const fundAccountId = await this.funds.accountIdOf(gift.fundId, { within: m });
    // Lock order: pool slots, then the rule row (every match on this pool takes them in this
    // order). A closed pool has a zero balance (closing needs one), so it matches nothing.
    const poolBalanceMinor = await this.ledger.lockedBalance(poolAccountId, { within: m });
    const donorToday = (r: StoredRule) =>
      r.capPerDonorDayMinor === null ? Promise.resolve(0) : gift.donorMatchedToday();
    const limits = { donorMatchedTodayMinor: await donorToday(peek), poolBalanceMinor };

    // The pool balance and the donor's day are read under the lock; the rule was read before it.
    // Unless the total cap is what limits this match, one conditional update locks the rule and
    // checks that it is unchanged and its current sum stays within the cap; otherwise (or if the
    // rule changed meanwhile) the rule is read again under its lock and decides.
    let rule: StoredRule = peek;
    let allowed = allowedMatch(offer.amountMinor, { rule: peek, ...limits });
    if (allowed.amountMinor === 0 && allowed.reason !== 'TOTAL_CAP')
      return { matchedMinor: 0, reason: allowed.reason };
    // Only a gift the pool would match is withheld as bot-like: what FINANCE may release.
    if (gift.paidRecently && (await gift.paidRecently()) + 1 > VELOCITY_LIMIT_PER_MINUTE)
      return { matchedMinor: 0, reason: 'VELOCITY' };
    const fast =
      allowed.reason !== 'TOTAL_CAP' &&
      (await this.repo.addMatchedWithinCap(m, peek, allowed.amountMinor));
    if (!fast) {
      const current = await this.repo.forCampaign(gift.campaignId, m, true);
      if (!current) return { matchedMinor: 0, reason: 'NO_RULE' };
      // Moved to another pool while this gift waited for the old one's lock: that pool is not
      // locked here, so this gift goes unmatched rather than risk it.
      if (current.poolFundId !== peek.poolFundId)
        return { matchedMinor: 0, reason: 'RULE_CHANGED' };
      rule = current;
      const offerNow = offeredMatch(rule, gift.amountMinor, gift.at, random);
      if (offerNow.amountMinor === 0) return { matchedMinor: 0, reason: offerNow.reason };
      allowed = allowedMatch(offerNow.amountMinor, {
        rule,
        poolBalanceMinor,
        donorMatchedTodayMinor:
          rule.capPerDonorDayMinor === peek.capPerDonorDayMinor
            ? limits.donorMatchedTodayMinor
            : await donorToday(rule),
      });
      if (allowed.amountMinor === 0) return { matchedMinor: 0, reason: allowed.reason };
      await this.repo.addMatched(m, rule.id, allowed.amountMinor);
    }
    await this.ledger.post(
      {
        idempotencyKey: `match:${gift.id}`,
        kind: 'MATCH',
        description: `Match for gift ${gift.id}`,
        currency: gift.currency,
        postings: transferPostings(poolAccountId, fundAccountId, allowed.amountMinor),
        metadata: { donationId: gift.id, ruleId: rule.id },
      },
      { within: m },
    );
    return { matchedMinor: allowed.amountMinor, reason: allowed.reason };
  }

  /**
   * Gives back the refunded share of a gift's match to the pool that paid it, as its
   * `match:<gift>` entry records it, and off the rule that matched it, even if the campaign's rule
   * has since moved to another pool. The share is of the original match (what that entry posted)
   * at the cumulative refunded total, less what earlier refunds gave back: exact over any number
   * of partial refunds. The caller holds the donation's row lock.
   */
  async reverse(
    m: EntityManager,
    gift: {
      id: string;
      fundId: string;
      currency: string;
      amountMinor: number;
      /** The match the gift keeps now. */
      matchedMinor: number;
      /** What earlier refunds gave back already. */
      matchReturnedMinor: number;
    },
    refundedAfter: number,
  ): Promise<number> {
    if (gift.matchedMinor <= 0) return 0;
    const match = await this.ledger.findEntryByKey(`match:${gift.id}`, { within: m });
    const poolAccountId = match?.postings.find((p) => p.amountMinor < 0)?.accountId;
    if (!match || !poolAccountId) {
      throw new Error(`gift ${gift.id} is marked matched but has no match entry`);
    }
    const originalMinor = match.postings
      .filter((p) => p.amountMinor > 0)
      .reduce((sum, p) => sum + p.amountMinor, 0);
    const back = Math.min(
      gift.matchedMinor,
      matchToReverse(originalMinor, gift.amountMinor, gift.matchReturnedMinor, refundedAfter),
    );
    if (back <= 0) return 0;
    const fundAccountId = await this.funds.accountIdOf(gift.fundId, { within: m });
    // The pool first, then the rule (addMatched locks it): the order matches take them in.
    await this.ledger.post(
      {
        idempotencyKey: `match:${gift.id}:reverse:${refundedAfter}`,
        kind: 'MATCH_REVERSAL',
        description: `Match given back for refunded gift ${gift.id}`,
        currency: gift.currency,
        postings: transferPostings(fundAccountId, poolAccountId, back),
        metadata: { donationId: gift.id },
      },
      { within: m },
    );
    const ruleId = typeof match.metadata.ruleId === 'string' ? match.metadata.ruleId : null;
    if (ruleId) await this.repo.addMatched(m, ruleId, -back);
    return back;
  }

  /** What is left to match on a campaign: the lesser of the pool's balance and the rule's cap. */
  async status(
    campaignId: string,
  ): Promise<{ active: boolean; remainingMinor: number; exhausted: boolean } | null> {
    const rule = await this.repo.forCampaign(campaignId);
    if (!rule) return null;
    const pool = await this.funds.get(rule.poolFundId);
    const capLeft =
      rule.totalCapMinor === null
        ? Number.MAX_SAFE_INTEGER
        : rule.totalCapMinor - rule.matchedMinor;
    const remainingMinor = Math.max(0, Math.min(pool.balanceMinor, capLeft));
    return { active: rule.active, remainingMinor, exhausted: remainingMinor === 0 };
  }

  setRule(campaignId: string, input: RuleInput): Promise<StoredRule> {
    return this.tx.run(async (m) => {
      const pool = await this.funds.get(input.poolFundId, { within: m });
      if (pool.kind !== 'MATCHING') {
        throw new DomainError(
          'INVALID_FUND',
          `Fund ${pool.code} is ${pool.kind}; a matching rule draws on a MATCHING fund.`,
        );
      }
      const before = await this.repo.forCampaign(campaignId, m);
      const rule = await this.repo.upsert(m, campaignId, input);
      await this.audit.record(m, {
        action: before ? 'matching.rule_changed' : 'matching.rule_created',
        entityType: 'campaign',
        entityId: campaignId,
        before: before ?? undefined,
        after: rule,
      });
      return rule;
    });
  }

  getRule(campaignId: string): Promise<StoredRule | null> {
    return this.repo.forCampaign(campaignId);
  }
}
