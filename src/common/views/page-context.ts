import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../auth/roles';
import { type Actor } from '../context/request-context';
import { FLASH_COOKIE, LOCALE_COOKIE } from '../http/cookies';
import { isWellFormedText } from '../http/input-shape';
import { pickLocale, type SupportedLocale } from '../i18n/i18n';

export interface Flash {
  kind: 'success' | 'error' | 'info';
  /** A locale key (templates/locales) or plain text. */
  text: string;
}

/** What every page template can rely on: locale, CSRF token, who is signed in, a flash message. */
export interface PageContext {
  locale: SupportedLocale;
  otherLocale: SupportedLocale;
  /** The current path with the other locale, for the language switch. */
  switchLocaleUrl: string;
  csrfToken: string;
  path: string;
  /** The public header's section this page belongs to (marked aria-current), or null. */
  section: PublicSection | null;
  user: {
    name: string;
    email: string;
    roles: Role[];
    isAdmin: boolean;
    isStaff: boolean;
    isLeader: boolean;
  } | null;
  donor: { email: string } | null;
  flash: Flash | null;
}

export type PublicSection = 'campaigns' | 'funds' | 'projects' | 'donor' | 'signIn';

/** Which header link a public path sits under: /campaigns/…, /funds/…, /projects/…, /donor/…. */
export function publicSection(path: string): PublicSection | null {
  const first = path.split('/')[1] ?? '';
  const sections: Record<string, PublicSection> = {
    campaigns: 'campaigns',
    funds: 'funds',
    projects: 'projects',
    donor: 'donor',
    login: 'signIn',
  };
  return sections[first] ?? null;
}

type PageRequest = FastifyRequest & { actor?: Actor; csrfToken?: string };

/** The reader's language: ?lang=, then the remembered choice (cookie), then Accept-Language, then zh-CN. */
export function pageLocale(request: FastifyRequest): SupportedLocale {
  const query = request.query as Record<string, unknown> | undefined;
  return pickLocale(
    query?.lang,
    request.headers['accept-language'],
    'zh-CN',
    rememberedLocale(request),
  );
}

/** The language the visitor chose with the switch (the `lx_lang` cookie), read from the header. */
export function rememberedLocale(request: FastifyRequest): string | undefined {
  const parsed = (request.cookies as Record<string, string | undefined> | undefined)?.[
    LOCALE_COOKIE
  ];
  if (parsed !== undefined) return parsed;
  // Before the cookie plugin has run (the page cache's hook): read the header itself.
  const match = new RegExp(`(?:^|;)\\s*${LOCALE_COOKIE}=([A-Za-z-]{2,5})`).exec(
    request.headers.cookie ?? '',
  );
  return match?.[1];
}

export function pageContext(request: PageRequest, reply: FastifyReply): PageContext {
  const locale = pageLocale(request);
  const otherLocale: SupportedLocale = locale === 'en' ? 'zh-CN' : 'en';
  const url = new URL(request.url, 'http://x');
  url.searchParams.set('lang', otherLocale);
  const actor = request.actor;
  return {
    locale,
    otherLocale,
    switchLocaleUrl: `${url.pathname}${url.search}`,
    csrfToken: request.csrfToken ?? '',
    path: url.pathname,
    section: publicSection(url.pathname),
    user:
      actor?.kind === 'user'
        ? {
            name: actor.name,
            email: actor.email,
            roles: [...actor.roles],
            isAdmin: actor.roles.includes('ADMIN'),
            isStaff: actor.roles.some((r) => r !== 'COMMUNITY_LEADER'),
            isLeader: actor.roles.includes('COMMUNITY_LEADER'),
          }
        : null,
    donor: actor?.kind === 'donor' ? { email: actor.email } : null,
    flash: takeFlash(request, reply),
  };
}

/** A one-shot message shown on the next page (after a redirect). */
export function setFlash(reply: FastifyReply, flash: Flash): void {
  void reply.setCookie(FLASH_COOKIE, Buffer.from(JSON.stringify(flash)).toString('base64url'), {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge: 60,
  });
}

function takeFlash(request: FastifyRequest, reply: FastifyReply): Flash | null {
  const raw = request.cookies?.[FLASH_COOKIE];
  if (!raw) return null;
  void reply.clearCookie(FLASH_COOKIE, { path: '/' });
  try {
    const flash = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Flash;
    return ['success', 'error', 'info'].includes(flash.kind) && typeof flash.text === 'string'
      ? flash
      : null;
  } catch {
    return null;
  }
}

/**
 * Only same-site paths may be redirect targets (`/admin`, not `//evil.example` or `https://…`).
 * The path comes back percent-encoded (`/中文` → `/%E4%B8%AD%E6%96%87`): it goes into a Location
 * header, which takes ASCII only.
 */
export function safeNext(next: unknown, fallback: string): string {
  // A single leading slash, then no slash or backslash, and no whitespace or control characters
  // anywhere (browsers drop tabs and newlines, turning "/\t/evil.example" into "//evil.example").
  if (typeof next !== 'string' || next.length > 500 || !/^\/(?![/\\])\S*$/.test(next))
    return fallback;
  if (!isWellFormedText(next)) return fallback;
  return [...next].every((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f)
    ? encodeLocation(next)
    : fallback;
}

/**
 * A redirect target as a Location header may carry it: every character outside printable ASCII
 * percent-encoded as UTF-8 (a lone surrogate as U+FFFD); what is already ASCII is left alone.
 */
export function encodeLocation(location: string): string {
  return location.replace(/[^\x21-\x7e]/gu, (c) =>
    isWellFormedText(c) ? encodeURIComponent(c) : '%EF%BF%BD',
  );
}
