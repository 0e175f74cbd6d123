/**
 * Grant rounds: what a valid round definition is, its budget, and its lifecycle. Pure: no Nest,
 * no TypeORM.
 *
 * A round is DRAFT (editable) → OPEN (budget reserved in the source fund; applications are taken
 * inside the application window) → REVIEWING (no more submissions; reviewers score) → AWARDING
 * (awards proposed and approved) → CLOSED (only once no award is still PROPOSED).
 */
import { words, type Words } from '../../../common/i18n/i18n';

export const ROUND_STATUSES = ['DRAFT', 'OPEN', 'REVIEWING', 'AWARDING', 'CLOSED'] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];

export const TRANCHE_UNLOCKS = ['AWARD', 'START', 'MIDTERM', 'COMPLETION'] as const;
export type TrancheUnlock = (typeof TRANCHE_UNLOCKS)[number];

/** A prize tier: `count` design awards of `amountMinor` each, highest tier first. */
export interface RoundTier {
  key: string;
  nameZh: string;
  nameEn: string;
  amountMinor: number;
  count: number;
}

/** One rubric criterion: integer scores in [min, max], weighted by `weight`. */
export interface RubricCriterion {
  key: string;
  nameZh: string;
  nameEn: string;
  weight: number;
  min: number;
  max: number;
}

/** One construction tranche of the default schedule: `percent` of the construction money. */
export interface TrancheStep {
  key: string;
  percent: number;
  unlock: TrancheUnlock;
}

/** Calendar days each step may take: review, award decision, tranche payment, report decision. */
export interface TargetDays {
  review: number;
  decision: number;
  payment: number;
  report: number;
}

export interface RoundDefinition {
  applicationsOpenAt: Date;
  applicationsCloseAt: Date;
  reviewCloseAt: Date;
  tiers: RoundTier[];
  constructionBudgetMinor: number;
  rubric: RubricCriterion[];
  satisfactionThresholdPct: number;
  minEvaluators: number;
  secondApprovalAboveMinor: number;
  trancheSchedule: TrancheStep[];
  targetDays: TargetDays;
}

export const TARGET_DAY_KEYS = ['review', 'decision', 'payment', 'report'] as const;
export const KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const MAX_MINOR = 1_000_000_000_000_000;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const text = (v: unknown, max: number) =>
  typeof v === 'string' && v.trim().length >= 1 && v.trim().length <= max;

