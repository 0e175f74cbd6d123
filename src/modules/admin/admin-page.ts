import type { FastifyReply } from 'fastify';
import type { Actor } from '../../common/context/request-context';
import { UnauthenticatedError } from '../../common/errors/common.errors';
import { SUPPORTED_LOCALES, type SupportedLocale } from '../../common/i18n/i18n';
import { pageContext, type PageContext } from '../../common/views/page-context';
import type { AuthenticatedRequest } from '../accounts/auth.guard';
import { adminNav, type NavItem } from './admin-nav';

export type AdminContext = PageContext & { nav: NavItem[] };
export type UserActor = Extract<Actor, { kind: 'user' }>;

/** Remembers the language chosen with ?lang= across back-office pages and form posts. */
export const LOCALE_COOKIE = 'lx_lang';

/**
 * The page context of a back-office page: the common one plus the navigation for the user's
 * roles. The language chosen with the switch (?lang=) is kept in a cookie, so links and form
 * posts that carry no ?lang stay in it.
 */
export function adminContext(req: AuthenticatedRequest, reply: FastifyReply): AdminContext {
  // Never cached: these pages carry money and people's data.
  void reply.header('cache-control', 'no-store');
  const ctx = pageContext(req, reply);
  const asked = (req.query as Record<string, unknown> | undefined)?.lang;
  if (isLocale(asked)) {
    if (req.cookies?.[LOCALE_COOKIE] !== asked) {
      void reply.setCookie(LOCALE_COOKIE, asked, {
        path: '/',
        sameSite: 'lax',
        httpOnly: true,
        maxAge: 365 * 86_400,
      });
    }
  } else {
    const kept = req.cookies?.[LOCALE_COOKIE];
    if (isLocale(kept) && kept !== ctx.locale) {
      const url = new URL(req.url, 'http://x');
      url.searchParams.set('lang', ctx.locale);
      Object.assign(ctx, {
        locale: kept,
        otherLocale: ctx.locale,
        switchLocaleUrl: `${url.pathname}${url.search}`,
      });
    }
  }
  return { ...ctx, nav: adminNav(ctx.user?.roles ?? [], ctx.path) };
}

function isLocale(value: unknown): value is SupportedLocale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/** The signed-in user; the policy guard has already refused anyone else. */
export function currentUser(req: AuthenticatedRequest): UserActor {
  const actor = req.actor;
  if (actor?.kind !== 'user') throw new UnauthenticatedError();
  return actor;
}
