import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { EntityManager } from 'typeorm';
import type { Role } from '../../common/auth/roles';
import { RequestContext } from '../../common/context/request-context';
import { type DomainError, ForbiddenError, UnauthenticatedError } from '../../common/errors';
import { TransactionService } from '../../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { CampaignsService } from '../campaigns/campaigns.service';
import type { CampaignView } from '../campaigns/campaigns.types';
import { FundNotFoundError } from '../funds/funds.errors';
import { FundsService } from '../funds/funds.service';
import { transferPostings, type EntryInput } from '../ledger/journal';
import { LedgerService } from '../ledger/ledger.service';
import {
  allowedMatch,
  matchableMinor,
  matchToReverse,
  offeredMatch,
  type NoMatchReason,
} from './match-amount';
import {
  ruleProblems,
  ruleStatus,
  sameRule,
  type RuleDraft,
  type RuleStatus,
} from './matching-rule';
import {
  InvalidMatchingRuleError,
  MatchingRuleEndedError,
  MatchingRuleNotFoundError,
  NotAMatchingPoolError,
} from './matching.errors';
import { MatchingRepository, type RuleFields, type StoredRule } from './matching.repository';
import { words, type Words } from '../../common/i18n/i18n';

/**
 * More PAID gifts than this within a minute from one donor email or one payment method (card or
 * payer account) look like a bot: the match is withheld (recorded, releasable by FINANCE).
 */
export const VELOCITY_LIMIT_PER_MINUTE = 5;

export interface MatchableGift {
  id: string;
  campaignId: string;
  fundId: string;
  /** What the donor paid, the fee cover included. */
  amountMinor: number;
  /** The part of amountMinor that covers the processor's fee: matched only if the rule says so. */
  feeCoverMinor?: number;
  currency: string;
  /**
   * Other paid gifts from this donor's email or payment method in the minute up to this one (the
   * caller counts them). Asked after `lockDonor`, so gifts of one donor settling together see
   * each other. Absent: no bot check (a release by FINANCE, staff-recorded offline gifts).
   */
  paidRecently?: () => Promise<number>;
  /**
   * Already matched today for this donor on this campaign; asked after `lockDonor`, so two gifts
   * of one donor cannot both pass the daily cap.
   */
  donorMatchedToday: () => Promise<number>;
  /**
   * Locks this donor's email and payment method until the transaction ends (before the two
   * questions above). Absent: the caller holds a lock that already serialises them.
   */
  lockDonor?: () => Promise<void>;
  at: Date;
  /** When the gift's money arrived, if before now (an offline gift recorded later): the match's date too. */
  receivedAt?: Date;
}

export interface MatchResult {
  matchedMinor: number;
  reason?: NoMatchReason;
}

/** What `plan` decided: nothing (with why), or an amount for `take` to post. */
export interface MatchPlan extends MatchResult {
  take?: {
    /** The rule as read: `take` posts only if it is still so. */
    rule: StoredRule;
    donorMatchedTodayMinor: number;
    /** The total cap limits the match: decided under the rule's lock. */
    underLock: boolean;
  };
}

export type RuleInput = RuleFields;

/** What staff set through the API and the back office: the rule without its state. */
export type RuleSettings = RuleDraft & { matchFeeCover?: boolean };

/** A rule as staff (and the campaign's community leaders) see it: with its state and its pool. */
export interface RuleView extends StoredRule {
  status: RuleStatus;
  currency: string;
  pool: { id: string; code: string; nameZh: string; nameEn: string; balanceMinor: number };
}

/** Who may change matching rules: they spend a sponsor's money. */
const RULE_MANAGERS: readonly Role[] = ['ADMIN', 'FINANCE'];
/** Who may read a campaign's rule besides them (community leaders: for their own funds). */
const RULE_READERS: readonly Role[] = ['ADMIN', 'FINANCE', 'GRANTS_OFFICER'];

