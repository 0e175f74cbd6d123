import { RequestContext } from '../../../common/context/request-context';
import type { Role } from '../../../common/auth/roles';
import { ForbiddenError } from '../../../common/errors';

/** The signed-in person acting on an award, a tranche or a report. */
export interface GrantActor {
  userId: string;
  roles: readonly Role[];
  communityIds: readonly string[];
}

/** Awards, tranches and reports are moved by signed-in people, never anonymously. */
export function currentGrantActor(): GrantActor {
  const actor = RequestContext.current()?.actor;
  if (actor?.kind !== 'user')
    throw new ForbiddenError('Awards, tranches and reports are handled by signed-in people.');
  return { userId: actor.userId, roles: actor.roles, communityIds: actor.communityIds };
}

export const holds = (actor: GrantActor, roles: readonly Role[]): boolean =>
  actor.roles.some((r) => roles.includes(r));

/**
 * The grantee side of a project: its applicant, or a PLANNER / COMMUNITY_LEADER of its community.
 */
export function isGranteeSide(
  actor: GrantActor,
  application: { applicantId: string; communityId: string },
): boolean {
  if (actor.userId === application.applicantId) return true;
  return (
    holds(actor, ['PLANNER', 'COMMUNITY_LEADER']) &&
    actor.communityIds.includes(application.communityId)
  );
}
