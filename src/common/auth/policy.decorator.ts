import { SetMetadata } from '@nestjs/common';
import type { Role } from './roles';

export const POLICY_KEY = 'lianxin:policy';

/**
 * Who may call a route. Every route declares exactly one policy (a test enumerates the routes):
 * - `public`: anyone, signed in or not;
 * - `authenticated`: any signed-in user, whatever their roles (their own tokens, their profile);
 * - `donor`: a donor signed in by an emailed magic link;
 * - `roles`: a signed-in user holding one of the roles. With `fundParam`, a COMMUNITY_LEADER also
 *   passes, but only for a fund in their scope, named by that route parameter.
 */
export type Policy =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'donor' }
  | { kind: 'roles'; roles: readonly Role[]; fundParam?: string };

export const Public = () => SetMetadata(POLICY_KEY, { kind: 'public' } satisfies Policy);

export const Authenticated = () =>
  SetMetadata(POLICY_KEY, { kind: 'authenticated' } satisfies Policy);

/** A donor signed in by magic link (the donor portal). */
export const DonorOnly = () => SetMetadata(POLICY_KEY, { kind: 'donor' } satisfies Policy);

export const Allow = (...roles: Role[]) =>
  SetMetadata(POLICY_KEY, { kind: 'roles', roles } satisfies Policy);

/** Staff roles given, plus a community leader scoped to the fund in route parameter `param`. */
export const AllowForFund = (param: string, ...roles: Role[]) =>
  SetMetadata(POLICY_KEY, { kind: 'roles', roles, fundParam: param } satisfies Policy);