/**
 * The matching engine. A match is a ledger entry from the sponsor's MATCHING fund to the
 * campaign's fund, posted inside the donation's own transaction, from one balance slot of the
 * pool that holds all of it (the ledger keeps every slot of a fund at zero or more), so matches
 * on one pool run side by side on different slots and the pool can never be overspent. Near the
 * end of a pool (or of a rule's cap) matches take every slot and run one at a time.
 */
@Injectable()
export class MatchingService {
  constructor(
    private readonly tx: TransactionService,
    private readonly repo: MatchingRepository,
    private readonly funds: FundsService,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
    private readonly campaigns: CampaignsService,
  ) {}

  /**
   * Matches one gift inside the caller's transaction: `plan`, then `take`. A caller with writes
   * that depend on the match (the settlement) puts them between the two, so that only `take`
   * and the COMMIT run while the pool is held.
   */
  async match(
    m: EntityManager,
    gift: MatchableGift,
    random: () => number = Math.random,
  ): Promise<MatchResult> {
    return this.take(m, gift, await this.plan(m, gift, random), random);
  }

  /**
   * What the gift would be matched, decided without locking the pool or the rule: the rule as it
   * is now, the donor's cap and the bot check. Those two are read under a lock of the donor's
   * email and payment method (DonationsRepository.lockDonor, through the gift's callbacks), so
   * two gifts of one donor settling together see each other; nothing else waits for it. The
   * pool's balance is not read: `take` takes the amount from a slot that holds it, or decides
   * under the pool's lock.
   */
  async plan(
    m: EntityManager,
    gift: MatchableGift,
    random: () => number = Math.random,
  ): Promise<MatchPlan> {
    const rule = await this.repo.forCampaign(gift.campaignId, { within: m });
    if (!rule) return { matchedMinor: 0, reason: 'NO_RULE' };
    const offer = offeredMatch(rule, matchableMinor(rule, gift), gift.at, random);
    if (offer.amountMinor === 0) return { matchedMinor: 0, reason: offer.reason };
    if (gift.paidRecently || rule.capPerDonorDayMinor !== null) await gift.lockDonor?.();
    const donorMatchedTodayMinor =
      rule.capPerDonorDayMinor === null ? 0 : await gift.donorMatchedToday();
    const allowed = allowedMatch(offer.amountMinor, {
      rule,
      donorMatchedTodayMinor,
      poolBalanceMinor: Number.MAX_SAFE_INTEGER,
    });
    if (allowed.amountMinor === 0 && allowed.reason !== 'TOTAL_CAP')
      return { matchedMinor: 0, reason: allowed.reason };
    // Only a gift the pool would match is withheld as bot-like: what FINANCE may release.
    if (gift.paidRecently && (await gift.paidRecently()) + 1 > VELOCITY_LIMIT_PER_MINUTE)
      return { matchedMinor: 0, reason: 'VELOCITY' };
    return {
      matchedMinor: allowed.amountMinor,
      reason: allowed.reason,
      take: { rule, donorMatchedTodayMinor, underLock: allowed.reason === 'TOTAL_CAP' },
    };
  }

