import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CsrfFailedError } from '../errors';
import { CSRF_COOKIE } from './cookies';

export type CsrfRequest = FastifyRequest & { csrfToken?: string };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Routes that never rely on cookies: bearer-token API and signed webhooks. */
function exempt(url: string): boolean {
  return url.startsWith('/api/') || url.startsWith('/webhooks/');
}

/**
 * onRequest hook: every page visitor gets a random CSRF token in an httpOnly, SameSite=Strict
 * cookie; pages render it into their forms (`request.csrfToken`).
 */
export function issueCsrfCookie(secure: boolean) {
  return (request: CsrfRequest, reply: FastifyReply, done: () => void): void => {
    if (!exempt(request.url)) {
      let token = request.cookies?.[CSRF_COOKIE];
      if (!token || !/^[\w-]{32,64}$/.test(token)) {
        token = randomBytes(32).toString('base64url');
        void reply.setCookie(CSRF_COOKIE, token, {
          httpOnly: true,
          sameSite: 'strict',
          secure,
          path: '/',
        });
      }
      request.csrfToken = token;
    }
    done();
  };
}

/**
 * Double-submit check for every state-changing page request: the form's `_csrf` field (or an
 * `x-csrf-token` header) must equal the cookie, which another site can neither read nor set.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<CsrfRequest>();
    if (SAFE_METHODS.has(request.method) || exempt(request.url)) return true;
    const expected = request.cookies?.[CSRF_COOKIE];
    const body = request.body as Record<string, unknown> | undefined;
    const given =
      (typeof body?._csrf === 'string' ? body._csrf : undefined) ?? request.headers['x-csrf-token'];
    if (typeof expected === 'string' && typeof given === 'string' && same(expected, given))
      return true;
    throw new CsrfFailedError();
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
