/**
 * Awards, tranches, reports and inspections: who may decide, what a round allows, how
 * construction money is split and when each part may be paid. Pure: no Nest, no TypeORM.
 *
 * An award is PROPOSED by an officer, then approved by a second person (ADMIN, FINANCE or
 * GRANTS_OFFICER) who did not propose it, review the application or apply for it; when design +
 * construction is above the round's `second_approval_above_minor`, a third person (not the first
 * approver either) approves too. Full approval pays the design award and schedules the tranches.
 * The project then moves NOT_STARTED → IN_PROGRESS (START report accepted) → COMPLETED
 * (COMPLETION report accepted and the latest inspection PASSED); evaluations move it on from there.
 */
import { words, type Words } from '../../../common/i18n/i18n';
import type { Role } from '../../../common/auth/roles';

export const AWARD_STATUSES = ['PROPOSED', 'APPROVED', 'REJECTED'] as const;
export type AwardStatus = (typeof AWARD_STATUSES)[number];

export const PROJECT_STATUSES = [
  'NOT_STARTED',
  'IN_PROGRESS',
  'COMPLETED',
  'RECTIFICATION_REQUIRED',
  'EVALUATED',
  'CLOSED',
] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const TRANCHE_STATUSES = ['SCHEDULED', 'REQUESTED', 'PAID', 'REJECTED'] as const;
export type TrancheStatus = (typeof TRANCHE_STATUSES)[number];

export const TRANCHE_UNLOCKS = ['AWARD', 'START', 'MIDTERM', 'COMPLETION'] as const;
export type TrancheUnlock = (typeof TRANCHE_UNLOCKS)[number];

