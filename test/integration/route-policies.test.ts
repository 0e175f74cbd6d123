import { randomUUID } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import request from 'supertest';
import { POLICY_KEY, type Policy } from '../../src/common/auth/policy.decorator';
import { ROLES, type Role } from '../../src/common/auth/roles';
import { createUser } from '../factories/accounts.factory';
import {
  buildFoundationProfile,
  createFoundation,
  createFund,
  externalAccount,
  fundFromOutside,
} from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

interface Route {
  method: string;
  path: string;
  policy: Policy | undefined;
}

/** Every route Nest registered, with the policy its handler (or controller) declares. */
function registeredRoutes(t: TestApp): Route[] {
  const routes: Route[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const proto = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (typeof handler !== 'function' || name === 'constructor') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const policy = (Reflect.getMetadata(POLICY_KEY, handler) ??
          Reflect.getMetadata(POLICY_KEY, controller)) as Policy | undefined;
        routes.push({
          method: String(method),
          path: `/${base}/${path}`.replace(/\/+/g, '/'),
          policy,
        });
      }
    }
  }
  return routes;
}

describe('access policies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => t.close());

  it('every registered route declares exactly one policy', () => {
    const routes = registeredRoutes(t);
    expect(routes.length).toBeGreaterThan(40);
    const missing = routes.filter((r) => !r.policy).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('only a few, deliberate routes are public', () => {
    const writes = registeredRoutes(t)
      .filter((r) => r.policy?.kind === 'public' && r.method !== 'GET')
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    // Sign-in forms, starting (or resuming) a gift, stopping a monthly gift or confirming an erasure
    // by its emailed link, the
    // signed webhook and the sandbox's checkout buttons only:
    // every other state change needs an account.
    expect(writes).toEqual(
      [
        'POST /api/v1/campaigns/:slug/donations',
        'POST /api/v1/donations/:id/checkout',
        'POST /campaigns/:slug/donate',
        'POST /monthly/stop/:token',
        'POST /donor/login',
        'POST /donor/verify',
        // privacy: confirming an erasure by its emailed link (the link proves the address)
        'POST /donor/delete/confirm',
        'POST /invite/accept',
        'POST /login',
        'POST /logout',
        'POST /password/forgot',
        'POST /password/reset',
        'POST /sandbox/alipay/cashier/:outTradeNo/pay',
        'POST /sandbox/alipay/gateway.do',
        'POST /sandbox/checkout/:sessionId/decline',
        'POST /sandbox/checkout/:sessionId/pay',
        'POST /sandbox/subscriptions/:subscriptionId/renewal',
        'POST /sandbox/wechatpay/pay/:token/cancel',
        'POST /sandbox/wechatpay/pay/:token/confirm',
        'POST /sandbox/wechatpay/v3/*',
        'POST /webhooks/alipay',
        'POST /webhooks/stripe',
        'POST /webhooks/wechatpay',
        // grants: a resident's evaluation response by one-time code (API and page)
        'POST /api/v1/evaluations/responses',
        'POST /evaluate',
      ].sort(),
    );
  });

  describe('role × action matrix', () => {
    type Actor = Role | 'anonymous';
    const actors: Actor[] = [...ROLES, 'anonymous'];
    const auth = new Map<Actor, Record<string, string>>();
    let ownFund: string;
    let otherFund: string;
    let donors: string;
    let sponsors: string;
    let n = 0;

    beforeAll(async () => {
      await createFoundation(t);
      const mine = await createFund(t, { kind: 'COMMUNITY' });
      const theirs = await createFund(t, { kind: 'COMMUNITY' });
      ownFund = mine.id;
      otherFund = theirs.id;
      await fundFromOutside(t, mine, 10_000_000);
      await fundFromOutside(t, theirs, 10_000_000);
      donors = (await externalAccount(t)).id;
      sponsors = (await externalAccount(t, 'external:matrix-sponsors')).id;
      for (const role of ROLES) {
        const scope =
          role === 'COMMUNITY_LEADER'
            ? { fundIds: [ownFund] }
            : role === 'PLANNER'
              ? { communityIds: [mine.communityId!] }
              : {};
        auth.set(role, (await createUser(t, [role], scope)).auth);
      }
      auth.set('anonymous', {});
    });

    const everyone: Actor[] = [...ROLES];
    const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';
    const actions: {
      name: string;
      method: 'get' | 'post' | 'put' | 'patch';
      path: () => string;
      body?: () => object;
      allowed: Actor[];
    }[] = [
      {
        name: 'read funds (public)',
        method: 'get',
        path: () => '/api/v1/funds',
        allowed: [...everyone, 'anonymous'],
      },
      {
        name: 'read coverage (public)',
        method: 'get',
        path: () => '/api/v1/funds/coverage',
        allowed: [...everyone, 'anonymous'],
      },
      {
        name: 'change foundation settings',
        method: 'put',
        path: () => '/api/v1/foundation',
        body: () => buildFoundationProfile(),
        allowed: ['ADMIN'],
      },
      {
        name: 'create a subdistrict',
        method: 'post',
        path: () => '/api/v1/subdistricts',
        body: () => ({ code: `M${++n}`, nameZh: '街道', nameEn: 'Subdistrict' }),
        allowed: ['ADMIN'],
      },
      {
        name: 'create a fund',
        method: 'post',
        path: () => '/api/v1/funds',
        body: () => ({ kind: 'PROGRAM', code: `MX-${++n}`, nameZh: '基金', nameEn: 'Fund' }),
        allowed: ['ADMIN', 'FINANCE'],
      },
      {
        name: 'allocate between funds',
        method: 'post',
        path: () => '/api/v1/allocations',
        body: () => ({ fromFundId: ownFund, toFundId: otherFund, amountMinor: 1 }),
        allowed: ['ADMIN', 'FINANCE'],
      },
      {
        name: 'post a manual ledger entry',
        method: 'post',
        path: () => '/api/v1/ledger/entries',
        body: () => ({
          idempotencyKey: `matrix-${++n}`,
          kind: 'ADJUSTMENT',
          description: 'matrix',
          postings: [
            { accountId: donors, amountMinor: -1 },
            { accountId: sponsors, amountMinor: 1 },
          ],
        }),
        allowed: ['FINANCE'],
      },
      {
        name: 'read ledger accounts',
        method: 'get',
        path: () => '/api/v1/ledger/accounts',
        allowed: ['ADMIN', 'FINANCE'],
      },
      {
        name: "read the leader's own fund statement",
        method: 'get',
        path: () => `/api/v1/funds/${ownFund}/statement`,
        allowed: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'REVIEWER', 'COMMUNITY_LEADER'],
      },
      {
        name: "read another fund's statement",
        method: 'get',
        path: () => `/api/v1/funds/${otherFund}/statement`,
        allowed: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'REVIEWER'],
      },
      { name: 'list users', method: 'get', path: () => '/api/v1/users', allowed: ['ADMIN'] },
      {
        name: 'invite a user',
        method: 'post',
        path: () => '/api/v1/users/invitations',
        body: () => ({ email: `invitee${++n}@example.org`, name: 'Invitee', roles: ['REVIEWER'] }),
        allowed: ['ADMIN'],
      },
      {
        name: 'read the audit log',
        method: 'get',
        path: () => '/api/v1/audit',
        allowed: ['ADMIN'],
      },
      // ---- grants: rounds, applications, reviews (rounds part) ----
      {
        name: 'create a grant round',
        method: 'post',
        path: () => '/api/v1/grants/rounds',
        body: () => ({}),
        allowed: ['ADMIN', 'GRANTS_OFFICER'],
      },
      {
        name: 'read grant rounds',
        method: 'get',
        path: () => '/api/v1/grants/rounds',
        allowed: ['ADMIN', 'GRANTS_OFFICER', 'FINANCE', 'REVIEWER', 'PLANNER', 'COMMUNITY_LEADER'],
      },
      {
        name: "read a round's ranking",
        method: 'get',
        path: () => `/api/v1/grants/rounds/${NO_SUCH_ID}/ranking`,
        allowed: ['ADMIN', 'GRANTS_OFFICER', 'FINANCE'],
      },
      {
        name: 'open a grant round',
        method: 'post',
        path: () => `/api/v1/grants/rounds/${NO_SUCH_ID}/open`,
        allowed: ['ADMIN', 'GRANTS_OFFICER'],
      },
      {
        name: 'list grant applications',
        method: 'get',
        path: () => '/api/v1/grants/applications',
        allowed: ['ADMIN', 'GRANTS_OFFICER', 'FINANCE', 'REVIEWER', 'PLANNER', 'COMMUNITY_LEADER'],
      },
      {
        name: 'submit a grant application',
        method: 'post',
        path: () => `/api/v1/grants/applications/${NO_SUCH_ID}/submit`,
        allowed: ['PLANNER', 'COMMUNITY_LEADER'],
      },
      {
        name: 'shortlist a grant application',
        method: 'post',
        path: () => `/api/v1/grants/applications/${NO_SUCH_ID}/shortlist`,
        body: () => ({}),
        allowed: ['ADMIN', 'GRANTS_OFFICER'],
      },
      {
        name: 'assign a reviewer',
        method: 'post',
        path: () => `/api/v1/grants/applications/${NO_SUCH_ID}/reviewers`,
        body: () => ({ reviewerId: NO_SUCH_ID }),
        allowed: ['ADMIN', 'GRANTS_OFFICER'],
      },
      {
        name: 'read my review queue',
        method: 'get',
        path: () => '/api/v1/grants/reviews',
        allowed: ['REVIEWER'],
      },
      {
        name: 'score a review',
        method: 'post',
        path: () => `/api/v1/grants/reviews/${NO_SUCH_ID}/scores`,
        body: () => ({ scores: { need: 1 } }),
        allowed: ['REVIEWER'],
      },
      // ---- end rounds part ----
      // grants: insights
      {
        name: 'read the grants dashboard',
        method: 'get',
        path: () => '/api/v1/grants/dashboard',
        allowed: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER'],
      },
      // end grants: insights
      {
        name: 'read own profile and tokens',
        method: 'get',
        path: () => '/api/v1/me/tokens',
        allowed: everyone,
      },
      // grants: awards part (an unknown id: the route lets the role through, the service answers 404)
      {
        name: 'propose a grant award',
        method: 'post',
        path: () => `/api/v1/grants/rounds/${randomUUID()}/awards`,
        body: () => ({ applicationId: randomUUID(), tierKey: 'first', constructionMinor: 0 }),
        allowed: ['ADMIN', 'GRANTS_OFFICER'],
      },
      {
        name: 'list grant awards',
        method: 'get',
        path: () => '/api/v1/grants/awards',
        allowed: ['ADMIN', 'GRANTS_OFFICER', 'FINANCE', 'PLANNER', 'COMMUNITY_LEADER'],
      },
      {
        name: 'approve a grant award',
        method: 'post',
        path: () => `/api/v1/grants/awards/${randomUUID()}/approve`,
        allowed: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER'],
      },
      {
        name: 'reject a grant award',
        method: 'post',
        path: () => `/api/v1/grants/awards/${randomUUID()}/reject`,
        body: () => ({ note: 'matrix' }),
        allowed: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER'],
      },
      {
        name: 'request a grant tranche',
        method: 'post',
        path: () => `/api/v1/grants/tranches/${randomUUID()}/request`,
        allowed: ['ADMIN', 'GRANTS_OFFICER', 'PLANNER', 'COMMUNITY_LEADER'],
      },
      {
        name: 'pay a grant tranche',
        method: 'post',
        path: () => `/api/v1/grants/tranches/${randomUUID()}/pay`,
        allowed: ['FINANCE'],
      },
      {
        name: 'reject a grant tranche',
        method: 'post',
        path: () => `/api/v1/grants/tranches/${randomUUID()}/reject`,
        allowed: ['FINANCE'],
      },
      {
        name: 'read the tranche payment queue',
        method: 'get',
        path: () => '/api/v1/grants/tranches',
        allowed: ['ADMIN', 'FINANCE'],
      },
      {
        name: 'submit a grant report',
        method: 'post',
        path: () => `/api/v1/grants/awards/${randomUUID()}/reports`,
        body: () => ({ kind: 'START', body: 'matrix' }),
        allowed: ['PLANNER', 'COMMUNITY_LEADER'],
      },
      {
        name: 'accept a grant report',
        method: 'post',
        path: () => `/api/v1/grants/reports/${randomUUID()}/accept`,
        allowed: ['ADMIN', 'GRANTS_OFFICER'],
      },
      {
        name: 'record an inspection',
        method: 'post',
        path: () => `/api/v1/grants/awards/${randomUUID()}/inspections`,
        body: () => ({ inspectingBody: 'matrix', result: 'PASSED', inspectedOn: '2026-09-07' }),
        allowed: ['ADMIN', 'GRANTS_OFFICER'],
      },
      // grants: resident evaluations (ids that do not exist: past the policy, a 404)
      {
        name: 'open a resident evaluation',
        method: 'post',
        path: () => `/api/v1/grants/awards/${NO_SUCH_ID}/evaluations`,
        body: () => ({ residentCodes: 10, stakeholderCodes: 0 }),
        allowed: ['ADMIN', 'GRANTS_OFFICER'],
      },
      {
        name: 'read an evaluation',
        method: 'get',
        path: () => `/api/v1/grants/evaluations/${NO_SUCH_ID}`,
        allowed: ['ADMIN', 'GRANTS_OFFICER'],
      },
      {
        name: 'close an evaluation',
        method: 'post',
        path: () => `/api/v1/grants/evaluations/${NO_SUCH_ID}/close`,
        allowed: ['ADMIN', 'GRANTS_OFFICER'],
      },
      {
        name: 'cancel an evaluation',
        method: 'post',
        path: () => `/api/v1/grants/evaluations/${NO_SUCH_ID}/cancel`,
        body: () => ({ reason: 'Cards printed wrongly' }),
        allowed: ['ADMIN', 'GRANTS_OFFICER'],
      },
      {
        name: 'respond to an evaluation by code (public)',
        method: 'post',
        path: () => '/api/v1/evaluations/responses',
        body: () => ({ code: 'ABCDEFGHJK', satisfied: true, score: 3 }),
        allowed: [...everyone, 'anonymous'],
      },
      {
        name: "read a project's evaluation results (public)",
        method: 'get',
        path: () => `/api/v1/grants/awards/${NO_SUCH_ID}/evaluations`,
        allowed: [...everyone, 'anonymous'],
      },
      // end grants: resident evaluations
      // --- grants: expenses and attachments
      {
        name: "request an expense from the leader's own fund",
        method: 'post',
        path: () => `/api/v1/funds/${ownFund}/expenses`,
        body: () => ({ payee: 'Matrix', purpose: 'matrix', amountMinor: 1 }),
        allowed: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER'],
      },
      {
        name: 'request an expense from another fund',
        method: 'post',
        path: () => `/api/v1/funds/${otherFund}/expenses`,
        body: () => ({ payee: 'Matrix', purpose: 'matrix', amountMinor: 1 }),
        allowed: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER'],
      },
      {
        name: 'list expenses',
        method: 'get',
        path: () => '/api/v1/expenses',
        allowed: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER'],
      },
      {
        name: 'pay an expense',
        method: 'post',
        path: () => `/api/v1/expenses/${randomUUID()}/pay`,
        allowed: ['FINANCE'],
      },
      {
        name: 'reject an expense',
        method: 'post',
        path: () => `/api/v1/expenses/${randomUUID()}/reject`,
        allowed: ['FINANCE', 'ADMIN'],
      },
      {
        name: 'withdraw an expense',
        method: 'post',
        path: () => `/api/v1/expenses/${randomUUID()}/withdraw`,
        allowed: ['ADMIN', 'FINANCE', 'GRANTS_OFFICER', 'COMMUNITY_LEADER'],
      },
      {
        name: "list an owner's attachments (the owner decides)",
        method: 'get',
        path: () => `/api/v1/grants/attachments?ownerType=EXPENSE&ownerId=${randomUUID()}`,
        allowed: everyone,
      },
      {
        name: 'download an attachment (the owner decides)',
        method: 'get',
        path: () => `/api/v1/grants/attachments/${randomUUID()}`,
        allowed: everyone,
      },
      // --- end grants: expenses and attachments
    ];

    it.each(actions.flatMap((a) => actors.map((actor) => [a.name, actor, a] as const)))(
      '%s as %s',
      async (_name, actor, action) => {
        let req = request(t.server)[action.method](action.path()).set(auth.get(actor)!);
        if (action.body) req = req.send(action.body());
        const res = await req;
        const outcome = { status: res.status, code: res.body.code as unknown };
        const denied =
          actor === 'anonymous'
            ? { status: 401, code: 'UNAUTHENTICATED' }
            : { status: 403, code: 'FORBIDDEN' };
        // Allowed: the action ran (2xx) or failed on its own merits (4xx other than 401/403).
        const expected = action.allowed.includes(actor) ? 'allowed' : 'denied';
        const actual =
          outcome.status === denied.status && outcome.code === denied.code
            ? 'denied'
            : outcome.status < 500 && outcome.status !== 401 && outcome.status !== 403
              ? 'allowed'
              : `unexpected ${outcome.status} ${String(outcome.code)}`;
        expect(actual).toBe(expected);
      },
    );
  });
});
