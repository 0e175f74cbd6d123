/**
 * Releases of restricted money: their lifecycle and who may decide them. Pure: no Nest, no TypeORM.
 *
 * A release is requested by an ADMIN or FINANCE user with a reason (PENDING), then approved by a
 * second person holding the other role, never the requester (POSTED, in the transaction that
 * posts it), or rejected (REJECTED, moving nothing) by any ADMIN or FINANCE user, the requester
 * included (withdrawing it). POSTED and REJECTED are final.
 */
import type { Role } from '../../common/auth/roles';
import { words, type Words } from '../../common/i18n/i18n';

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
  | { allowed: false; code: 'SELF_APPROVAL' | 'SAME_ROLE_APPROVAL'; words: Words };

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
      words: words('errors.allocations.selfApproval'),
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
      words: words('errors.allocations.sameRole', {
        needed: words(`errors.allocations.approver.${needed}`),
      }),
    };
  }
  return { allowed: true };
}
