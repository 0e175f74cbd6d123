import type { Role } from '../../common/auth/roles';
import { RequestContext } from '../../common/context/request-context';
import { ForbiddenError } from '../../common/errors';
import { words } from '../../common/i18n/i18n';

/** The signed-in person acting on grants: grants are decided by people, never by the system. */
export interface GrantPerson {
  userId: string;
  name: string;
  roles: readonly Role[];
  communityIds: readonly string[];
  fundIds: readonly string[];
}

export function currentPerson(): GrantPerson {
  const actor = RequestContext.current()?.actor;
  if (actor?.kind !== 'user') throw new ForbiddenError(words('errors.grants.forbidden.signedIn'));
  return {
    userId: actor.userId,
    name: actor.name,
    roles: actor.roles,
    communityIds: actor.communityIds,
    fundIds: actor.fundIds,
  };
}

export const OFFICER_ROLES: readonly Role[] = ['ADMIN', 'GRANTS_OFFICER'];
/** Staff who read every application and review: officers and finance (approvers). */
export const GRANT_STAFF_ROLES: readonly Role[] = ['ADMIN', 'GRANTS_OFFICER', 'FINANCE'];
export const APPLICANT_ROLES: readonly Role[] = ['PLANNER', 'COMMUNITY_LEADER'];

export const holds = (person: GrantPerson, roles: readonly Role[]): boolean =>
  person.roles.some((r) => roles.includes(r));

/** The person, refused unless they hold one of `roles`. */
export function requirePerson(roles: readonly Role[]): GrantPerson {
  const person = currentPerson();
  if (!holds(person, roles)) {
    throw new ForbiddenError(
      words('errors.grants.forbidden.roles', {
        roles: roles.map((r) => words(`admin.role.${r}`)),
      }),
    );
  }
  return person;
}

/**
 * The grantee side of a project: its applicant, or a PLANNER / COMMUNITY_LEADER of its community.
 */
export function isGranteeSide(
  person: GrantPerson,
  application: { applicantId: string; communityId: string },
): boolean {
  if (person.userId === application.applicantId) return true;
  return holds(person, APPLICANT_ROLES) && person.communityIds.includes(application.communityId);
}
