/**
 * Overdue grant work and who must act on it. Pure: no Nest, no TypeORM.
 *
 * Each step has a due date (the round's target days; expenses 5 days). An item is overdue when its
 * due date has passed and it still waits for someone:
 *
 * | kind        | waiting                                   | due column        | who must act                          |
 * | ----------- | ----------------------------------------- | ----------------- | ------------------------------------- |
 * | review      | an assignment still ASSIGNED              | due_at            | the assigned reviewer                 |
 * | application | SUBMITTED or UNDER_REVIEW                 | decision_due_at   | GRANTS_OFFICER (not the applicant)    |
 * | award       | PROPOSED                                  | decision_due_at   | FINANCE (not proposer, 1st approver, applicant) |
 * | tranche     | REQUESTED                                 | payment_due_at    | FINANCE (not the requester)           |
 * | report      | SUBMITTED                                 | decision_due_at   | GRANTS_OFFICER (not the submitter)    |
 * | expense     | REQUESTED                                 | payment_due_at    | FINANCE (not the requester)           |
 * | evaluation  | OPEN                                      | closes_at         | GRANTS_OFFICER                        |
 *
 * When nobody holds the role (or everyone who does is excluded), the active ADMINs are reminded
 * instead, so an overdue item never goes unreminded.
 */
import type { Role } from '../../../common/auth/roles';

export const OVERDUE_KINDS = [
  'review',
  'application',
  'award',
  'tranche',
  'report',
  'expense',
  'evaluation',
] as const;
export type OverdueKind = (typeof OVERDUE_KINDS)[number];

/** One overdue item, as the repository reads it. */
export interface OverdueItem {
  kind: OverdueKind;
  id: string;
  /** The project's title (an expense: its purpose). */
  title: string;
  /** A tranche's number within its award; null for other kinds. */
  seq: number | null;
  dueAt: Date;
  roundId: string | null;
  /** The fund of an expense; null for other kinds. */
  fundId: string | null;
  /** The person the item is assigned to (a review's reviewer); null when a role acts. */
  assigneeId: string | null;
  /** People who may not act on it (requester, proposer, submitter, applicant). */
  excludedUserIds: string[];
}

/** Someone who may be reminded. */
export interface Person {
  id: string;
  email: string;
  name: string;
  locale: 'zh-CN' | 'en';
  roles: Role[];
}

/** The role that acts on each kind ('assignee': the person named on the item). */
export const WHO_ACTS: Record<OverdueKind, Role | 'assignee'> = {
  review: 'assignee',
  application: 'GRANTS_OFFICER',
  award: 'FINANCE',
  tranche: 'FINANCE',
  report: 'GRANTS_OFFICER',
  expense: 'FINANCE',
  evaluation: 'GRANTS_OFFICER',
};

/** The people to remind about an item, by email order; ADMINs stand in when no one holds the role. */
export function recipientsFor(item: OverdueItem, people: readonly Person[]): Person[] {
  const who = WHO_ACTS[item.kind];
  if (who === 'assignee') return people.filter((p) => p.id === item.assigneeId);
  const allowed = people.filter((p) => !item.excludedUserIds.includes(p.id));
  const holders = allowed.filter((p) => p.roles.includes(who));
  const chosen = holders.length > 0 ? holders : allowed.filter((p) => p.roles.includes('ADMIN'));
  return [...chosen].sort((a, b) => a.email.localeCompare(b.email));
}

/** Whole 24-hour days past due at `now` (0 during the first day after the due time). */
export function daysOverdue(dueAt: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - dueAt.getTime()) / 86_400_000));
}

/**
 * The outbox key of one reminder: `reminder:<kind>:<id>:<yyyy-mm-dd>` (the Beijing date) and the
 * recipient, so each person gets one email per item per day however often the job runs.
 */
export function reminderKey(kind: OverdueKind, id: string, date: string, userId: string): string {
  return `reminder:${kind}:${id}:${date}:${userId}`;
}

/** The Beijing (Asia/Shanghai) calendar date of an instant, as yyyy-mm-dd. */
export function beijingDate(instant: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
}
