import type { FastifyReply } from 'fastify';
import type { Actor } from '../../common/context/request-context';
import { DomainError, ERROR_HTTP_STATUS } from '../../common/errors';
import type { FieldErrors } from '../../common/http/forms';
import { SUPPORTED_LOCALES, translate, type SupportedLocale } from '../../common/i18n/i18n';
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
  if (actor?.kind !== 'user') throw new DomainError('UNAUTHENTICATED', 'Sign in first.');
  return actor;
}

/** Renders a back-office page. Never cached: these pages carry money and people's data. */
export function renderAdmin(
  reply: FastifyReply,
  ctx: AdminContext,
  page: string,
  data: object,
  status = 200,
) {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .view(page, { ...ctx, ...data });
}

/** Field messages are locale keys (admin.errors.*); anything else is shown as written. */
export function localizeErrors(errors: FieldErrors, locale: SupportedLocale): FieldErrors {
  return Object.fromEntries(
    Object.entries(errors).map(([field, key]) => [field, translate(locale, key)]),
  );
}

/**
 * A domain error as a sentence for the page: the service's own message (English, with the
 * specifics), after a translation of its code (`admin.domainErrors.<CODE>`) where the locale has
 * one (zh-CN does; en needs none).
 */
export function domainErrorText(error: DomainError, locale: SupportedLocale): string {
  const key = `admin.domainErrors.${error.code}`;
  const text = translate(locale, key);
  return text === key ? error.message : `${text} (${error.message})`;
}

/**
 * Shows a domain error on the form it came from, through the form's `again` (render it once
 * more): beside the field `fieldByCode` names for the error's code, or above the form. Anything
 * that is not a domain error is rethrown for the error filter.
 */
export function showDomainError<T>(
  error: unknown,
  locale: SupportedLocale,
  fieldByCode: Partial<Record<string, string>>,
  again: (errors: FieldErrors, status: number, formError?: string) => T,
): T {
  if (!(error instanceof DomainError)) throw error;
  const message = domainErrorText(error, locale);
  const field = fieldByCode[error.code];
  return field
    ? again({ [field]: message }, domainErrorStatus(error))
    : again({}, domainErrorStatus(error), message);
}

/** The HTTP status a form shows a domain error with (409, 422…). */
export function domainErrorStatus(error: DomainError): number {
  return ERROR_HTTP_STATUS[error.code];
}

/** The form's raw text values, to show again as typed (never the CSRF token). */
export function typedValues(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object') return {};
  const { _csrf: _token, ...values } = body as Record<string, unknown>;
  return values;
}

/** Checkboxes and multi-selects: absent → [], one value → [value]. */
export function withLists(body: unknown, fields: readonly string[]): Record<string, unknown> {
  const values = typedValues(body);
  for (const field of fields) {
    const v = values[field];
    values[field] =
      v === undefined || v === '' ? [] : Array.isArray(v) ? v.filter((x) => x !== '') : [v];
  }
  return values;
}
