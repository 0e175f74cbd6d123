import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { POLICY_KEY, type Policy } from '../../common/auth/policy.decorator';
import { type Actor, RequestContext } from '../../common/context/request-context';
import { ForbiddenError, UnauthenticatedError } from '../../common/errors';
import { InvalidTokenError } from './accounts.errors';
import { SESSION_COOKIE } from '../../common/http/cookies';
import { AuthService } from './auth.service';
import { TokensService } from './tokens.service';
import { words } from '../../common/i18n/i18n';

export type AuthenticatedRequest = FastifyRequest & { actor?: Actor };

/** The JSON API takes bearer tokens only; pages take the session cookie only. */
export function isApiRequest(url: string): boolean {
  return url.startsWith('/api/');
}

/**
 * The one gate in front of every route. It finds who is calling (bearer token on /api, session
 * cookie on pages) and applies the route's declared policy. A route without a policy is refused
 * (and a test fails the build before that can ship).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly tokens: TokensService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<Policy | undefined>(POLICY_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!policy) {
      this.logger.error(`${request.method} ${request.url} has no access policy; refused`);
      throw new ForbiddenError(words('errors.accounts.closedRoute'));
    }
    if (policy.kind !== 'public') {
      // What depends on who asks (personal data, roles, balances) is never kept by a browser or
      // a shared cache; a handler that streams a file may set its own headers after this.
      void context.switchToHttp().getResponse<FastifyReply>().header('cache-control', 'no-store');
    }
    const actor = await this.identify(request);
    request.actor = actor;
    const store = RequestContext.current();
    if (store) store.actor = actor;
    return authorize(policy, actor, request.params as Record<string, string> | undefined);
  }

  private async identify(request: FastifyRequest): Promise<Actor | undefined> {
    if (isApiRequest(request.url)) {
      const header = request.headers.authorization;
      if (!header) return undefined;
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const actor = match ? await this.tokens.actorForToken(match[1]!) : undefined;
      if (!actor) {
        throw new InvalidTokenError();
      }
      return actor;
    }
    const cookie = request.cookies?.[SESSION_COOKIE];
    return cookie ? this.auth.actorForSession(cookie) : undefined;
  }
}

/** Pure: whether an actor passes a policy (route parameters name the fund for scoped policies). */
export function authorize(
  policy: Policy,
  actor: Actor | undefined,
  params: Record<string, string> = {},
): true {
  if (policy.kind === 'public') return true;
  if (policy.kind === 'donor') {
    if (actor?.kind === 'donor') return true;
    throw new UnauthenticatedError(words('errors.accounts.donorSignIn'));
  }
  if (actor?.kind !== 'user') {
    throw new UnauthenticatedError(words('errors.accounts.staffSignIn'));
  }
  if (policy.kind === 'authenticated') return true;
  if (actor.roles.some((r) => policy.roles.includes(r))) return true;
  if (policy.fundParam && actor.roles.includes('COMMUNITY_LEADER')) {
    const fundId = params[policy.fundParam];
    if (fundId && actor.fundIds.includes(fundId)) return true;
  }
  throw new ForbiddenError(words('errors.accounts.noAccess'));
}
