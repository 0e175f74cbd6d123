/**
 * Releases of restricted money: their lifecycle and who may decide them. Pure: no Nest, no TypeORM.
 *
 * A release is requested by an ADMIN or FINANCE user with a reason (PENDING), then approved by a
 * second person holding the other role, never the requester (POSTED, in the transaction that
 * posts it), or rejected (REJECTED, moving nothing) by any ADMIN or FINANCE user, the requester
 * included (withdrawing it). POSTED and REJECTED are final.
 */
import type { Role } from '../../common/auth/roles';

export const RELEASE_STATUSES = ['PENDING', 'POSTED', 'REJECTED'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];
export type ReleaseAction = 'approve' | 'reject';

const TRANSITIONS: Record<ReleaseStatus, Partial<Record<ReleaseAction, ReleaseStatus>>> = {
  PENDING: { approve: 'POSTED', reject: 'REJECTED' },
  POSTED: {},
  REJECTED: {},
};

export function nextReleaseStatus(
  current: ReleaseStatus,
  action: ReleaseAction,
): ReleaseStatus | null {
  return TRANSITIONS[current][action] ?? null;
}

/** The two roles a release needs, one person each. */
export const RELEASE_ROLES = ['ADMIN', 'FINANCE'] as const satisfies readonly Role[];

export interface Decider {
  userId: string;
  roles: readonly Role[];
}

export type ApprovalVerdict =
  | { allowed: true }
  | { allowed: false; code: 'SELF_APPROVAL' | 'SAME_ROLE_APPROVAL'; message: string };

const has = (roles: readonly Role[], role: Role) => roles.includes(role);

/**
 * Whether `approver` may approve what `requester` asked for: two different people who between
 * them are ADMIN and FINANCE (one of them each). `requester.roles` are the roles the requester
 * held when asking.
 */
export function checkApproval(requester: Decider, approver: Decider): ApprovalVerdict {
  if (requester.userId === approver.userId) {
    return {
      allowed: false,
      code: 'SELF_APPROVAL',
      message: 'You asked for this release; a second person (of the other role) must approve it.',
    };
  }
  const coversBoth =
    (has(requester.roles, 'ADMIN') && has(approver.roles, 'FINANCE')) ||
    (has(requester.roles, 'FINANCE') && has(approver.roles, 'ADMIN'));
  if (!coversBoth) {
    const needed = has(requester.roles, 'ADMIN') ? 'FINANCE' : 'ADMIN';
    return {
      allowed: false,
      code: 'SAME_ROLE_APPROVAL',
      message: `A release needs one ADMIN and one FINANCE: it was requested by ${requester.roles.filter((r) => (RELEASE_ROLES as readonly Role[]).includes(r)).join(' and ') || 'neither'}, so ${needed === 'ADMIN' ? 'an ADMIN' : 'a FINANCE'} user must approve it.`,
    };
  }
  return { allowed: true };
}
