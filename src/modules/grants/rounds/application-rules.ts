/**
 * Grant applications: their lifecycle and budget lines. Pure: no Nest, no TypeORM.
 *
 * DRAFT (the applicant edits) → SUBMITTED (locked; decision due `targetDays.decision` days after
 * submission) → UNDER_REVIEW (a first reviewer assigned) → SHORTLISTED | DECLINED (the officer
 * decides, from SUBMITTED or UNDER_REVIEW). SHORTLISTED → AWARDED is the awards part's, when its
 * award is fully approved.
 */

export const APPLICATION_STATUSES = [
  'DRAFT',
  'SUBMITTED',
  'UNDER_REVIEW',
  'SHORTLISTED',
  'AWARDED',
  'DECLINED',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

export type ApplicationAction = 'submit' | 'assign' | 'shortlist' | 'decline';

const TRANSITIONS: Record<
  ApplicationAction,
  Partial<Record<ApplicationStatus, ApplicationStatus>>
> = {
  submit: { DRAFT: 'SUBMITTED' },
  // Assigning a reviewer: the first one moves the application under review; later ones keep it.
  assign: { SUBMITTED: 'UNDER_REVIEW', UNDER_REVIEW: 'UNDER_REVIEW' },
  shortlist: { SUBMITTED: 'SHORTLISTED', UNDER_REVIEW: 'SHORTLISTED' },
  // A shortlisted application is declined when it will not be awarded (no live award: checked by the service).
  decline: { SUBMITTED: 'DECLINED', UNDER_REVIEW: 'DECLINED', SHORTLISTED: 'DECLINED' },
};

export function nextApplicationStatus(
  current: ApplicationStatus,
  action: ApplicationAction,
): ApplicationStatus | null {
  return TRANSITIONS[action][current] ?? null;
}

export interface BudgetLine {
  item: string;
  amountMinor: number;
}

export const MAX_BUDGET_LINES = 50;

/** The total of the budget lines (each already validated: 1–200 characters, amount > 0). */
export function budgetTotal(lines: readonly BudgetLine[]): number {
  return lines.reduce((sum, l) => sum + l.amountMinor, 0);
}
