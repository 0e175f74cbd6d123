import type { FastifyReply } from 'fastify';
import type { Actor } from '../../common/context/request-context';
import { UnauthenticatedError } from '../../common/errors/common.errors';
import { pageContext, type PageContext } from '../../common/views/page-context';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { adminNav, type NavItem } from './admin-nav';

export type AdminContext = PageContext & { nav: NavItem[] };
export type UserActor = Extract<Actor, { kind: 'user' }>;

/**
 * The page context of a back-office page: the common one plus the navigation for the user's
 * roles. The language chosen with the switch (?lang=) is remembered for every page
 * (language-cookie.ts), so links and form posts that carry no ?lang stay in it.
 */
export function adminContext(req: AuthenticatedRequest, reply: FastifyReply): AdminContext {
  // Never cached: these pages carry money and people's data.
  void reply.header('cache-control', 'no-store');
  const ctx = pageContext(req, reply);
  return { ...ctx, nav: adminNav(ctx.user?.roles ?? [], ctx.path) };
}

/** The signed-in user; the policy guard has already refused anyone else. */
export function currentUser(req: AuthenticatedRequest): UserActor {
  const actor = req.actor;
  if (actor?.kind !== 'user') throw new UnauthenticatedError();
  return actor;
}
