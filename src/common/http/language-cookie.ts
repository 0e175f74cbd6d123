import type { FastifyReply, FastifyRequest } from 'fastify';
import { isSupportedLocale, pickLocale } from '../i18n/i18n';
import { rememberedLocale } from '../views/page-context';
import { LOCALE_COOKIE } from './cookies';

/** A year: a visitor who chose a language keeps it on this device. */
const REMEMBER_SECONDS = 365 * 24 * 3600;

/** Files, the JSON API and webhooks have no language switch. */
const NOT_PAGES = /^\/(static|api|webhooks|health)(\/|$)/;

/**
 * onSend: a page asked for with `?lang=` (the language switch, a shared link, an email's link)
 * in a language other than the one the visitor would get without it remembers that language in
 * the `lx_lang` cookie, so a typed address or a later link without `?lang=` opens in it too. (A
 * Chinese phone following a Chinese link gets no cookie: most answers on a giving day carry none.) Registered after the page cache keeps a page: the cookie is the
 * visitor's, never part of a kept page.
 */
export function rememberLanguage(secure: boolean) {
  return (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    done: (err: null, p: unknown) => void,
  ) => {
    const lang = (request.query as Record<string, unknown> | undefined)?.lang;
    if (
      request.method === 'GET' &&
      isSupportedLocale(lang) &&
      !NOT_PAGES.test(request.url) &&
      pickLocale(
        undefined,
        request.headers['accept-language'],
        'zh-CN',
        rememberedLocale(request),
      ) !== lang
    ) {
      void reply.header(
        'set-cookie',
        request.server.serializeCookie(LOCALE_COOKIE, lang, {
          path: '/',
          maxAge: REMEMBER_SECONDS,
          sameSite: 'lax',
          secure,
          httpOnly: true,
        }),
      );
    }
    done(null, payload);
  };
}
