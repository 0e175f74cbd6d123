import { AsyncLocalStorage } from 'node:async_hooks';
import type { Role } from '../auth/roles';

/** Who is acting: a signed-in user (with roles and the funds they may see), a donor, or nobody. */
export type Actor =
  | {
      kind: 'user';
      userId: string;
      email: string;
      name: string;
      roles: readonly Role[];
      /** Funds a COMMUNITY_LEADER may see (their communities' funds and funds scoped directly). */
      fundIds: readonly string[];
      /** Communities a COMMUNITY_LEADER or PLANNER works for (their scope's communities). */
      communityIds: readonly string[];
      via: 'session' | 'token';
      sessionId?: string;
    }
  | { kind: 'donor'; email: string; sessionId: string }
  | { kind: 'system'; label: string };

export interface RequestContext {
  requestId?: string;
  ip?: string;
  actor?: Actor;
}

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * The request (or CLI command) in progress: set by an onRequest hook, filled in by the auth
 * guard, read by the audit log so services need not pass "who" around.
 */
export const RequestContext = {
  run<T>(context: RequestContext, fn: () => T): T {
    return storage.run(context, fn);
  },
  current(): RequestContext | undefined {
    return storage.getStore();
  },
  actor(): Actor | undefined {
    return storage.getStore()?.actor;
  },
};

export function hasRole(actor: Actor | undefined, ...roles: Role[]): boolean {
  return actor?.kind === 'user' && actor.roles.some((r) => roles.includes(r));
}