  /**
   * Posts the planned match. Usually one statement (LedgerService.postIf): one balance
   * slot of the pool that holds the whole match and that no other transaction holds is locked,
   * the rule's matched sum raised if the rule is unchanged and within its cap, and the match
   * entry posted; the pool and the rule stay locked only until the caller commits. When that
   * cannot be done (no single free slot holds the match, the rule changed, the total cap limits
   * the match), the pool's slots are all locked, then the rule, and the match is decided again
   * from what they hold: it may be less than planned, or nothing.
   */
  async take(
    m: EntityManager,
    gift: MatchableGift,
    plan: MatchPlan,
    random: () => number = Math.random,
  ): Promise<MatchResult> {
    if (!plan.take) return { matchedMinor: 0, reason: plan.reason };
    const peek = plan.take.rule;
    const poolAccountId = await this.funds.accountIdOf(peek.poolFundId, { within: m });
    const fundAccountId = await this.funds.accountIdOf(gift.fundId, { within: m });
    const entry = (ruleId: string, amountMinor: number) =>
      matchEntry(gift, { ruleId, poolAccountId, fundAccountId, amountMinor });
    if (
      !plan.take.underLock &&
      (await this.ledger.postIf(
        entry(peek.id, plan.matchedMinor),
        {
          payer: poolAccountId,
          amountMinor: plan.matchedMinor,
          when: this.repo.raiseMatchedWithinCap(peek, plan.matchedMinor),
        },
        { within: m },
      ))
    )
      return { matchedMinor: plan.matchedMinor, reason: plan.reason };

    // Lock order: pool slots, then the rule row (every match on this pool takes them in this
    // order). A closed pool has a zero balance (closing needs one), so it matches nothing.
    const poolBalanceMinor = await this.ledger.lockedBalance(m, poolAccountId);
    const rule = await this.repo.lockForCampaign(m, gift.campaignId);
    if (!rule) return { matchedMinor: 0, reason: 'NO_RULE' };
    // Moved to another pool while this gift was being settled: that pool is not locked here, so
    // this gift goes unmatched rather than risk it.
    if (rule.poolFundId !== peek.poolFundId) return { matchedMinor: 0, reason: 'RULE_CHANGED' };
    const offer = offeredMatch(rule, matchableMinor(rule, gift), gift.at, random);
    if (offer.amountMinor === 0) return { matchedMinor: 0, reason: offer.reason };
    const allowed = allowedMatch(offer.amountMinor, {
      rule,
      poolBalanceMinor,
      donorMatchedTodayMinor:
        rule.capPerDonorDayMinor === peek.capPerDonorDayMinor
          ? plan.take.donorMatchedTodayMinor
          : await gift.donorMatchedToday(),
    });
    if (allowed.amountMinor === 0) return { matchedMinor: 0, reason: allowed.reason };
    await this.repo.addMatched(m, rule.id, allowed.amountMinor);
    await this.ledger.post(entry(rule.id, allowed.amountMinor), { within: m });
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

  /**
   * A campaign's rule and what is left to match on it: the lesser of the pool's balance and the
   * rule's cap. Two autocommit reads, for the public page; gifts are matched under locks elsewhere.
   */
  async status(campaignId: string): Promise<{
    rule: StoredRule;
    active: boolean;
    remainingMinor: number;
    exhausted: boolean;
  } | null> {
    const rule = await this.repo.forCampaign(campaignId);
    if (!rule) return null;
    const poolBalanceMinor = await this.funds.balanceOf(rule.poolFundId);
    const capLeft =
      rule.totalCapMinor === null
        ? Number.MAX_SAFE_INTEGER
        : rule.totalCapMinor - rule.matchedMinor;
    const remainingMinor = Math.max(0, Math.min(poolBalanceMinor, capLeft));
    return { rule, active: rule.active, remainingMinor, exhausted: remainingMinor === 0 };
  }

  /**
   * Sets a campaign's rule as given (the demo seed and tests): the pool must be a MATCHING fund;
   * nothing else is checked. Staff go through `putRule`, which checks everything.
   */
  setRule(campaignId: string, input: RuleInput): Promise<StoredRule> {
    return this.tx.run(async (m) => {
      const pool = await this.funds.get(input.poolFundId, { within: m });
      if (pool.kind !== 'MATCHING') {
        throw new NotAMatchingPoolError(pool.code, pool.kind);
      }
      await this.repo.lockCampaignRule(m, campaignId);
      const before = await this.repo.forCampaign(campaignId, { within: m });
      return this.save(m, campaignId, input, before);
    });
  }

  /** Writes a rule and its audit row; an ended rule is never written again. */
  private async save(
    m: EntityManager,
    campaignId: string,
    input: RuleInput,
    before: StoredRule | null,
  ): Promise<StoredRule> {
    if (before?.endedAt) throw new MatchingRuleEndedError();
    const rule = await this.repo.upsert(m, campaignId, input);
    await this.audit.record(m, {
      action: before ? 'matching.rule_changed' : 'matching.rule_created',
      entityType: 'campaign',
      entityId: campaignId,
      before: before ?? undefined,
      after: rule,
    });
    return rule;
  }

  /**
   * Creates or replaces a campaign's rule for staff (API and back office), after every check in
   * `ruleProblems` (422 INVALID_MATCHING_RULE naming each field). A new rule starts active; an
   * edit keeps the rule's paused or active state. Saving what is already stored changes nothing
   * and records nothing, so a form submitted twice is harmless. The rule row is taken with its
   * lock (after matches in flight on it commit); matches that read the rule before the edit
   * notice the change in their conditional update and decide by the rule as it is now.
   */
  async putRule(
    campaignRef: string,
    settings: RuleSettings,
  ): Promise<{ rule: RuleView; created: boolean; changed: boolean }> {
    const campaign = await this.campaigns.getVisible(RequestContext.actor(), campaignRef);
    assertMayManage();
    const draft: RuleDraft & { matchFeeCover: boolean } = {
      ...settings,
      ratioBp: settings.mode === 'RATIO' ? settings.ratioBp : null,
      randomMinMinor: settings.mode === 'RANDOM' ? settings.randomMinMinor : null,
      randomMaxMinor: settings.mode === 'RANDOM' ? settings.randomMaxMinor : null,
      matchFeeCover: settings.matchFeeCover ?? false,
    };
    const result = await this.tx.run(async (m) => {
      await this.repo.lockCampaignRule(m, campaign.id);
      const current = await this.repo.lockForCampaign(m, campaign.id);
      if (current?.endedAt) throw new MatchingRuleEndedError();
      const pool = await this.poolOrNull(m, draft.poolFundId);
      const problems = ruleProblems(draft, { campaign, pool, current });
      if (problems.length > 0) throw new InvalidMatchingRuleError(problems, campaign.currency);
      if (current && sameRule(current, draft))
        return { rule: current, changed: false, created: false };
      const rule = await this.save(
        m,
        campaign.id,
        { ...draft, active: current?.active ?? true },
        current,
      );
      return { rule, changed: true, created: current === null };
    });
    return {
      rule: await this.view(result.rule, campaign),
      created: result.created,
      changed: result.changed,
    };
  }

  /** Stops matching for now; resume starts it again. Pausing a paused rule changes nothing. */
  pauseRule(campaignRef: string): Promise<RuleView> {
    return this.changeState(campaignRef, 'pause');
  }

  resumeRule(campaignRef: string): Promise<RuleView> {
    return this.changeState(campaignRef, 'resume');
  }

  /**
   * Ends the rule for good: no more matches, and it cannot be edited or resumed. What it matched
   * stays: the ledger's match entries (the sponsor report), the rule's matched sum (refunds give
   * back against it) and the campaign's totals.
   */
  endRule(campaignRef: string): Promise<RuleView> {
    return this.changeState(campaignRef, 'end');
  }

  private async changeState(
    campaignRef: string,
    action: 'pause' | 'resume' | 'end',
  ): Promise<RuleView> {
    const campaign = await this.campaigns.getVisible(RequestContext.actor(), campaignRef);
    assertMayManage();
    const rule = await this.tx.run(async (m) => {
      await this.repo.lockCampaignRule(m, campaign.id);
      const current = await this.repo.lockForCampaign(m, campaign.id);
      if (!current) throw new MatchingRuleNotFoundError(campaign.slug);
      if (current.endedAt) {
        if (action === 'end') return current;
        throw new MatchingRuleEndedError();
      }
      if (action !== 'end' && current.active === (action === 'resume')) return current;
      const updated =
        action === 'end'
          ? await this.repo.end(m, current.id)
          : await this.repo.setActive(m, current.id, action === 'resume');
      const state = (r: StoredRule) => ({ status: ruleStatus(r), endedAt: r.endedAt });
      await this.audit.record(m, {
        action: `matching.rule_${action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'ended'}`,
        entityType: 'campaign',
        entityId: campaign.id,
        before: { ruleId: current.id, ...state(current) },
        after: { ruleId: updated.id, ...state(updated), matchedMinor: updated.matchedMinor },
      });
      return updated;
    });
    return this.view(rule, campaign);
  }

  /** A campaign's rule for staff and the campaign's community leaders (404 when it has none). */
  async ruleView(campaignRef: string): Promise<RuleView> {
    const campaign = await this.campaigns.getVisible(RequestContext.actor(), campaignRef);
    assertMayRead(campaign);
    const rule = await this.repo.forCampaign(campaign.id);
    if (!rule) throw new MatchingRuleNotFoundError(campaign.slug);
    return this.view(rule, campaign);
  }

  /** The same for a campaign already loaded (back-office pages), or null. */
  async findRuleView(campaign: CampaignView): Promise<RuleView | null> {
    assertMayRead(campaign);
    const rule = await this.repo.forCampaign(campaign.id);
    return rule ? this.view(rule, campaign) : null;
  }

  private async view(rule: StoredRule, campaign: { currency: string }): Promise<RuleView> {
    const pool = await this.funds.get(rule.poolFundId);
    return {
      ...rule,
      status: ruleStatus(rule),
      currency: campaign.currency,
      pool: {
        id: pool.id,
        code: pool.code,
        nameZh: pool.nameZh,
        nameEn: pool.nameEn,
        balanceMinor: pool.balanceMinor,
      },
    };
  }

  private async poolOrNull(m: EntityManager, id: string) {
    if (!isUUID(id)) return null;
    try {
      return await this.funds.get(id, { within: m });
    } catch (error) {
      if (error instanceof FundNotFoundError) return null;
      throw error;
    }
  }

  getRule(campaignId: string): Promise<StoredRule | null> {
    return this.repo.forCampaign(campaignId);
  }
}

function assertMayManage(): void {
  const actor = RequestContext.actor();
  if (actor?.kind === 'system') return;
  if (actor?.kind === 'user' && actor.roles.some((r) => RULE_MANAGERS.includes(r))) return;
  throw forbidden(words('errors.matching.rulesStaff'));
}

function assertMayRead(campaign: { fundId: string }): void {
  const actor = RequestContext.actor();
  if (actor?.kind === 'system') return;
  if (actor?.kind === 'user') {
    if (actor.roles.some((r) => RULE_READERS.includes(r))) return;
    if (actor.roles.includes('COMMUNITY_LEADER') && actor.fundIds.includes(campaign.fundId)) return;
  }
  throw forbidden(words('errors.matching.rulesLeaders'));
}

function forbidden(reason: Words): DomainError {
  return RequestContext.actor()?.kind === 'user'
    ? new ForbiddenError(reason)
    : new UnauthenticatedError(words('errors.signInFirstThen', { reason }));
}

/** The `match:<gift>` entry: from the pool to the campaign's fund. */
function matchEntry(
  gift: Pick<MatchableGift, 'id' | 'currency' | 'receivedAt'>,
  m: { ruleId: string; poolAccountId: string; fundAccountId: string; amountMinor: number },
): EntryInput {
  return {
    idempotencyKey: `match:${gift.id}`,
    kind: 'MATCH',
    description: `Match for gift ${gift.id}`,
    currency: gift.currency,
    postings: transferPostings(m.poolAccountId, m.fundAccountId, m.amountMinor),
    metadata: { donationId: gift.id, ruleId: m.ruleId },
    ...(gift.receivedAt ? { occurredAt: gift.receivedAt } : {}),
  };
}
