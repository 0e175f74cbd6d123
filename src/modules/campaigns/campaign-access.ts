import { words, type Words } from '../../common/i18n/i18n';
import type { Role } from '../../common/auth/roles';
import type { Actor } from '../../common/context/request-context';
import { type DomainError, ForbiddenError, UnauthenticatedError } from '../../common/errors';
import type { CampaignEditor } from './campaign-status';

/**
 * Who may do what with campaigns, as one pure function of the actor (passed in by the route, never
 * read from request-wide context). Staff (and the CLI) work on any campaign; a community leader on
 * campaigns of the funds in their scope; only ADMIN and FINANCE publish and end.
 */

/** Staff who create and edit any campaign; only ADMIN and FINANCE publish and end. */
export const CAMPAIGN_STAFF_ROLES: readonly Role[] = ['ADMIN', 'FINANCE', 'GRANTS_OFFICER'];
export const CAMPAIGN_PUBLISHER_ROLES: readonly Role[] = ['ADMIN', 'FINANCE'];

export type CampaignAccess =
  /** Create a campaign on this fund, edit one of it, post its news, change its cover. */
  | { action: 'edit'; fundId: string }
  /** Publish or end. */
  | { action: 'publish' }
  /** See a draft of this fund (anyone else gets the 404 of a campaign that does not exist). */
  | { action: 'see-draft'; fundId: string }
  /** List drafts: staff see all, a community leader those of their funds. */
  | { action: 'list-drafts' };

export type CampaignAccessAnswer =
  | { allowed: true; editor?: CampaignEditor; fundIds?: readonly string[] }
  | { allowed: false; words: Words };

const NOT_YOUR_FUND = words('errors.campaigns.notYourFund');

/** Pure: whether `actor` may do `access`, and as what (the editor kind, a leader's funds). */
export function campaignAccess(
  actor: Actor | undefined,
  access: CampaignAccess,
): CampaignAccessAnswer {
  switch (access.action) {
    case 'edit':
    case 'see-draft': {
      const editor = editorKind(actor, access.fundId);
      return editor ? { allowed: true, editor } : { allowed: false, words: NOT_YOUR_FUND };
    }
    case 'publish':
      return actor?.kind === 'system' || hasAnyRole(actor, CAMPAIGN_PUBLISHER_ROLES)
        ? { allowed: true }
        : { allowed: false, words: words('errors.campaigns.publishers') };
    case 'list-drafts':
      if (isStaff(actor)) return { allowed: true };
      if (actor?.kind === 'user' && actor.roles.includes('COMMUNITY_LEADER')) {
        return { allowed: true, fundIds: actor.fundIds };
      }
      return {
        allowed: false,
        words: words('errors.campaigns.draftsListed'),
      };
  }
}

/** The answer, or the error to throw: 403 for a signed-in user, 401 for anyone else. */
export function assertCampaignAccess(
  actor: Actor | undefined,
  access: CampaignAccess,
): Extract<CampaignAccessAnswer, { allowed: true }> {
  const answer = campaignAccess(actor, access);
  if (answer.allowed) return answer;
  throw denied(actor, answer.words);
}

/** Whose name goes on what is created (a user's id; the CLI and tests write none). */
export function actorUserId(actor: Actor | undefined): string | null {
  return actor?.kind === 'user' ? actor.userId : null;
}

function editorKind(actor: Actor | undefined, fundId: string): CampaignEditor | null {
  if (isStaff(actor)) return 'staff';
  if (
    actor?.kind === 'user' &&
    actor.roles.includes('COMMUNITY_LEADER') &&
    actor.fundIds.includes(fundId)
  ) {
    return 'leader';
  }
  return null;
}

function isStaff(actor: Actor | undefined): boolean {
  return actor?.kind === 'system' || hasAnyRole(actor, CAMPAIGN_STAFF_ROLES);
}

function hasAnyRole(actor: Actor | undefined, roles: readonly Role[]): boolean {
  return actor?.kind === 'user' && actor.roles.some((r) => roles.includes(r));
}

function denied(actor: Actor | undefined, reason: Words): DomainError {
  return actor?.kind === 'user'
    ? new ForbiddenError(reason)
    : new UnauthenticatedError(words('errors.signInFirstThen', { reason }));
}
