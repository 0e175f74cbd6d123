/**
 * What staff may set on a campaign's matching rule, and its state. Pure: no Nest, no database.
 * Problems name the field they belong to and a locale key (templates/locales, section
 * `matching.problems`), so the API says them in English and the back office beside each field.
 */

/** The database's CHECK on ratio_bp: 0.01 % to 1000 % (1:0.0001 to 1:10). */
export const MIN_RATIO_BP = 1;
export const MAX_RATIO_BP = 100_000;

export const RULE_STATUSES = ['ACTIVE', 'PAUSED', 'ENDED'] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];

export function ruleStatus(rule: { active: boolean; endedAt: Date | null }): RuleStatus {
  return rule.endedAt ? 'ENDED' : rule.active ? 'ACTIVE' : 'PAUSED';
}

export interface RuleDraft {
  poolFundId: string;
  mode: 'RATIO' | 'RANDOM';
  ratioBp: number | null;
  randomMinMinor: number | null;
  randomMaxMinor: number | null;
  minGiftMinor: number;
  capPerGiftMinor: number | null;
  capPerDonorDayMinor: number | null;
  totalCapMinor: number | null;
  startsAt: Date | null;
  endsAt: Date | null;
}

export type RuleField = keyof RuleDraft | 'campaign';

export interface RuleProblem {
  field: RuleField;
  /** A key under `matching.problems` in the locale files. */
  key: string;
  /** Amounts in minor units, shown as money by whoever words the problem. */
  amounts?: Record<string, number>;
}

export interface RuleContext {
  campaign: { status: string; startsAt: Date | null; endsAt: Date | null; currency: string };
  /** The chosen pool as it is now, or null when no fund has that id. */
  pool: { kind: string; status: string; currency: string; balanceMinor: number } | null;
  /** The rule as stored before this change, if there is one. */
  current: { poolFundId: string; matchedMinor: number } | null;
}

/**
 * Everything wrong with a rule staff want to save, field by field (empty when it may be saved).
 * A new pool must be an ACTIVE MATCHING fund in the campaign's currency with money in it; keeping
 * the pool a rule already has needs no money (a used-up pool may have its caps edited).
 */
export function ruleProblems(draft: RuleDraft, ctx: RuleContext): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const add = (field: RuleField, key: string, amounts?: RuleProblem['amounts']) =>
    problems.push({ field, key, ...(amounts ? { amounts } : {}) });

  if (ctx.campaign.status === 'ENDED') add('campaign', 'campaignEnded');

  const { pool } = ctx;
  const samePool = ctx.current?.poolFundId === draft.poolFundId;
  if (!pool) add('poolFundId', 'poolNotFound');
  else if (pool.kind !== 'MATCHING') add('poolFundId', 'poolNotMatching');
  else if (pool.currency.trim() !== ctx.campaign.currency.trim()) add('poolFundId', 'poolCurrency');
  else if (!samePool && pool.status !== 'ACTIVE') add('poolFundId', 'poolNotActive');
  else if (!samePool && pool.balanceMinor <= 0) add('poolFundId', 'poolEmpty');

  if (draft.mode === 'RATIO') {
    if (draft.ratioBp === null) add('ratioBp', 'ratioMissing');
    else if (
      !Number.isInteger(draft.ratioBp) ||
      draft.ratioBp < MIN_RATIO_BP ||
      draft.ratioBp > MAX_RATIO_BP
    )
      add('ratioBp', 'ratioRange');
  } else {
    if (draft.randomMinMinor === null) add('randomMinMinor', 'randomMinMissing');
    else if (draft.randomMinMinor < 1) add('randomMinMinor', 'positive');
    if (draft.randomMaxMinor === null) add('randomMaxMinor', 'randomMaxMissing');
    else if (draft.randomMinMinor !== null && draft.randomMaxMinor < draft.randomMinMinor)
      add('randomMaxMinor', 'randomOrder');
  }

  if (draft.minGiftMinor < 1) add('minGiftMinor', 'positive');
  for (const cap of ['capPerGiftMinor', 'capPerDonorDayMinor', 'totalCapMinor'] as const) {
    const value = draft[cap];
    if (value !== null && value < 1) add(cap, 'positive');
  }
  const matched = ctx.current?.matchedMinor ?? 0;
  if (draft.totalCapMinor !== null && draft.totalCapMinor >= 1 && draft.totalCapMinor < matched)
    add('totalCapMinor', 'totalCapBelowMatched', { matched });

  const { startsAt, endsAt } = draft;
  const campaign = ctx.campaign;
  if (startsAt && endsAt && startsAt >= endsAt) add('endsAt', 'windowOrder');
  if (startsAt && campaign.startsAt && startsAt < campaign.startsAt)
    add('startsAt', 'startsBeforeCampaign');
  if (startsAt && campaign.endsAt && startsAt >= campaign.endsAt)
    add('startsAt', 'startsAfterCampaign');
  if (endsAt && campaign.endsAt && endsAt > campaign.endsAt) add('endsAt', 'endsAfterCampaign');
  if (endsAt && campaign.startsAt && endsAt <= campaign.startsAt)
    add('endsAt', 'endsBeforeCampaign');
  return problems;
}

/** Whether saving `draft` over `current` would change anything (a resubmitted form does not). */
export function sameRule(
  current: RuleDraft & { matchFeeCover: boolean },
  draft: RuleDraft & { matchFeeCover: boolean },
): boolean {
  const time = (d: Date | null) => (d ? d.getTime() : null);
  return (
    current.poolFundId === draft.poolFundId &&
    current.mode === draft.mode &&
    current.ratioBp === draft.ratioBp &&
    current.randomMinMinor === draft.randomMinMinor &&
    current.randomMaxMinor === draft.randomMaxMinor &&
    current.minGiftMinor === draft.minGiftMinor &&
    current.capPerGiftMinor === draft.capPerGiftMinor &&
    current.capPerDonorDayMinor === draft.capPerDonorDayMinor &&
    current.totalCapMinor === draft.totalCapMinor &&
    time(current.startsAt) === time(draft.startsAt) &&
    time(current.endsAt) === time(draft.endsAt) &&
    current.matchFeeCover === draft.matchFeeCover
  );
}