function duplicates(keys: string[]): string[] {
  return [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
}

/** Every problem with a round's definition, in words (empty when it is valid). */
export function roundProblems(def: RoundDefinition): string[] {
  const problems: string[] = [];
  const { tiers, rubric, trancheSchedule: schedule } = def;

  if (!Array.isArray(tiers) || tiers.length < 1 || tiers.length > 10) {
    problems.push('tiers must list 1 to 10 tiers');
  } else {
    tiers.forEach((t, i) => {
      if (typeof t?.key !== 'string' || !KEY_PATTERN.test(t.key))
        problems.push(`tiers[${i}].key must be 1–40 lowercase letters, digits, _ or -`);
      if (!text(t?.nameZh, 100) || !text(t?.nameEn, 100))
        problems.push(`tiers[${i}] needs a name in Chinese and English (1–100 characters)`);
      if (!isInt(t?.amountMinor) || t.amountMinor <= 0 || t.amountMinor > MAX_MINOR)
        problems.push(`tiers[${i}].amountMinor must be a whole number of fen greater than zero`);
      if (!isInt(t?.count) || t.count < 1 || t.count > 100)
        problems.push(`tiers[${i}].count must be a whole number from 1 to 100`);
    });
    const dup = duplicates(tiers.map((t) => t?.key));
    if (dup.length) problems.push(`tier keys must be unique: ${dup.join(', ')} repeats`);
  }

  if (!isInt(def.constructionBudgetMinor) || def.constructionBudgetMinor < 0)
    problems.push('constructionBudgetMinor must be a whole number of fen, zero or more');

  if (!Array.isArray(rubric) || rubric.length < 1 || rubric.length > 20) {
    problems.push('rubric must list 1 to 20 criteria');
  } else {
    rubric.forEach((c, i) => {
      if (typeof c?.key !== 'string' || !KEY_PATTERN.test(c.key))
        problems.push(`rubric[${i}].key must be 1–40 lowercase letters, digits, _ or -`);
      if (!text(c?.nameZh, 200) || !text(c?.nameEn, 200))
        problems.push(`rubric[${i}] needs a name in Chinese and English (1–200 characters)`);
      if (!isInt(c?.weight) || c.weight <= 0 || c.weight > 1000)
        problems.push(`rubric[${i}].weight must be a whole number from 1 to 1000`);
      if (!isInt(c?.min) || !isInt(c?.max) || c.min < 0 || c.max > 100 || c.min >= c.max)
        problems.push(`rubric[${i}] needs whole-number scores with 0 ≤ min < max ≤ 100`);
    });
    const dup = duplicates(rubric.map((c) => c?.key));
    if (dup.length) problems.push(`rubric keys must be unique: ${dup.join(', ')} repeats`);
  }

  if (!Array.isArray(schedule) || schedule.length < 1 || schedule.length > 6) {
    problems.push('trancheSchedule must list 1 to 6 tranches');
  } else {
    let total = 0;
    schedule.forEach((s, i) => {
      if (typeof s?.key !== 'string' || !KEY_PATTERN.test(s.key))
        problems.push(`trancheSchedule[${i}].key must be 1–40 lowercase letters, digits, _ or -`);
      if (!isInt(s?.percent) || s.percent < 1 || s.percent > 100)
        problems.push(`trancheSchedule[${i}].percent must be a whole number from 1 to 100`);
      else total += s.percent;
      if (!(TRANCHE_UNLOCKS as readonly string[]).includes(s?.unlock))
        problems.push(`trancheSchedule[${i}].unlock must be one of ${TRANCHE_UNLOCKS.join(', ')}`);
    });
    if (total !== 100 && schedule.every((s) => isInt(s?.percent)))
      problems.push(`trancheSchedule percents must add up to 100 (they add up to ${total})`);
    const order = schedule.map((s) => TRANCHE_UNLOCKS.indexOf(s?.unlock));
    if (order.every((o) => o >= 0) && order.some((o, i) => i > 0 && o < order[i - 1]!))
      problems.push(
        'trancheSchedule must unlock in order AWARD, START, MIDTERM, COMPLETION (never earlier than the tranche before)',
      );
    const dup = duplicates(schedule.map((s) => s?.key));
    if (dup.length) problems.push(`tranche keys must be unique: ${dup.join(', ')} repeats`);
  }

  const dates = [def.applicationsOpenAt, def.applicationsCloseAt, def.reviewCloseAt];
  if (dates.every((d) => d instanceof Date && !Number.isNaN(d.getTime()))) {
    if (def.applicationsOpenAt >= def.applicationsCloseAt)
      problems.push('applicationsCloseAt must be after applicationsOpenAt');
    if (def.applicationsCloseAt > def.reviewCloseAt)
      problems.push('reviewCloseAt must not be before applicationsCloseAt');
  } else {
    problems.push('applicationsOpenAt, applicationsCloseAt and reviewCloseAt must be dates');
  }

  const days = def.targetDays as unknown as Record<string, unknown> | undefined;
  for (const key of TARGET_DAY_KEYS) {
    const v = days?.[key];
    if (!isInt(v) || v < 1 || v > 60)
      problems.push(`targetDays.${key} must be a whole number of days from 1 to 60`);
  }
  if (days && Object.keys(days).some((k) => !(TARGET_DAY_KEYS as readonly string[]).includes(k)))
    problems.push(`targetDays takes only ${TARGET_DAY_KEYS.join(', ')}`);

  if (
    !isInt(def.satisfactionThresholdPct) ||
    def.satisfactionThresholdPct < 1 ||
    def.satisfactionThresholdPct > 100
  )
    problems.push('satisfactionThresholdPct must be a whole number from 1 to 100');
  if (!isInt(def.minEvaluators) || def.minEvaluators < 1 || def.minEvaluators > 1000)
    problems.push('minEvaluators must be a whole number from 1 to 1000');
  if (!isInt(def.secondApprovalAboveMinor) || def.secondApprovalAboveMinor < 0)
    problems.push('secondApprovalAboveMinor must be a whole number of fen, zero or more');

  if (problems.length === 0 && roundBudget(tiers, def.constructionBudgetMinor) > MAX_MINOR)
    problems.push('the round budget is too large');
  return problems;
}

/** The round's budget: Σ tier amount × count + the construction budget. */
export function roundBudget(tiers: readonly RoundTier[], constructionBudgetMinor: number): number {
  return tiers.reduce((sum, t) => sum + t.amountMinor * t.count, 0) + constructionBudgetMinor;
}

export const ROUND_ACTIONS = ['open', 'start-review', 'start-awarding', 'close'] as const;
export type RoundAction = (typeof ROUND_ACTIONS)[number];

const TRANSITIONS: Record<RoundAction, { from: RoundStatus; to: RoundStatus }> = {
  open: { from: 'DRAFT', to: 'OPEN' },
  'start-review': { from: 'OPEN', to: 'REVIEWING' },
  'start-awarding': { from: 'REVIEWING', to: 'AWARDING' },
  close: { from: 'AWARDING', to: 'CLOSED' },
};

/** What the transition check needs to know beside the status. */
export interface TransitionFacts {
  now: Date;
  applicationsCloseAt: Date;
  /** start-review before the application deadline: the officer closes applications early. */
  early?: boolean;
  /** close: awards still PROPOSED (neither approved nor rejected). */
  proposedAwards?: number;
}

export type TransitionVerdict =
  | { allowed: true; next: RoundStatus; closesApplicationsEarly: boolean }
  | {
      allowed: false;
      code: 'INVALID_ROUND_TRANSITION' | 'APPLICATIONS_STILL_OPEN' | 'AWARDS_PENDING';
      words: Words;
    };

/**
 * Whether `action` may move a round in `status`:
 * - open: from DRAFT (the service then reserves the budget);
 * - start-review: from OPEN once the application window has closed, or earlier only when the
 *   officer says so (`early`), which closes applications at that moment;
 * - start-awarding: from REVIEWING;
 * - close: from AWARDING, once no award is still PROPOSED.
 */
export function checkRoundTransition(
  status: RoundStatus,
  action: RoundAction,
  facts: TransitionFacts,
): TransitionVerdict {
  const rule = TRANSITIONS[action];
  if (status !== rule.from) {
    return {
      allowed: false,
      code: 'INVALID_ROUND_TRANSITION',
      words: words('errors.grants.roundTransition'),
    };
  }
  let early = false;
  if (action === 'start-review' && facts.now < facts.applicationsCloseAt) {
    if (!facts.early) {
      return {
        allowed: false,
        code: 'APPLICATIONS_STILL_OPEN',
        words: words('errors.grants.applicationsStillOpen', { at: facts.applicationsCloseAt }),
      };
    }
    early = true;
  }
  if (action === 'close' && (facts.proposedAwards ?? 0) > 0) {
    return {
      allowed: false,
      code: 'AWARDS_PENDING',
      words: words('errors.grants.awardsPending', { count: facts.proposedAwards }),
    };
  }
  return { allowed: true, next: rule.to, closesApplicationsEarly: early };
}

/** Whether applications may be created or submitted at `now`: OPEN and inside the window. */
export function applicationWindowProblem(
  round: { status: RoundStatus; applicationsOpenAt: Date; applicationsCloseAt: Date },
  now: Date,
): Words | null {
  if (round.status !== 'OPEN') return words('errors.grants.applicationsNotOpen');
  if (now < round.applicationsOpenAt)
    return words('errors.grants.applicationsOpenAt', { at: round.applicationsOpenAt });
  if (now >= round.applicationsCloseAt)
    return words('errors.grants.applicationsClosedAt', { at: round.applicationsCloseAt });
  return null;
}

/** `2026-09-30 18:00` in Asia/Shanghai. */
export function beijingTime(d: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d);
  const p = (type: string) => parts.find((x) => x.type === type)?.value ?? '';
  return `${p('year')}-${p('month')}-${p('day')} ${p('hour')}:${p('minute')}`;
}

/** `days` calendar days after `from`. */
export function addDays(from: Date, days: number): Date {
  return new Date(from.getTime() + days * 86_400_000);
}