export const REPORT_KINDS = ['START', 'MIDTERM', 'COMPLETION', 'RECTIFICATION'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const REPORT_STATUSES = ['SUBMITTED', 'ACCEPTED', 'RETURNED'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const INSPECTION_RESULTS = ['PASSED', 'FAILED'] as const;
export type InspectionResult = (typeof INSPECTION_RESULTS)[number];

/** Who may approve or reject an award. */
export const AWARD_APPROVER_ROLES = [
  'ADMIN',
  'FINANCE',
  'GRANTS_OFFICER',
] as const satisfies readonly Role[];
/** Who proposes awards, accepts or returns reports and records inspections. */
export const GRANT_OFFICER_ROLES = ['ADMIN', 'GRANTS_OFFICER'] as const satisfies readonly Role[];
/** Who pays or rejects a requested tranche. */
export const TRANCHE_PAYER_ROLES = ['FINANCE'] as const satisfies readonly Role[];

// ------------------------------------------------------------------------------------------------
// The round's jsonb settings, read with a small typed parser
// ------------------------------------------------------------------------------------------------

export interface Tier {
  key: string;
  nameZh: string;
  nameEn: string;
  amountMinor: number;
  count: number;
}

export interface TrancheStep {
  key: string;
  percent: number;
  unlock: TrancheUnlock;
}

/** Calendar days each step may take. */
export interface TargetDays {
  review: number;
  decision: number;
  payment: number;
  report: number;
}

/** A round setting that is not what the round's form writes (a corrupted row). */
export class RoundSettingsError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function text(o: Record<string, unknown>, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length === 0) throw new RoundSettingsError(`${what}.${key}`);
  return v;
}

function whole(o: Record<string, unknown>, key: string, what: string): number {
  const v = o[key];
  if (!isCount(v)) throw new RoundSettingsError(`${what}.${key}`);
  return v;
}

export function parseTiers(value: unknown): Tier[] {
  if (!Array.isArray(value)) throw new RoundSettingsError('tiers');
  return value.map((t, i) => {
    if (!isObject(t)) throw new RoundSettingsError(`tiers[${i}]`);
    const w = `tiers[${i}]`;
    return {
      key: text(t, 'key', w),
      nameZh: typeof t.nameZh === 'string' ? t.nameZh : text(t, 'key', w),
      nameEn: typeof t.nameEn === 'string' ? t.nameEn : text(t, 'key', w),
      amountMinor: whole(t, 'amountMinor', w),
      count: whole(t, 'count', w),
    };
  });
}

export function parseTrancheSchedule(value: unknown): TrancheStep[] {
  if (!Array.isArray(value) || value.length === 0) throw new RoundSettingsError('tranche_schedule');
  const steps = value.map((s, i) => {
    const w = `tranche_schedule[${i}]`;
    if (!isObject(s)) throw new RoundSettingsError(w);
    const unlock = s.unlock;
    if (!(TRANCHE_UNLOCKS as readonly unknown[]).includes(unlock))
      throw new RoundSettingsError(`${w}.unlock`);
    const percent = whole(s, 'percent', w);
    if (percent < 1 || percent > 100) throw new RoundSettingsError(`${w}.percent`);
    return { key: text(s, 'key', w), percent, unlock: unlock as TrancheUnlock };
  });
  if (steps.reduce((sum, s) => sum + s.percent, 0) !== 100)
    throw new RoundSettingsError('tranche_schedule percents');
  return steps;
}

export function parseTargetDays(value: unknown): TargetDays {
  if (!isObject(value)) throw new RoundSettingsError('target_days');
  return {
    review: whole(value, 'review', 'target_days'),
    decision: whole(value, 'decision', 'target_days'),
    payment: whole(value, 'payment', 'target_days'),
    report: whole(value, 'report', 'target_days'),
  };
}

/** `from` plus `days` calendar days (the due date of a step). */
export function dueAfter(from: Date, days: number): Date {
  return new Date(from.getTime() + days * 86_400_000);
}

// ------------------------------------------------------------------------------------------------
// Proposals
// ------------------------------------------------------------------------------------------------

/** Smallest construction amount that is not zero: every tranche (≥ 1%) must be at least 1 fen. */
export const MIN_CONSTRUCTION_MINOR = 100;

export function needsSecondApproval(
  designMinor: number,
  constructionMinor: number,
  secondApprovalAboveMinor: number,
): boolean {
  return designMinor + constructionMinor > secondApprovalAboveMinor;
}

export type CapacityVerdict =
  { allowed: true } | { allowed: false; code: 'GRANT_TIER_FULL'; words: Words };

/** A tier holds at most `count` awards that are PROPOSED or APPROVED. */
export function checkTierCapacity(tier: Tier, taken: number): CapacityVerdict {
  if (taken < tier.count) return { allowed: true };
  return {
    allowed: false,
    code: 'GRANT_TIER_FULL',
    words: words('errors.grants.tierFull', { tier: tier.key, count: tier.count, taken }),
  };
}

// ------------------------------------------------------------------------------------------------
// Four eyes
// ------------------------------------------------------------------------------------------------

export interface Approver {
  userId: string;
  roles: readonly Role[];
}

export interface AwardForApproval {
  status: AwardStatus;
  proposedBy: string;
  firstApprovedBy: string | null;
  needsSecondApproval: boolean;
}

export type ApprovalRefusal =
  | 'GRANT_AWARD_NOT_PROPOSED'
  | 'GRANT_APPROVER_ROLE'
  | 'SELF_APPROVAL'
  | 'GRANT_REVIEWER_APPROVAL'
  | 'GRANT_APPLICANT_APPROVAL'
  | 'GRANT_SAME_APPROVER';

export type AwardApprovalVerdict =
  | { allowed: true; step: 'FIRST' | 'SECOND'; complete: boolean }
  | { allowed: false; code: ApprovalRefusal; words: Words };

/**
 * Whether `approver` may approve `award` now: the status, the role, and never the proposer, a
 * reviewer of the application (any assignment, recused or not), the applicant, or the first
 * approver again. `complete` is true when this approval is the last one needed.
 */
export function checkAwardApproval(
  award: AwardForApproval,
  approver: Approver,
  parties: { applicantId: string; reviewerIds: readonly string[] },
): AwardApprovalVerdict {
  if (award.status !== 'PROPOSED') {
    return {
      allowed: false,
      code: 'GRANT_AWARD_NOT_PROPOSED',
      words: words('errors.grants.awardDecided'),
    };
  }
  const refusal = checkDecider(award, approver, parties);
  if (refusal) return refusal;
  if (award.firstApprovedBy === approver.userId) {
    return {
      allowed: false,
      code: 'GRANT_SAME_APPROVER',
      words: words('errors.grants.awardSameApprover'),
    };
  }
  if (award.firstApprovedBy === null) {
    return { allowed: true, step: 'FIRST', complete: !award.needsSecondApproval };
  }
  return { allowed: true, step: 'SECOND', complete: true };
}

/** Whether `decider` may reject the award: the same people who may approve it. */
export function checkAwardRejection(
  award: AwardForApproval,
  decider: Approver,
  parties: { applicantId: string; reviewerIds: readonly string[] },
): { allowed: true } | { allowed: false; code: ApprovalRefusal; words: Words } {
  if (award.status !== 'PROPOSED') {
    return {
      allowed: false,
      code: 'GRANT_AWARD_NOT_PROPOSED',
      words: words('errors.grants.awardDecided'),
    };
  }
  return checkDecider(award, decider, parties) ?? { allowed: true };
}

function checkDecider(
  award: AwardForApproval,
  person: Approver,
  parties: { applicantId: string; reviewerIds: readonly string[] },
): { allowed: false; code: ApprovalRefusal; words: Words } | null {
  if (!person.roles.some((r) => (AWARD_APPROVER_ROLES as readonly Role[]).includes(r))) {
    return {
      allowed: false,
      code: 'GRANT_APPROVER_ROLE',
      words: words('errors.grants.awardDeciders'),
    };
  }
  if (person.userId === award.proposedBy) {
    return {
      allowed: false,
      code: 'SELF_APPROVAL',
      words: words('errors.grants.awardSelfProposed'),
    };
  }
  if (parties.reviewerIds.includes(person.userId)) {
    return {
      allowed: false,
      code: 'GRANT_REVIEWER_APPROVAL',
      words: words('errors.grants.awardReviewer'),
    };
  }
  if (person.userId === parties.applicantId) {
    return {
      allowed: false,
      code: 'GRANT_APPLICANT_APPROVAL',
      words: words('errors.grants.awardApplicant'),
    };
  }
  return null;
}

// ------------------------------------------------------------------------------------------------
// Tranches
// ------------------------------------------------------------------------------------------------

/**
 * Each step's share of `constructionMinor`: percent / 100 floored, the last step takes the
 * remainder so the amounts add up exactly. Empty when there is no construction money.
 */
export function trancheAmounts(
  constructionMinor: number,
  schedule: readonly TrancheStep[],
): number[] {
  if (constructionMinor <= 0 || schedule.length === 0) return [];
  const amounts = schedule.map((s) => Math.floor((constructionMinor * s.percent) / 100));
  const head = amounts.slice(0, -1).reduce((a, b) => a + b, 0);
  amounts[amounts.length - 1] = constructionMinor - head;
  return amounts;
}

export interface UnlockFacts {
  awardStatus: AwardStatus;
  projectStatus: ProjectStatus;
  startAccepted: boolean;
  midtermAccepted: boolean;
}

/** Whether the condition a tranche waits for has happened. */
export function isTrancheUnlocked(unlock: TrancheUnlock, facts: UnlockFacts): boolean {
  if (facts.awardStatus !== 'APPROVED') return false;
  switch (unlock) {
    case 'AWARD':
      return true;
    case 'START':
      return facts.startAccepted;
    case 'MIDTERM':
      // A project completed without a midterm report still gets its midterm money.
      return (
        facts.midtermAccepted || ['COMPLETED', 'EVALUATED', 'CLOSED'].includes(facts.projectStatus)
      );
    case 'COMPLETION':
      return facts.projectStatus === 'EVALUATED' || facts.projectStatus === 'CLOSED';
  }
}

/** Nothing is requested or paid while the project must be rectified. */
export function isPayoutBlocked(projectStatus: ProjectStatus): boolean {
  return projectStatus === 'RECTIFICATION_REQUIRED';
}

export type TrancheAction = 'request' | 'pay' | 'reject';

const TRANCHE_TRANSITIONS: Record<TrancheStatus, Partial<Record<TrancheAction, TrancheStatus>>> = {
  SCHEDULED: { request: 'REQUESTED' },
  REQUESTED: { pay: 'PAID', reject: 'SCHEDULED' },
  PAID: {},
  REJECTED: {},
};

export function nextTrancheStatus(
  current: TrancheStatus,
  action: TrancheAction,
): TrancheStatus | null {
  return TRANCHE_TRANSITIONS[current][action] ?? null;
}

/** The project closes when it is EVALUATED and every tranche is PAID. */
export function shouldCloseProject(
  projectStatus: ProjectStatus,
  trancheStatuses: readonly TrancheStatus[],
): boolean {
  return projectStatus === 'EVALUATED' && trancheStatuses.every((s) => s === 'PAID');
}

// ------------------------------------------------------------------------------------------------
// Reports and inspections
// ------------------------------------------------------------------------------------------------

/** The project statuses in which a report of each kind may be submitted. */
const REPORT_ALLOWED_IN: Record<ReportKind, readonly ProjectStatus[]> = {
  START: ['NOT_STARTED'],
  MIDTERM: ['IN_PROGRESS'],
  COMPLETION: ['IN_PROGRESS'],
  RECTIFICATION: ['RECTIFICATION_REQUIRED'],
};

export function reportAllowed(kind: ReportKind, projectStatus: ProjectStatus): boolean {
  return REPORT_ALLOWED_IN[kind].includes(projectStatus);
}

export function reportAllowedStatuses(kind: ReportKind): readonly ProjectStatus[] {
  return REPORT_ALLOWED_IN[kind];
}

/**
 * The project status after a report of `kind` is accepted (null: unchanged). A COMPLETION report
 * completes the project only when the latest inspection PASSED.
 */
export function projectStatusAfterReport(
  current: ProjectStatus,
  kind: ReportKind,
  latestInspection: InspectionResult | null,
): ProjectStatus | null {
  if (kind === 'START' && current === 'NOT_STARTED') return 'IN_PROGRESS';
  if (kind === 'COMPLETION' && current === 'IN_PROGRESS' && latestInspection === 'PASSED')
    return 'COMPLETED';
  return null;
}

/** The project status after an inspection is recorded (null: unchanged). */
export function projectStatusAfterInspection(
  current: ProjectStatus,
  result: InspectionResult,
  completionAccepted: boolean,
): ProjectStatus | null {
  if (result === 'PASSED' && completionAccepted && current === 'IN_PROGRESS') return 'COMPLETED';
  return null;
}
