import { inAppBrowser } from '../http/in-app-browser';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { FLASH_COOKIE, SESSION_COOKIE } from '../http/cookies';
import type { CacheableRequest } from '../http/page-cache';
import { pickLocale } from '../i18n/i18n';
import { rememberedLocale } from '../views/page-context';
import { compress, COMPRESS_MIN_BYTES, negotiateEncoding, type Encoding } from './compression';
import type { Flight, PageStore } from './page-store';

/*
 * The page cache in front of the Nest pipeline (contract: ../http/page-cache.ts).
 *
 * onRequest: an anonymous GET/HEAD whose page is kept is answered here, before cookies, guards
 * or any database work: 200 with the stored bytes (gzip or brotli as stored), or 304 when
 * If-None-Match names its ETag. The first miss for a key leads; concurrent misses wait for its
 * page instead of rendering it again. A page whose data changed (stale) is still served to
 * everyone else while one visitor's request renders it again, so a campaign receiving many gifts
 * a second is rendered one at a time, never once per visitor; x-page-cache says hit, stale or
 * miss.
 * onSend (`keepPage`): the leader's answer is kept when it is a 200 the handler marked with
 * `cacheablePage`, for an anonymous visitor, and sets no cookie.
 */

export interface CachedPage {
  /** The answer's headers (content-type, CSP and the other security headers), never Set-Cookie. */
  headers: Record<string, string | string[]>;
  body: Buffer;
  gzip?: Buffer;
  br?: Buffer;
  etag: string;
}

/** Cached pages may be kept by browsers and shared caches, but are asked about every time. */
export const CACHED_PAGE_CACHE_CONTROL = 'public, max-age=0, must-revalidate';
/** The page differs by encoding, by language (Accept-Language) and for signed-in visitors. */
const CACHED_PAGE_VARY = 'accept-encoding, accept-language, cookie';

/** Headers that belong to one answer, not to the page. */
const NOT_KEPT = new Set([
  'set-cookie',
  'content-length',
  'content-encoding',
  'etag',
  'vary',
  'cache-control',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'x-page-cache',
  'x-request-id',
]);

/** Never pages: files, the JSON API, webhooks, the API docs. */
const NOT_PAGES = /^\/(static|api|webhooks)(\/|$)/;

/** How long a key whose answer was not marked cacheable skips single-flight. */
const NOT_CACHEABLE_MS = 10_000;
const NOT_CACHEABLE_MAX = 10_000;

const SIGNED_IN = new RegExp(`(?:^|;)\\s*(?:${SESSION_COOKIE}|${FLASH_COOKIE})=`);

type PageRequest = CacheableRequest & {
  pageCacheFlight?: Flight<CachedPage> & { key: string };
  csrfToken?: string;
};

/** No session, no flash message and no bearer token: the page is the same as everyone's. */
export function anonymousVisitor(request: FastifyRequest): boolean {
  if (request.headers.authorization) return false;
  const cookie = request.headers.cookie;
  return !cookie || !SIGNED_IN.test(cookie);
}

/** A page the cache may keep and serve to anyone: marked, a 200, asked for anonymously. */
export function sharedPage(request: FastifyRequest, reply: FastifyReply): boolean {
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    (request as CacheableRequest).pageCacheTags !== undefined &&
    reply.statusCode === 200 &&
    anonymousVisitor(request)
  );
}

/**
 * Scheme and host, path, query in a stable order, whether WeChat's or Alipay's in-app browser asks,
 * and the language the page will be rendered in: `?lang=`, then
 * the remembered choice, then Accept-Language (as `pageLocale`), or "default" when neither names one (the home page then
 * falls back to the foundation's language, other pages to zh-CN: either way the same bytes).
 */
export function pageKey(request: FastifyRequest): string {
  const url = request.url;
  const q = url.indexOf('?');
  const params = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  params.sort();
  // As pageLocale reads it (a repeated ?lang= is an array, which names no language).
  const lang = (request.query as Record<string, unknown> | undefined)?.lang;
  const acceptLanguage = request.headers['accept-language'];
  const remembered = rememberedLocale(request);
  const chosen = pickLocale(lang, acceptLanguage, 'zh-CN', remembered);
  const locale = chosen === pickLocale(lang, acceptLanguage, 'en', remembered) ? chosen : 'default';
  // The address reached too: a page that ever showed it (an absolute link) cannot be poisoned
  // for everyone through a forged Host header.
  const site = `${request.protocol}://${request.host}`;
  // Inside WeChat or Alipay the donation form offers that app's wallet first: its own copy.
  const app = inAppBrowser(request.headers['user-agent']);
  return `${locale}${app ? ` ${app}` : ''} ${site}${q < 0 ? url : url.slice(0, q)}?${params.toString()}`;
}

