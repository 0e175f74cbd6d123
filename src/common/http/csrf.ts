import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { CsrfFailedError } from '../errors';
import { sharedPage } from '../page-cache/page-cache.hooks';
import { CSRF_COOKIE } from './cookies';

export type CsrfRequest = FastifyRequest & { csrfToken?: string; csrfTokenIsNew?: boolean };

const SAME_ORIGIN_FORM = 'csrf:same-origin-form';

/**
 * The form behind this route sits on cached public pages, which carry no per-visitor token: the
 * browser's own Sec-Fetch-Site / Origin headers prove where the post came from instead. Only for
 * forms an attacker gains nothing by forging (the donation form starts a pending gift, nothing
 * more); a post with neither header still needs the double-submit token.
 */
export const SameOriginForm = () => SetMetadata(SAME_ORIGIN_FORM, true);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Routes that never rely on cookies: bearer-token API, signed webhooks, and the sandbox's fake
 * Alipay gateway and WeChat Pay API (signed calls from the adapters, server to server).
 */
function exempt(url: string): boolean {
  return (
    url.startsWith('/api/') ||
    url.startsWith('/webhooks/') ||
    url.startsWith('/sandbox/alipay/gateway.do') ||
    url.startsWith('/sandbox/wechatpay/v3/')
  );
}

/**
 * onRequest hook: every page visitor has a CSRF token (`request.csrfToken`), which pages render
 * into their forms: the one in their cookie, or a new random one.
 */
export function readCsrfToken(request: CsrfRequest, _reply: FastifyReply, done: () => void): void {
  if (!exempt(request.url)) {
    const token = request.cookies?.[CSRF_COOKIE];
    if (token && /^[\w-]{32,64}$/.test(token)) {
      request.csrfToken = token;
    } else {
      request.csrfToken = randomBytes(32).toString('base64url');
      request.csrfTokenIsNew = true;
    }
  }
  done();
}

/**
 * onSend hook: a new token goes out in an httpOnly, SameSite=Strict cookie, except on a page the
 * page cache shares between visitors (it carries no token and must set no cookie).
 */
export function issueCsrfCookie(secure: boolean) {
  return (
    request: CsrfRequest,
    reply: FastifyReply,
    payload: unknown,
    done: (err: null, payload: unknown) => void,
  ): void => {
    if (request.csrfTokenIsNew && request.csrfToken && !sharedPage(request, reply)) {
      void reply.header(
        'set-cookie',
        request.server.serializeCookie(CSRF_COOKIE, request.csrfToken, {
          httpOnly: true,
          sameSite: 'strict',
          secure,
          path: '/',
        }),
      );
    }
    done(null, payload);
  };
}

/**
 * Double-submit check for every state-changing page request: the form's `_csrf` field (or an
 * `x-csrf-token` header) must equal the cookie, which another site can neither read nor set.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<CsrfRequest>();
    if (SAFE_METHODS.has(request.method) || exempt(request.url)) return true;
    const sameOriginForm = this.reflector.getAllAndOverride<boolean>(SAME_ORIGIN_FORM, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (sameOriginForm) {
      const verdict = fromOrigin(request, this.config.publicUrl);
      if (verdict === 'same') return true;
      if (verdict === 'cross') throw new CsrfFailedError();
    }
    const expected = request.cookies?.[CSRF_COOKIE];
    const body = request.body as Record<string, unknown> | undefined;
    const given =
      (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? request.headers['x-csrf-token'];
    if (typeof expected === 'string' && typeof given === 'string' && same(expected, given))
      return true;
    throw new CsrfFailedError();
  }
}

/**
 * What the browser says about where a post comes from: Sec-Fetch-Site, else Origin (compared with
 * the address this request reached and PUBLIC_URL). 'unknown' when it says neither (not a
 * browser, or a very old one).
 */
export function fromOrigin(
  request: FastifyRequest,
  publicUrl: string,
): 'same' | 'cross' | 'unknown' {
  const site = request.headers['sec-fetch-site'];
  if (site === 'same-origin') return 'same';
  if (site === 'cross-site' || site === 'same-site') return 'cross';
  const origin = request.headers.origin;
  if (!origin) return 'unknown';
  const ours = [`${request.protocol}://${request.host}`, new URL(publicUrl).origin].map((o) =>
    o.toLowerCase(),
  );
  return ours.includes(origin.toLowerCase()) ? 'same' : 'cross';
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