/** Whether If-None-Match names this ETag (weak comparison, as for GET). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === '*' || tag.replace(/^W\//, '') === bare);
}

export function installPageCache(
  fastify: FastifyInstance,
  store: PageStore<CachedPage>,
  warn: (message: string) => void,
): {
  keepPage: (request: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown>;
} {
  const notCacheable = new Map<string, number>();

  fastify.addHook('onRequest', async (request: PageRequest, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return;
    if (NOT_PAGES.test(request.url) || !anonymousVisitor(request)) return;
    const key = pageKey(request);
    const kept = store.get(key);
    let page = kept?.value;
    if (kept?.stale && request.method === 'GET' && !store.join(key)) {
      // Its data changed: this visitor's request renders it again; until that render is kept,
      // everyone else gets the page as it was.
      request.pageCacheFlight = { ...store.lead(key), key };
      return;
    } else if (!kept && request.method === 'GET' && !skipsFlight(key)) {
      const pending = store.join(key);
      if (!pending) {
        request.pageCacheFlight = { ...store.lead(key), key };
        return;
      }
      page = await pending;
    }
    if (!page) return;
    const body = present(request, reply, page, kept?.stale ? 'stale' : 'hit');
    return body ? reply.code(200).send(body) : reply.code(304).send();
  });

  // A leader that never reached onSend (the visitor went away) still lets its waiters go.
  const release = (request: PageRequest, _reply: FastifyReply, done: () => void) => {
    request.pageCacheFlight?.done(undefined);
    request.pageCacheFlight = undefined;
    done();
  };
  fastify.addHook('onResponse', release);
  fastify.addHook('onRequestAbort', (request: PageRequest, done) =>
    release(request, undefined as never, done),
  );

  function skipsFlight(key: string): boolean {
    const until = notCacheable.get(key);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    notCacheable.delete(key);
    return false;
  }

  /** onSend, registered by the caller after the cookie plugin's (so Set-Cookie is visible). */
  async function keepPage(request: PageRequest, reply: FastifyReply, payload: unknown) {
    const flight = request.pageCacheFlight;
    if (!flight) return payload;
    request.pageCacheFlight = undefined;
    const tags = request.pageCacheTags;
    if (
      !tags ||
      !sharedPage(request, reply) ||
      reply.hasHeader('set-cookie') ||
      (typeof payload !== 'string' && !Buffer.isBuffer(payload))
    ) {
      if (!tags) {
        if (notCacheable.size >= NOT_CACHEABLE_MAX) notCacheable.clear();
        notCacheable.set(flight.key, Date.now() + NOT_CACHEABLE_MS);
      }
      // A page kept before (now stale) is no longer what this address shows (a campaign
      // unpublished answers 404): forget it.
      store.delete(flight.key);
      flight.done(undefined);
      return payload;
    }
    const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
    // A visitor's own CSRF token must never reach the cache (cached pages carry no token).
    if (request.csrfToken && body.includes(request.csrfToken)) {
      warn(`${request.url} is marked cacheable but renders a CSRF token: not cached`);
      store.delete(flight.key);
      flight.done(undefined);
      return payload;
    }
    const page = await storedPage(reply, body);
    const size =
      body.length + (page.gzip?.length ?? 0) + (page.br?.length ?? 0) + flight.key.length + 1024;
    // A render that raced a change is kept stale: served until the next render is kept.
    store.set(flight.key, page, tags, size, flight.ticket);
    flight.done(page);
    return present(request, reply, page, 'miss') ?? body;
  }

  return { keepPage };
}

async function storedPage(reply: FastifyReply, body: Buffer): Promise<CachedPage> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value === undefined || NOT_KEPT.has(name)) continue;
    headers[name] = typeof value === 'number' ? String(value) : value;
  }
  const etag = `W/"${createHash('sha1').update(body).digest('base64url')}"`;
  if (body.length < COMPRESS_MIN_BYTES) return { headers, body, etag };
  const [gzip, br] = await Promise.all([compress(body, 'gzip'), compress(body, 'br')]);
  return { headers, body, etag, gzip, br };
}

/**
 * Sets the cached page's headers on this answer; returns the bytes to send in the encoding the
 * visitor accepts, or null when If-None-Match already names the page (304, no body).
 */
function present(
  request: FastifyRequest,
  reply: FastifyReply,
  page: CachedPage,
  state: 'hit' | 'stale' | 'miss',
): Buffer | null {
  void reply.headers(page.headers);
  void reply.header('cache-control', CACHED_PAGE_CACHE_CONTROL);
  void reply.header('etag', page.etag);
  void reply.header('vary', CACHED_PAGE_VARY);
  void reply.header('x-page-cache', state);
  if (state !== 'miss' && etagMatches(request.headers['if-none-match'], page.etag)) {
    void reply.removeHeader('content-type');
    return null;
  }
  const encoding: Encoding | null = negotiateEncoding(request.headers['accept-encoding']);
  const encoded = encoding ? page[encoding] : undefined;
  if (encoding && encoded) void reply.header('content-encoding', encoding);
  const body = encoded ?? page.body;
  void reply.header('content-length', body.length);
  return body;
}
