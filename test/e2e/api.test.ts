import { randomUUID } from 'node:crypto';
import request, { type Response } from 'supertest';
import { createUser } from '../factories/accounts.factory';
import { externalAccount } from '../factories/foundation.factory';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * The JSON API end to end: real HTTP (supertest) against the full app on its own cloned
 * database, with Redis. One app serves the whole file, so each area makes its own funds and
 * communities and reads outcomes (balances, statuses, bodies) back through the API.
 */

// ---------------------------------------------------------------------------------------------
// HTTP helpers: every response passes through `call`, which refuses a 500 and any error body
// that is not exactly {statusCode, error, code, message}, and records it for the final checks.
// ---------------------------------------------------------------------------------------------

let t: TestApp;

/** Staff credentials for every call: this file tests the API's behaviour, not its permissions. */
let staff: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  await t.app.getHttpAdapter().getInstance().ready();
  staff = (await createUser(t, ['ADMIN', 'FINANCE'])).auth;
});
afterAll(() => t.close());

type Method = 'get' | 'post' | 'put' | 'patch';
interface Seen {
  request: string;
  status: number;
  body: unknown;
}
const seen: Seen[] = [];

function problemWithErrorBody(res: Response): string | null {
  const body = res.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return 'the body is not a JSON object';
  const keys = Object.keys(body)
    .filter((k) => k !== 'details')
    .sort()
    .join(',');
  if (keys !== 'code,error,message,statusCode') return `keys are ${keys}`;
  if ('details' in body && (typeof body.details !== 'object' || Array.isArray(body.details)))
    return 'details is not an object';
  if (body.statusCode !== res.status)
    return `statusCode ${String(body.statusCode)} differs from ${res.status}`;
  if (typeof body.error !== 'string' || body.error === '') return 'error is not a non-empty string';
  if (typeof body.code !== 'string' || !/^[A-Z][A-Z_]+$/.test(body.code))
    return 'code is not UPPER_SNAKE';
  const message = body.message;
  const messageOk =
    (typeof message === 'string' && message !== '') ||
    (Array.isArray(message) && message.length > 0 && message.every((m) => typeof m === 'string'));
  return messageOk ? null : 'message is neither a string nor a list of strings';
}

async function call(
  method: Method,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  let req = request(t.server)[method](path).set(staff);
  for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
  const res = body === undefined ? await req : await req.send(body as object);
  const what = `${method.toUpperCase()} ${path}`;
  seen.push({ request: what, status: res.status, body: res.body });
  if (res.status >= 500) {
    throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
  if (res.status >= 400) {
    const problem = problemWithErrorBody(res);
    if (problem)
      throw new Error(
        `${what} answered a malformed error (${problem}): ${JSON.stringify(res.body)}`,
      );
  }
  return res;
}

const api = {
  get: (path: string, headers?: Record<string, string>) => call('get', path, undefined, headers),
  post: (path: string, body?: unknown) => call('post', path, body ?? {}),
  put: (path: string, body: unknown) => call('put', path, body),
  patch: (path: string, body: unknown) => call('patch', path, body),
  /** A body sent as-is (malformed JSON and the like). */
  raw: (method: Method, path: string, text: string, contentType = 'application/json') =>
    call(method, path, text, { 'content-type': contentType }),
};

/** The body of a response that must have this status; the failure message shows what came back. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function bodyOf(res: Response, status: number): any {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** What an error response says, for one `expect(...).toMatchObject(...)`. */
function err(res: Response): { status: number; code: unknown; message: string } {
  const message = (res.body as { message?: unknown } | undefined)?.message;
  return {
    status: res.status,
    code: (res.body as { code?: unknown } | undefined)?.code,
    message: Array.isArray(message) ? message.join(' | ') : String(message),
  };
}

const invalid = (field: string) => ({
  status: 400,
  code: 'VALIDATION_FAILED',
  message: expect.stringContaining(field),
});

// ---------------------------------------------------------------------------------------------
// Domain helpers, all through the API (the donors' external account comes from the factory:
// the API has no endpoint that opens one).
// ---------------------------------------------------------------------------------------------

interface Fund {
  id: string;
  code: string;
  kind: string;
  status: string;
  nameZh: string;
  nameEn: string;
  accountId: string;
  communityId: string | null;
  currency: string;
  balanceMinor: number;
  activatedAt: string | null;
  closedAt: string | null;
  community: { id: string; code: string } | null;
}
interface Community {
  id: string;
  code: string;
  subdistrictId: string;
}
interface StatementLine {
  postingId: number;
  entryId: string;
  kind: string;
  amountMinor: number;
  balanceAfterMinor: number;
  postedAt: string;
  counterparties: { accountId: string }[];
}
interface Statement {
  balanceMinor: number;
  lines: StatementLine[];
  nextCursor: string | null;
}

const PROFILE = {
  legalNameZh: '连心测试社区发展基金会',
  legalNameEn: 'Lianxin Test Community Development Foundation',
  registrationNumber: '53440300TEST0001X',
  currency: 'CNY',
  defaultLocale: 'zh-CN',
  receiptPrefix: 'LXT',
};

let seq = 0;
const uid = () => `${++seq}${randomUUID().slice(0, 6).toUpperCase()}`;

async function ensureFoundation(): Promise<void> {
  const res = await api.get('/api/v1/foundation');
  if (res.status === 404) bodyOf(await api.put('/api/v1/foundation', PROFILE), 200);
}

async function newSubdistrict(): Promise<{ id: string; code: string }> {
  const n = uid();
  return bodyOf(
    await api.post('/api/v1/subdistricts', {
      code: `SD-${n}`,
      nameZh: `街道${n}`,
      nameEn: `Subdistrict ${n}`,
    }),
    201,
  );
}

async function newCommunity(subdistrictId?: string, code = `CM-${uid()}`): Promise<Community> {
  const sid = subdistrictId ?? (await newSubdistrict()).id;
  return bodyOf(
    await api.post('/api/v1/communities', {
      code,
      subdistrictId: sid,
      nameZh: `社区${code}`,
      nameEn: `Community ${code}`,
    }),
    201,
  );
}

async function activate(id: string): Promise<Fund> {
  return bodyOf(await api.post(`/api/v1/funds/${id}/activate`), 200);
}

async function newFund(
  kind: 'PROGRAM' | 'MATCHING' | 'COMMUNITY' = 'PROGRAM',
  { active = true, communityId }: { active?: boolean; communityId?: string } = {},
): Promise<Fund> {
  const n = uid();
  const cid = kind === 'COMMUNITY' ? (communityId ?? (await newCommunity()).id) : undefined;
  const fund: Fund = bodyOf(
    await api.post('/api/v1/funds', {
      kind,
      code: `F-${n}`,
      nameZh: `基金${n}`,
      nameEn: `Fund ${n}`,
      communityId: cid,
    }),
    201,
  );
  return active ? activate(fund.id) : fund;
}

async function getFund(id: string): Promise<Fund> {
  return bodyOf(await api.get(`/api/v1/funds/${id}`), 200);
}

async function balancesOf(...funds: { id: string }[]): Promise<number[]> {
  return Promise.all(funds.map(async (f) => (await getFund(f.id)).balanceMinor));
}

/** The GENERAL fund, created on first use. */
async function generalFund(): Promise<Fund> {
  const list = bodyOf(await api.get('/api/v1/funds?kind=GENERAL'), 200) as { items: Fund[] };
  if (list.items[0]) return list.items[0];
  return bodyOf(
    await api.post('/api/v1/funds', {
      kind: 'GENERAL',
      nameZh: '非限定性基金',
      nameEn: 'General Fund',
    }),
    201,
  );
}

function manualEntry(
  postings: { accountId: string; amountMinor: number }[],
  overrides: object = {},
) {
  return api.post('/api/v1/ledger/entries', {
    idempotencyKey: `test-${uid()}`,
    kind: 'OFFLINE_CONTRIBUTION',
    description: 'Offline gift',
    postings,
    ...overrides,
  });
}

/** Money arriving in a fund from outside, as a manual offline contribution. */
async function inflow(fund: Fund, amountMinor: number): Promise<{ id: string }> {
  const donors = await externalAccount(t);
  const res = await manualEntry([
    { accountId: donors.id, amountMinor: -amountMinor },
    { accountId: fund.accountId, amountMinor },
  ]);
  return (bodyOf(res, 201) as { entry: { id: string } }).entry;
}

/** Money leaving a fund for its purpose (an expense paid outside), as a manual entry. */
async function outflow(fund: Fund, amountMinor: number): Promise<{ id: string }> {
  const payee = await externalAccount(t, 'external:test-payees');
  const res = await manualEntry(
    [
      { accountId: fund.accountId, amountMinor: -amountMinor },
      { accountId: payee.id, amountMinor },
    ],
    { kind: 'EXPENSE' },
  );
  return (bodyOf(res, 201) as { entry: { id: string } }).entry;
}

function transfer(
  from: { id: string },
  to: { id: string },
  amountMinor: unknown,
  extra: object = {},
) {
  return api.post('/api/v1/allocations', {
    fromFundId: from.id,
    toFundId: to.id,
    amountMinor,
    ...extra,
  });
}

/** Follows nextCursor from `path` (which already has a query string) until the last page. */
async function allPages<T>(
  path: string,
  key: 'items' | 'lines',
): Promise<{ rows: T[]; pages: number }> {
  const rows: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : path;
    const page = bodyOf(await api.get(url), 200) as Record<string, unknown> & {
      nextCursor: string | null;
    };
    rows.push(...(page[key] as T[]));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < 1000);
  return { rows, pages };
}

async function statement(fundId: string, query = 'limit=500'): Promise<Statement> {
  return bodyOf(await api.get(`/api/v1/funds/${fundId}/statement?${query}`), 200);
}

/** balanceAfterMinor as it must be: the balance first, then each line's minus the line before's amount. */
function expectedRunningBalances(st: Statement): number[] {
  return st.lines.map((_, i) =>
    i === 0 ? st.balanceMinor : st.lines[i - 1]!.balanceAfterMinor - st.lines[i - 1]!.amountMinor,
  );
}

function newestFirst(lines: StatementLine[]): boolean {
  return lines.every((line, i) => {
    if (i === 0) return true;
    const prev = lines[i - 1]!;
    const [a, b] = [Date.parse(prev.postedAt), Date.parse(line.postedAt)];
    return a > b || (a === b && prev.postingId > line.postingId);
  });
}

// ---------------------------------------------------------------------------------------------

describe('health and API description', () => {
  it('reports the database and Redis up', async () => {
    const health = bodyOf(await api.get('/health'), 200);
    expect(health).toMatchObject({
      status: 'ok',
      mode: { database: 'external', queue: 'redis' },
      checks: { database: { status: 'up' }, queue: { status: 'up' } },
    });
  });

  it('serves an OpenAPI document listing the funds, allocations and ledger routes', async () => {
    const doc = bodyOf(await api.get('/api/docs-json'), 200);
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths['/api/v1/funds'])).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
    expect(doc.paths['/api/v1/allocations']).toHaveProperty('post');
    expect(doc.paths['/api/v1/ledger/entries']).toHaveProperty('post');
  });

  it('answers an unknown route with a coded 404', async () => {
    expect(err(await api.get('/api/v1/no-such-thing'))).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
  });
});

describe('foundation profile', () => {
  it('is reported as not configured before the first PUT, and funds cannot be created yet', async () => {
    expect(err(await api.get('/api/v1/foundation'))).toMatchObject({
      status: 404,
      code: 'FOUNDATION_NOT_CONFIGURED',
    });
    const fund = await api.post('/api/v1/funds', {
      kind: 'PROGRAM',
      nameZh: '早',
      nameEn: 'Early',
    });
    expect(err(fund)).toMatchObject({ status: 404, code: 'FOUNDATION_NOT_CONFIGURED' });
  });

  it.each([
    ['an unknown currency', { currency: 'RMB' }, 'currency'],
    ['a lower-case currency', { currency: 'cny' }, 'currency'],
    ['a lower-case receipt prefix', { receiptPrefix: 'lx' }, 'receiptPrefix'],
    ['a receipt prefix of 17 characters', { receiptPrefix: 'A'.repeat(17) }, 'receiptPrefix'],
    ['an unknown locale', { defaultLocale: 'fr' }, 'defaultLocale'],
    ['a blank English name', { legalNameEn: '   ' }, 'legalNameEn'],
    ['a missing Chinese name', { legalNameZh: undefined }, 'legalNameZh'],
    ['a missing registration number', { registrationNumber: undefined }, 'registrationNumber'],
    ['a missing currency', { currency: undefined }, 'currency'],
    ['an unknown property', { website: 'https://example.org' }, 'website'],
  ])('refuses %s with 400 naming the field', async (_what, change, field) => {
    const res = await api.put('/api/v1/foundation', { ...PROFILE, ...change });
    expect(err(res)).toMatchObject(invalid(field));
  });

  it('saved nothing from the refused PUTs', async () => {
    expect(err(await api.get('/api/v1/foundation'))).toMatchObject({
      code: 'FOUNDATION_NOT_CONFIGURED',
    });
  });

  it('saves a valid profile (trimmed) and returns it on GET', async () => {
    const saved = bodyOf(
      await api.put('/api/v1/foundation', {
        ...PROFILE,
        legalNameZh: `  ${PROFILE.legalNameZh}  `,
      }),
      200,
    );
    expect(saved).toMatchObject(PROFILE);
    expect(bodyOf(await api.get('/api/v1/foundation'), 200)).toMatchObject(PROFILE);
  });

  it('lets the currency change while the ledger is empty', async () => {
    expect(
      bodyOf(await api.put('/api/v1/foundation', { ...PROFILE, currency: 'USD' }), 200).currency,
    ).toBe('USD');
    expect(bodyOf(await api.put('/api/v1/foundation', PROFILE), 200).currency).toBe('CNY');
  });

  it('locks the currency once a fund exists, but still accepts other changes', async () => {
    await newFund('PROGRAM', { active: false });
    const res = await api.put('/api/v1/foundation', { ...PROFILE, currency: 'HKD' });
    expect(err(res)).toMatchObject({ status: 409, code: 'CURRENCY_LOCKED' });
    expect(bodyOf(await api.get('/api/v1/foundation'), 200).currency).toBe('CNY');

    const renamed = { ...PROFILE, legalNameEn: 'Lianxin Test Foundation (renamed)' };
    expect(bodyOf(await api.put('/api/v1/foundation', renamed), 200)).toMatchObject(renamed);
    expect(bodyOf(await api.get('/api/v1/foundation'), 200).legalNameEn).toBe(renamed.legalNameEn);
    bodyOf(await api.put('/api/v1/foundation', PROFILE), 200);
  });
});

describe('subdistricts and communities', () => {
  beforeAll(ensureFoundation);

  it('creates a subdistrict, reads it back and counts its communities', async () => {
    const sd = await newSubdistrict();
    expect(bodyOf(await api.get(`/api/v1/subdistricts/${sd.id}`), 200)).toMatchObject({
      id: sd.id,
      code: sd.code,
    });
    await newCommunity(sd.id);
    const list = bodyOf(await api.get('/api/v1/subdistricts'), 200) as {
      id: string;
      communityCount: number;
    }[];
    expect(list.find((s) => s.id === sd.id)?.communityCount).toBe(1);
  });

  it('refuses a duplicate subdistrict code with 409 DUPLICATE_CODE', async () => {
    const sd = await newSubdistrict();
    const res = await api.post('/api/v1/subdistricts', {
      code: sd.code,
      nameZh: '重复',
      nameEn: 'Duplicate',
    });
    expect(err(res)).toMatchObject({ status: 409, code: 'DUPLICATE_CODE' });
  });

  it('refuses a malformed subdistrict code with 400', async () => {
    const res = await api.post('/api/v1/subdistricts', {
      code: 'has space!',
      nameZh: '坏',
      nameEn: 'Bad',
    });
    expect(err(res)).toMatchObject(invalid('code'));
  });

  it('creates a community and reads it back', async () => {
    const sd = await newSubdistrict();
    const c = bodyOf(
      await api.post('/api/v1/communities', {
        code: `CM-${uid()}`,
        subdistrictId: sd.id,
        nameZh: '桃源社区',
        nameEn: 'Taoyuan',
        households: 1200,
      }),
      201,
    );
    expect(bodyOf(await api.get(`/api/v1/communities/${c.id}`), 200)).toMatchObject({
      subdistrictId: sd.id,
      nameZh: '桃源社区',
      households: 1200,
    });
  });

  it('refuses a duplicate community code with 409 DUPLICATE_CODE', async () => {
    const c = await newCommunity();
    const res = await api.post('/api/v1/communities', {
      code: c.code,
      subdistrictId: c.subdistrictId,
      nameZh: '重',
      nameEn: 'Dup',
    });
    expect(err(res)).toMatchObject({ status: 409, code: 'DUPLICATE_CODE' });
  });

  it('refuses a community in an unknown subdistrict with 404, and a non-UUID subdistrictId with 400', async () => {
    const body = { code: `CM-${uid()}`, nameZh: '无', nameEn: 'Nowhere' };
    expect(
      err(await api.post('/api/v1/communities', { ...body, subdistrictId: randomUUID() })),
    ).toMatchObject({
      status: 404,
      code: 'SUBDISTRICT_NOT_FOUND',
    });
    expect(
      err(await api.post('/api/v1/communities', { ...body, subdistrictId: 'sd-1' })),
    ).toMatchObject(invalid('subdistrictId'));
  });

  it('answers 404 COMMUNITY_NOT_FOUND for an unknown community', async () => {
    expect(err(await api.get(`/api/v1/communities/${randomUUID()}`))).toMatchObject({
      status: 404,
      code: 'COMMUNITY_NOT_FOUND',
    });
  });

  it('pages the communities of a subdistrict with a cursor, each once, in code order', async () => {
    const sd = await newSubdistrict();
    const codes = ['PG-E', 'PG-A', 'PG-D', 'PG-B', 'PG-C'].map((c) => `${c}-${uid()}`);
    for (const code of codes) await newCommunity(sd.id, code);
    const { rows, pages } = await allPages<Community>(
      `/api/v1/communities?subdistrictId=${sd.id}&limit=2`,
      'items',
    );
    expect(pages).toBe(3);
    expect(rows.map((c) => c.code)).toEqual([...codes].sort());
  });

  it('pages every community with limit=1 exactly as one big page lists them', async () => {
    const whole = bodyOf(await api.get('/api/v1/communities?limit=500'), 200) as {
      items: Community[];
      nextCursor: null;
    };
    expect(whole.nextCursor).toBeNull();
    const { rows } = await allPages<Community>('/api/v1/communities?limit=1', 'items');
    expect(rows.map((c) => c.id)).toEqual(whole.items.map((c) => c.id));
  });

  it('refuses a garbage cursor with 400 INVALID_CURSOR', async () => {
    expect(err(await api.get('/api/v1/communities?cursor=not-a-cursor'))).toMatchObject({
      status: 400,
      code: 'INVALID_CURSOR',
    });
  });

  it('refuses renaming a community onto another one’s code with 409', async () => {
    const [a, b] = [await newCommunity(), await newCommunity()];
    expect(err(await api.patch(`/api/v1/communities/${a.id}`, { code: b.code }))).toMatchObject({
      status: 409,
      code: 'DUPLICATE_CODE',
    });
  });

  it('refuses null for a required field on PATCH with 400 and keeps the community as it was', async () => {
    const c = await newCommunity();
    expect(err(await api.patch(`/api/v1/communities/${c.id}`, { code: null }))).toMatchObject(
      invalid('code'),
    );
    expect(bodyOf(await api.get(`/api/v1/communities/${c.id}`), 200).code).toBe(c.code);
  });
});

describe('funds', () => {
  beforeAll(ensureFoundation);

  it('creates a fund of each kind in PREPARING with a zero balance', async () => {
    const general = bodyOf(
      await api.post('/api/v1/funds', {
        kind: 'GENERAL',
        nameZh: '非限定性基金',
        nameEn: 'General Fund',
      }),
      201,
    );
    expect(general).toMatchObject({
      kind: 'GENERAL',
      code: 'GENERAL',
      status: 'PREPARING',
      balanceMinor: 0,
      currency: 'CNY',
    });

    const community = await newCommunity();
    const cf = bodyOf(
      await api.post('/api/v1/funds', {
        kind: 'COMMUNITY',
        communityId: community.id,
        nameZh: '社区基金',
        nameEn: 'Community Fund',
      }),
      201,
    );
    expect(cf).toMatchObject({
      kind: 'COMMUNITY',
      code: `C-${community.code}`,
      communityId: community.id,
      community: { id: community.id, code: community.code },
      status: 'PREPARING',
      balanceMinor: 0,
    });

    for (const kind of ['MATCHING', 'PROGRAM'] as const) {
      const fund = await newFund(kind, { active: false });
      expect(fund).toMatchObject({
        kind,
        status: 'PREPARING',
        balanceMinor: 0,
        communityId: null,
        activatedAt: null,
      });
      expect(await getFund(fund.id)).toMatchObject({ id: fund.id, kind, status: 'PREPARING' });
    }
    expect(await getFund(general.id)).toMatchObject({ id: general.id, kind: 'GENERAL' });
  });

  it('refuses a second GENERAL fund with 409 GENERAL_FUND_EXISTS', async () => {
    await generalFund();
    const res = await api.post('/api/v1/funds', {
      kind: 'GENERAL',
      code: `G-${uid()}`,
      nameZh: '第二',
      nameEn: 'Second',
    });
    expect(err(res)).toMatchObject({ status: 409, code: 'GENERAL_FUND_EXISTS' });
    const list = bodyOf(await api.get('/api/v1/funds?kind=GENERAL'), 200);
    expect(list.items).toHaveLength(1);
  });

  it('refuses a COMMUNITY fund without communityId with 400', async () => {
    const res = await api.post('/api/v1/funds', {
      kind: 'COMMUNITY',
      nameZh: '无社区',
      nameEn: 'No community',
    });
    expect(err(res)).toMatchObject(invalid('communityId'));
  });

  it('refuses communityId on a PROGRAM fund with 422 INVALID_FUND', async () => {
    const community = await newCommunity();
    const res = await api.post('/api/v1/funds', {
      kind: 'PROGRAM',
      communityId: community.id,
      nameZh: '专项',
      nameEn: 'Program',
    });
    expect(err(res)).toMatchObject({ status: 422, code: 'INVALID_FUND' });
  });

  it('refuses a COMMUNITY fund for an unknown community with 404', async () => {
    const res = await api.post('/api/v1/funds', {
      kind: 'COMMUNITY',
      communityId: randomUUID(),
      nameZh: '无',
      nameEn: 'None',
    });
    expect(err(res)).toMatchObject({ status: 404, code: 'COMMUNITY_NOT_FOUND' });
  });

  it('refuses an unknown kind, a duplicate code and a blank name with the right errors', async () => {
    const base = { kind: 'PROGRAM', nameZh: '专项', nameEn: 'Program' };
    expect(err(await api.post('/api/v1/funds', { ...base, kind: 'SAVINGS' }))).toMatchObject(
      invalid('kind'),
    );
    const fund = await newFund('PROGRAM', { active: false });
    expect(err(await api.post('/api/v1/funds', { ...base, code: fund.code }))).toMatchObject({
      status: 409,
      code: 'DUPLICATE_CODE',
    });
    expect(err(await api.post('/api/v1/funds', { ...base, nameZh: '  ' }))).toMatchObject(
      invalid('nameZh'),
    );
  });

  it('allows one open fund per community (409 COMMUNITY_FUND_EXISTS), and a new one once it is closed', async () => {
    const community = await newCommunity();
    const first = await newFund('COMMUNITY', { communityId: community.id, active: false });
    const again = () =>
      api.post('/api/v1/funds', {
        kind: 'COMMUNITY',
        code: `F-${uid()}`,
        communityId: community.id,
        nameZh: '二',
        nameEn: 'Two',
      });
    expect(err(await again())).toMatchObject({ status: 409, code: 'COMMUNITY_FUND_EXISTS' });
    await activate(first.id);
    expect(err(await again())).toMatchObject({ status: 409, code: 'COMMUNITY_FUND_EXISTS' });
    bodyOf(await api.post(`/api/v1/funds/${first.id}/close`), 200);
    expect(bodyOf(await again(), 201)).toMatchObject({
      communityId: community.id,
      status: 'PREPARING',
    });
  });

  it('opens exactly one fund when several requests race for the same community (409s, never 500)', async () => {
    const community = await newCommunity();
    // allSettled: let every request finish before judging, so none is still running in the next test.
    const settled = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        api.post('/api/v1/funds', {
          kind: 'COMMUNITY',
          code: `RACE-${i}-${uid()}`,
          communityId: community.id,
          nameZh: '并发',
          nameEn: 'Race',
        }),
      ),
    );
    const failure = settled.find((s) => s.status === 'rejected');
    if (failure) throw failure.reason;
    const responses = settled.map((s) => (s as PromiseFulfilledResult<Response>).value);
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(responses.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(
      Array(5).fill('COMMUNITY_FUND_EXISTS'),
    );
    const list = bodyOf(await api.get(`/api/v1/funds?communityId=${community.id}`), 200);
    expect(list.items).toHaveLength(1);
  });

  it('goes PREPARING → ACTIVE → CLOSED and refuses every other transition with 409', async () => {
    const fund = await newFund('PROGRAM', { active: false });
    const active = await activate(fund.id);
    expect(active).toMatchObject({
      status: 'ACTIVE',
      activatedAt: expect.any(String),
      closedAt: null,
    });

    expect(err(await api.post(`/api/v1/funds/${fund.id}/activate`))).toMatchObject({
      status: 409,
      code: 'INVALID_FUND_TRANSITION',
    });
    const closed = bodyOf(await api.post(`/api/v1/funds/${fund.id}/close`), 200);
    expect(closed).toMatchObject({ status: 'CLOSED', closedAt: expect.any(String) });
    for (const action of ['activate', 'close']) {
      expect(err(await api.post(`/api/v1/funds/${fund.id}/${action}`))).toMatchObject({
        status: 409,
        code: 'INVALID_FUND_TRANSITION',
      });
    }
    expect((await getFund(fund.id)).status).toBe('CLOSED');
    const account = bodyOf(await api.get(`/api/v1/ledger/accounts/${fund.accountId}`), 200);
    expect(account.closedAt).toEqual(expect.any(String));
  });

  it('never closes the GENERAL fund', async () => {
    const general = await generalFund();
    expect(err(await api.post(`/api/v1/funds/${general.id}/close`))).toMatchObject({
      status: 409,
      code: 'INVALID_FUND_TRANSITION',
    });
    expect((await getFund(general.id)).status).not.toBe('CLOSED');
  });

  it('refuses to close a fund that holds money (409 FUND_HAS_BALANCE), then closes it once emptied', async () => {
    const fund = await newFund();
    await inflow(fund, 700);
    expect(err(await api.post(`/api/v1/funds/${fund.id}/close`))).toMatchObject({
      status: 409,
      code: 'FUND_HAS_BALANCE',
    });
    expect(await getFund(fund.id)).toMatchObject({ status: 'ACTIVE', balanceMinor: 700 });

    await outflow(fund, 700);
    expect(bodyOf(await api.post(`/api/v1/funds/${fund.id}/close`), 200)).toMatchObject({
      status: 'CLOSED',
      balanceMinor: 0,
    });
  });

  it('refuses money into or out of a closed fund with 422 FUND_CLOSED', async () => {
    const [closed, open] = [await newFund(), await newFund()];
    await inflow(open, 1_000);
    bodyOf(await api.post(`/api/v1/funds/${closed.id}/close`), 200);

    expect(err(await transfer(open, closed, 100))).toMatchObject({
      status: 422,
      code: 'FUND_CLOSED',
    });
    expect(err(await transfer(closed, open, 100))).toMatchObject({
      status: 422,
      code: 'FUND_CLOSED',
    });
    expect(await balancesOf(open, closed)).toEqual([1_000, 0]);
  });

  it('counts a community in the coverage once its fund is activated', async () => {
    const before = bodyOf(await api.get('/api/v1/funds/coverage'), 200);
    const fund = await newFund('COMMUNITY', { active: false });
    const preparing = bodyOf(await api.get('/api/v1/funds/coverage'), 200);
    expect(preparing).toMatchObject({
      communitiesTotal: before.communitiesTotal + 1,
      communitiesWithActiveFund: before.communitiesWithActiveFund,
      communitiesWithPreparingFund: before.communitiesWithPreparingFund + 1,
    });

    await activate(fund.id);
    const after = bodyOf(await api.get('/api/v1/funds/coverage'), 200);
    expect(after).toMatchObject({
      communitiesTotal: before.communitiesTotal + 1,
      communitiesWithActiveFund: before.communitiesWithActiveFund + 1,
      communitiesWithPreparingFund: before.communitiesWithPreparingFund,
    });
    expect(after.coverage).toBeCloseTo(after.communitiesWithActiveFund / after.communitiesTotal, 4);
  });

  it('pages through every fund with limit=1 and nextCursor, each once, in code order', async () => {
    const whole = bodyOf(await api.get('/api/v1/funds?limit=500'), 200) as {
      items: Fund[];
      nextCursor: null;
    };
    expect(whole.items.length).toBeGreaterThan(5);
    expect(whole.nextCursor).toBeNull();
    const { rows, pages } = await allPages<Fund>('/api/v1/funds?limit=1', 'items');
    expect(pages).toBe(whole.items.length);
    expect(rows.map((f) => f.code)).toEqual(whole.items.map((f) => f.code));
    expect(rows.map((f) => f.code)).toEqual([...rows.map((f) => f.code)].sort());
  });

  it('filters by kind and status', async () => {
    await newFund('MATCHING');
    const matching = bodyOf(
      await api.get('/api/v1/funds?kind=MATCHING&status=ACTIVE&limit=500'),
      200,
    ) as { items: Fund[] };
    expect(matching.items.length).toBeGreaterThan(0);
    expect(matching.items.every((f) => f.kind === 'MATCHING' && f.status === 'ACTIVE')).toBe(true);
    expect(err(await api.get('/api/v1/funds?status=OPEN'))).toMatchObject(invalid('status'));
  });

  it.each([['501'], ['0'], ['-1']])('refuses limit=%s with 400', async (limit) => {
    expect(err(await api.get(`/api/v1/funds?limit=${limit}`))).toMatchObject(invalid('limit'));
  });

  it('says a non-numeric limit must be a whole number, not that it is too large', async () => {
    expect(err(await api.get('/api/v1/funds?limit=abc'))).toMatchObject(
      invalid('limit must be a whole number'),
    );
  });

  it('answers 404 FUND_NOT_FOUND for an unknown id on every fund route', async () => {
    const id = randomUUID();
    for (const res of [
      await api.get(`/api/v1/funds/${id}`),
      await api.patch(`/api/v1/funds/${id}`, { nameEn: 'x' }),
      await api.post(`/api/v1/funds/${id}/activate`),
      await api.post(`/api/v1/funds/${id}/close`),
      await api.get(`/api/v1/funds/${id}/statement`),
    ]) {
      expect(err(res)).toMatchObject({ status: 404, code: 'FUND_NOT_FOUND' });
    }
  });

  it('refuses a non-UUID id with 400', async () => {
    expect(err(await api.get('/api/v1/funds/12345'))).toMatchObject(invalid('UUID'));
    expect(err(await api.post('/api/v1/funds/general/activate'))).toMatchObject(invalid('UUID'));
  });

  it('refuses a cursor it did not issue with 400 INVALID_CURSOR', async () => {
    const wrongShape = Buffer.from(JSON.stringify({ id: 1 })).toString('base64url');
    for (const cursor of ['garbage', wrongShape]) {
      expect(err(await api.get(`/api/v1/funds?cursor=${cursor}`))).toMatchObject({
        status: 400,
        code: 'INVALID_CURSOR',
      });
    }
  });

  it('renames a fund with PATCH and refuses fields it may not change', async () => {
    const fund = await newFund('PROGRAM', { active: false });
    expect(
      bodyOf(await api.patch(`/api/v1/funds/${fund.id}`, { nameEn: 'Renamed Fund' }), 200),
    ).toMatchObject({
      nameEn: 'Renamed Fund',
      nameZh: fund.nameZh,
    });
    expect((await getFund(fund.id)).nameEn).toBe('Renamed Fund');
    expect(err(await api.patch(`/api/v1/funds/${fund.id}`, { kind: 'GENERAL' }))).toMatchObject(
      invalid('kind'),
    );
    expect((await getFund(fund.id)).kind).toBe('PROGRAM');
  });

  it('refuses null for a name on PATCH with 400 and keeps the fund as it was', async () => {
    const fund = await newFund('PROGRAM', { active: false });
    expect(err(await api.patch(`/api/v1/funds/${fund.id}`, { nameZh: null }))).toMatchObject(
      invalid('nameZh'),
    );
    expect((await getFund(fund.id)).nameZh).toBe(fund.nameZh);
  });
});

describe('allocations between funds', () => {
  let from: Fund;
  let to: Fund;

  beforeAll(async () => {
    await ensureFoundation();
    // Allocations leave the general fund; restricted funds' money moves only by a release.
    [from, to] = [await generalFund(), await newFund()];
    await inflow(from, 10_000);
  });

  it('moves money from one fund to the other (201)', async () => {
    const before = await balancesOf(from, to);
    const result = bodyOf(
      await transfer(from, to, 2_500, { idempotencyKey: `move-${uid()}` }),
      201,
    );
    expect(result.replayed).toBe(false);
    expect(result.entry).toMatchObject({ kind: 'ALLOCATION', currency: 'CNY' });
    expect(result.entry.postings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountId: from.accountId, amountMinor: -2_500 }),
        expect.objectContaining({ accountId: to.accountId, amountMinor: 2_500 }),
      ]),
    );
    expect(await balancesOf(from, to)).toEqual([before[0]! - 2_500, before[1]! + 2_500]);
  });

  it('replays the same idempotencyKey with 200 and moves nothing again', async () => {
    const key = `replay-${uid()}`;
    const first = bodyOf(await transfer(from, to, 300, { idempotencyKey: key }), 201);
    const after = await balancesOf(from, to);
    const second = bodyOf(await transfer(from, to, 300, { idempotencyKey: key }), 200);
    expect(second).toMatchObject({ replayed: true, entry: { id: first.entry.id } });
    expect(await balancesOf(from, to)).toEqual(after);
  });

  it('refuses the same key for a different amount or target with 409 IDEMPOTENCY_KEY_REUSED', async () => {
    const key = `reuse-${uid()}`;
    const third = await newFund();
    bodyOf(await transfer(from, to, 200, { idempotencyKey: key }), 201);
    const after = await balancesOf(from, to);
    expect(err(await transfer(from, to, 201, { idempotencyKey: key }))).toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(err(await transfer(from, third, 200, { idempotencyKey: key }))).toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await balancesOf(from, to)).toEqual(after);
    expect(await balancesOf(third)).toEqual([0]);
  });

  it('refuses more than the fund holds with 422 INSUFFICIENT_FUND_BALANCE and moves nothing', async () => {
    const before = await balancesOf(from, to);
    expect(err(await transfer(from, to, before[0]! + 1))).toMatchObject({
      status: 422,
      code: 'INSUFFICIENT_FUND_BALANCE',
    });
    expect(await balancesOf(from, to)).toEqual(before);
  });

  it('refuses a fund paying itself with 422 SAME_FUND', async () => {
    const before = await balancesOf(from);
    expect(err(await transfer(from, from, 100))).toMatchObject({ status: 422, code: 'SAME_FUND' });
    expect(await balancesOf(from)).toEqual(before);
  });

  it.each([
    ['negative', -5],
    ['zero', 0],
    ['fractional', 1.5],
    ['string', '100'],
    ['huge', 1e20],
    ['null', null],
    ['boolean', true],
    ['missing', undefined],
  ])(
    'refuses a %s amountMinor with 400 naming amountMinor, and moves nothing',
    async (_what, amount) => {
      const before = await balancesOf(from, to);
      expect(err(await transfer(from, to, amount))).toMatchObject(invalid('amountMinor'));
      expect(await balancesOf(from, to)).toEqual(before);
    },
  );

  it('refuses an unknown fund on either side with 404 FUND_NOT_FOUND', async () => {
    const ghost = { id: randomUUID() };
    expect(err(await transfer(from, ghost, 100))).toMatchObject({
      status: 404,
      code: 'FUND_NOT_FOUND',
    });
    expect(err(await transfer(ghost, to, 100))).toMatchObject({
      status: 404,
      code: 'FUND_NOT_FOUND',
    });
  });

  it('refuses non-UUID fund ids and a malformed idempotencyKey with 400', async () => {
    expect(err(await transfer({ id: 'general' }, to, 100))).toMatchObject(invalid('fromFundId'));
    expect(err(await transfer(from, to, 100, { idempotencyKey: 'has spaces' }))).toMatchObject(
      invalid('idempotencyKey'),
    );
  });

  it('refuses an unknown property with 400 (forbidNonWhitelisted) and moves nothing', async () => {
    const before = await balancesOf(from, to);
    expect(err(await transfer(from, to, 100, { approvedBy: 'me' }))).toMatchObject(
      invalid('approvedBy'),
    );
    expect(await balancesOf(from, to)).toEqual(before);
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await api.raw(
      'post',
      '/api/v1/allocations',
      `{"fromFundId": "${from.id}", "amountMinor": 1`,
    );
    expect(err(res)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });
});

describe('yearly allocation to community funds', () => {
  const YEAR = 2026;
  const AMOUNT = 1_000;
  let general: Fund;
  let waiting: Fund;
  let firstRun: { fundId: string; entryId: string }[];

  const yearly = (body: object) => api.post('/api/v1/allocations/yearly', body);
  const activeCommunityFunds = async (): Promise<Fund[]> =>
    (
      bodyOf(await api.get('/api/v1/funds?kind=COMMUNITY&status=ACTIVE&limit=500'), 200) as {
        items: Fund[];
      }
    ).items;
  const ids = (rows: { fundId: string }[]) => rows.map((r) => r.fundId).sort();

  beforeAll(async () => {
    await ensureFoundation();
    general = await generalFund();
    for (let i = 0; i < 3; i++) await newFund('COMMUNITY');
    waiting = await newFund('COMMUNITY', { active: false });
    await inflow(general, 1_000_000);
  });

  it(`moves the amount once to every active community fund for ${YEAR}, none to preparing ones`, async () => {
    const targets = await activeCommunityFunds();
    expect(targets.length).toBeGreaterThanOrEqual(3);
    const before = await balancesOf(general, waiting, ...targets);

    const result = bodyOf(await yearly({ year: YEAR, amountMinor: AMOUNT }), 200);
    expect(result).toMatchObject({
      year: YEAR,
      amountMinor: AMOUNT,
      sourceFundId: general.id,
      alreadyAllocated: [],
      movedMinor: targets.length * AMOUNT,
    });
    expect(ids(result.allocated)).toEqual(ids(targets.map((f) => ({ fundId: f.id }))));
    firstRun = result.allocated;

    const after = await balancesOf(general, waiting, ...targets);
    expect(after).toEqual([
      before[0]! - targets.length * AMOUNT,
      0,
      ...before.slice(2).map((b) => b + AMOUNT),
    ]);
  });

  it('moves nothing when run again for the same year and lists the funds as already allocated', async () => {
    const targets = await activeCommunityFunds();
    const before = await balancesOf(general, ...targets);
    const result = bodyOf(await yearly({ year: YEAR, amountMinor: AMOUNT }), 200);
    expect(result).toMatchObject({ allocated: [], movedMinor: 0 });
    expect([...result.alreadyAllocated].sort((a, b) => a.fundId.localeCompare(b.fundId))).toEqual(
      [...firstRun].sort((a, b) => a.fundId.localeCompare(b.fundId)),
    );
    expect(await balancesOf(general, ...targets)).toEqual(before);
  });

  it('gives a fund activated since the first run its allocation on the next run', async () => {
    await activate(waiting.id);
    const [generalBefore] = await balancesOf(general);
    const result = bodyOf(await yearly({ year: YEAR, amountMinor: AMOUNT }), 200);
    expect(ids(result.allocated)).toEqual([waiting.id]);
    expect(ids(result.alreadyAllocated)).toEqual(ids(firstRun));
    expect(result.movedMinor).toBe(AMOUNT);
    expect(await balancesOf(general, waiting)).toEqual([generalBefore! - AMOUNT, AMOUNT]);
  });

  it('refuses a different amount for the same year with 409 and moves nothing', async () => {
    const targets = await activeCommunityFunds();
    const before = await balancesOf(general, ...targets);
    expect(err(await yearly({ year: YEAR, amountMinor: AMOUNT + 1 }))).toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await balancesOf(general, ...targets)).toEqual(before);
  });

  it('refuses with 422 when the source cannot cover every fund, and moves nothing at all', async () => {
    const targets = await activeCommunityFunds();
    const before = await balancesOf(general, ...targets);
    const tooMuch = Math.floor(before[0]! / targets.length) + 1;
    expect(err(await yearly({ year: 2027, amountMinor: tooMuch }))).toMatchObject({
      status: 422,
      code: 'INSUFFICIENT_FUND_BALANCE',
    });
    expect(await balancesOf(general, ...targets)).toEqual(before);

    // A program fund's money is restricted: it is never the source of a yearly allocation.
    const restricted = await newFund('PROGRAM');
    await inflow(restricted, 1_000_000);
    expect(
      err(await yearly({ year: 2027, amountMinor: 1, sourceFundId: restricted.id })),
    ).toMatchObject({
      status: 422,
      code: 'RELEASE_REQUIRED',
    });
    expect(await balancesOf(restricted, ...targets)).toEqual([1_000_000, ...before.slice(1)]);

    // Nothing of 2027 was recorded: a run the general fund can afford allocates every fund.
    const result = bodyOf(await yearly({ year: 2027, amountMinor: 1 }), 200);
    expect(ids(result.allocated)).toEqual(ids(targets.map((f) => ({ fundId: f.id }))));
    expect(result.alreadyAllocated).toEqual([]);
  });

  it('refuses an unknown source fund with 404', async () => {
    expect(
      err(await yearly({ year: 2028, amountMinor: 1, sourceFundId: randomUUID() })),
    ).toMatchObject({
      status: 404,
      code: 'FUND_NOT_FOUND',
    });
  });

  it.each([
    ['a year before 2000', { year: 1999, amountMinor: 1 }, 'year'],
    ['a year after 2100', { year: 2101, amountMinor: 1 }, 'year'],
    ['a zero amount', { year: 2028, amountMinor: 0 }, 'amountMinor'],
    ['a fractional amount', { year: 2028, amountMinor: 0.5 }, 'amountMinor'],
    ['a non-UUID source', { year: 2028, amountMinor: 1, sourceFundId: 'GENERAL' }, 'sourceFundId'],
  ])('refuses %s with 400', async (_what, body, field) => {
    expect(err(await yearly(body))).toMatchObject(invalid(field));
  });

  it('says a missing or textual year must be a whole number, not that it is after 2100', async () => {
    expect(err(await yearly({ amountMinor: 1 }))).toMatchObject(
      invalid('year must be a whole number'),
    );
    expect(err(await yearly({ year: '2026', amountMinor: 1 }))).toMatchObject(
      invalid('year must be a whole number'),
    );
  });

  it('is not pre-empted by a transfer whose idempotencyKey looks like the yearly key', async () => {
    const target = await newFund('COMMUNITY');
    await inflow(general, 1_000_000);
    bodyOf(await transfer(general, target, 1, { idempotencyKey: `yearly:2031:${target.id}` }), 201);

    const result = bodyOf(await yearly({ year: 2031, amountMinor: 500 }), 200);
    expect(ids(result.allocated)).toContain(target.id);
    expect(await balancesOf(target)).toEqual([501]);
  });

  it('keeps the general fund’s statement consistent across postings made at the same instant', async () => {
    const full = await statement(general.id);
    expect(full.balanceMinor).toBe((await getFund(general.id)).balanceMinor);
    expect(full.lines.map((l) => l.balanceAfterMinor)).toEqual(expectedRunningBalances(full));
    expect(newestFirst(full.lines)).toBe(true);
    const { rows } = await allPages<StatementLine>(
      `/api/v1/funds/${general.id}/statement?limit=1`,
      'lines',
    );
    expect(rows).toEqual(full.lines);
  });
});

describe('fund statement', () => {
  let fund: Fund;
  let other: Fund;
  let full: Statement;

  beforeAll(async () => {
    await ensureFoundation();
    // The fund's money goes out for its purpose and some comes back (a payee's refund): manual
    // entries against one outside account, the counterparty of those lines.
    fund = await newFund();
    const payee = await externalAccount(t, 'external:statement-payee');
    other = { ...fund, id: payee.id, accountId: payee.id };
    const move = (from: string, to: string, amountMinor: number, kind: string) =>
      manualEntry(
        [
          { accountId: from, amountMinor: -amountMinor },
          { accountId: to, amountMinor },
        ],
        { kind },
      );
    await inflow(fund, 10_000);
    bodyOf(await move(fund.accountId, payee.id, 3_000, 'EXPENSE'), 201);
    bodyOf(await move(payee.id, fund.accountId, 500, 'ADJUSTMENT'), 201);
    bodyOf(await move(fund.accountId, payee.id, 1_200, 'EXPENSE'), 201);
    await inflow(fund, 250);
    full = await statement(fund.id);
  });

  it('lists the postings newest first with a consistent running balance', async () => {
    expect(full.lines.map((l) => l.amountMinor)).toEqual([250, -1_200, 500, -3_000, 10_000]);
    expect(newestFirst(full.lines)).toBe(true);
    expect(full.balanceMinor).toBe(6_550);
    expect((await getFund(fund.id)).balanceMinor).toBe(6_550);
    expect(full.lines[0]!.balanceAfterMinor).toBe(6_550);
    expect(full.lines.map((l) => l.balanceAfterMinor)).toEqual(expectedRunningBalances(full));
    expect(full.lines.map((l) => l.balanceAfterMinor)).toEqual([
      6_550, 6_300, 7_500, 7_000, 10_000,
    ]);
    expect(full.lines[1]!.counterparties.map((c) => c.accountId)).toEqual([other.accountId]);
  });

  it('pages with limit=2 and nextCursor, covering every line exactly once with the same balances', async () => {
    const { rows, pages } = await allPages<StatementLine>(
      `/api/v1/funds/${fund.id}/statement?limit=2`,
      'lines',
    );
    expect(pages).toBe(3);
    expect(rows).toEqual(full.lines);
  });

  it('filters by from (inclusive) and to (exclusive) and keeps the running balances', async () => {
    const [newest, , middle, older] = full.lines;
    const from = encodeURIComponent(older!.postedAt);
    const to = encodeURIComponent(newest!.postedAt);
    const window = await statement(fund.id, `from=${from}&to=${to}`);
    expect(window.lines).toEqual(full.lines.slice(1, 4));
    expect(window.lines[1]).toEqual(middle);

    const since = await statement(fund.id, `from=${encodeURIComponent(middle!.postedAt)}`);
    expect(since.lines).toEqual(full.lines.slice(0, 3));
    const none = await statement(fund.id, 'to=2000-01-01');
    expect(none).toMatchObject({ lines: [], nextCursor: null, balanceMinor: 6_550 });
  });

  it('matches the ledger account statement of the fund', async () => {
    const ledger = bodyOf(
      await api.get(`/api/v1/ledger/accounts/${fund.accountId}/statement?limit=500`),
      200,
    );
    expect(ledger.lines).toEqual(full.lines);
  });

  it.each([
    ['from=yesterday', 'from'],
    ['to=2026-13-45', 'to'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
  ])('refuses %s with 400', async (query, field) => {
    expect(err(await api.get(`/api/v1/funds/${fund.id}/statement?${query}`))).toMatchObject(
      invalid(field),
    );
  });

  it('refuses a garbage cursor with 400 INVALID_CURSOR', async () => {
    const wrongShape = Buffer.from(JSON.stringify({ postedMicros: 'x', postingId: 1 })).toString(
      'base64url',
    );
    for (const cursor of ['%%%', wrongShape]) {
      expect(
        err(
          await api.get(`/api/v1/funds/${fund.id}/statement?cursor=${encodeURIComponent(cursor)}`),
        ),
      ).toMatchObject({
        status: 400,
        code: 'INVALID_CURSOR',
      });
    }
  });
});

describe('ledger', () => {
  let fund: Fund;
  let donorsId: string;

  beforeAll(async () => {
    await ensureFoundation();
    fund = await newFund();
    donorsId = (await externalAccount(t)).id;
  });

  const gift = (amountMinor: number, overrides: object = {}) =>
    manualEntry(
      [
        { accountId: donorsId, amountMinor: -amountMinor },
        { accountId: fund.accountId, amountMinor },
      ],
      overrides,
    );
  const balance = async (accountId: string): Promise<number> =>
    bodyOf(await api.get(`/api/v1/ledger/accounts/${accountId}`), 200).balanceMinor;

  it('lists fund accounts with balances and answers 404 for an unknown account', async () => {
    await inflow(fund, 50);
    const accounts = bodyOf(await api.get('/api/v1/ledger/accounts?type=FUND&limit=500'), 200);
    expect(accounts.items.every((a: { type: string }) => a.type === 'FUND')).toBe(true);
    const mine = accounts.items.find((a: { id: string }) => a.id === fund.accountId);
    expect(mine.balanceMinor).toBe((await getFund(fund.id)).balanceMinor);
    expect(err(await api.get(`/api/v1/ledger/accounts/${randomUUID()}`))).toMatchObject({
      status: 404,
      code: 'ACCOUNT_NOT_FOUND',
    });
    expect(err(await api.get('/api/v1/ledger/accounts?type=BANK'))).toMatchObject(invalid('type'));
  });

  it('posts a manual entry (201), replays the same key (200) and moves the money once', async () => {
    const before = await balance(fund.accountId);
    const key = `gift-${uid()}`;
    const first = bodyOf(await gift(4_000, { idempotencyKey: key }), 201);
    expect(first).toMatchObject({
      replayed: false,
      entry: { kind: 'OFFLINE_CONTRIBUTION', currency: 'CNY' },
    });
    expect(bodyOf(await api.get(`/api/v1/ledger/entries/${first.entry.id}`), 200)).toMatchObject({
      id: first.entry.id,
      reversedByEntryId: null,
    });
    const replay = bodyOf(await gift(4_000, { idempotencyKey: key, description: 'retried' }), 200);
    expect(replay).toMatchObject({ replayed: true, entry: { id: first.entry.id } });
    expect(await balance(fund.accountId)).toBe(before + 4_000);
    expect(err(await gift(4_001, { idempotencyKey: key }))).toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await balance(fund.accountId)).toBe(before + 4_000);
  });

  it('refuses an unbalanced entry with 422 UNBALANCED_ENTRY and moves nothing', async () => {
    const before = await balance(fund.accountId);
    const res = await manualEntry([
      { accountId: donorsId, amountMinor: -100 },
      { accountId: fund.accountId, amountMinor: 99 },
    ]);
    expect(err(res)).toMatchObject({ status: 422, code: 'UNBALANCED_ENTRY' });
    expect(await balance(fund.accountId)).toBe(before);
  });

  it('refuses an unknown account with 404 ACCOUNT_NOT_FOUND', async () => {
    const res = await manualEntry([
      { accountId: donorsId, amountMinor: -100 },
      { accountId: randomUUID(), amountMinor: 100 },
    ]);
    expect(err(res)).toMatchObject({ status: 404, code: 'ACCOUNT_NOT_FOUND' });
  });

  it.each([
    ['one posting', { postings: [{ accountId: randomUUID(), amountMinor: 100 }] }, 'postings'],
    ['no postings', { postings: [] }, 'postings'],
    [
      'a zero posting',
      {
        postings: [
          { accountId: randomUUID(), amountMinor: 0 },
          { accountId: randomUUID(), amountMinor: 0 },
        ],
      },
      'postings.0.amountMinor',
    ],
    [
      'a non-UUID account',
      {
        postings: [
          { accountId: 'cash', amountMinor: 1 },
          { accountId: randomUUID(), amountMinor: -1 },
        ],
      },
      'postings.0.accountId',
    ],
    ['a kind only the system posts', { kind: 'ALLOCATION' }, 'kind'],
    ['a missing idempotencyKey', { idempotencyKey: undefined }, 'idempotencyKey'],
  ])('refuses %s with 400', async (_what, overrides, field) => {
    const res = await manualEntry(
      [
        { accountId: donorsId, amountMinor: -1 },
        { accountId: fund.accountId, amountMinor: 1 },
      ],
      overrides,
    );
    expect(err(res)).toMatchObject(invalid(field));
  });

  it('refuses an expense larger than the fund holds with 422 INSUFFICIENT_FUND_BALANCE', async () => {
    const before = await balance(fund.accountId);
    const res = await manualEntry(
      [
        { accountId: fund.accountId, amountMinor: -(before + 1) },
        { accountId: donorsId, amountMinor: before + 1 },
      ],
      { kind: 'EXPENSE' },
    );
    expect(err(res)).toMatchObject({ status: 422, code: 'INSUFFICIENT_FUND_BALANCE' });
    expect(await balance(fund.accountId)).toBe(before);
  });

  it('reverses an entry once: balances restored, reversedByEntryId set, a repeat is a replay', async () => {
    const [fundBefore, donorsBefore] = [await balance(fund.accountId), await balance(donorsId)];
    const original = bodyOf(await gift(1_234), 201).entry;
    const reversal = bodyOf(
      await api.post(`/api/v1/ledger/entries/${original.id}/reversal`, { reason: 'Entered twice' }),
      201,
    );
    expect(reversal).toMatchObject({
      replayed: false,
      entry: { kind: 'REVERSAL', reversesEntryId: original.id, description: 'Entered twice' },
    });
    expect(reversal.entry.postings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountId: fund.accountId, amountMinor: -1_234 }),
        expect.objectContaining({ accountId: donorsId, amountMinor: 1_234 }),
      ]),
    );
    expect([await balance(fund.accountId), await balance(donorsId)]).toEqual([
      fundBefore,
      donorsBefore,
    ]);
    expect(
      bodyOf(await api.get(`/api/v1/ledger/entries/${original.id}`), 200).reversedByEntryId,
    ).toBe(reversal.entry.id);

    const again = await api.post(`/api/v1/ledger/entries/${original.id}/reversal`, {
      reason: 'Clicked twice',
    });
    expect(again.status).toBeLessThan(300);
    expect(again.body).toMatchObject({ replayed: true, entry: { id: reversal.entry.id } });
    expect(await balance(fund.accountId)).toBe(fundBefore);

    expect(
      err(await api.post(`/api/v1/ledger/entries/${reversal.entry.id}/reversal`)),
    ).toMatchObject({
      status: 409,
      code: 'ENTRY_IS_REVERSAL',
    });
  });

  it('refuses a reversal that would overdraw a fund whose money has moved on (422), changing nothing', async () => {
    const giver = await newFund();
    const original = await inflow(giver, 5_000);
    await outflow(giver, 4_000);
    const res = await api.post(`/api/v1/ledger/entries/${original.id}/reversal`, {
      reason: 'Bounced',
    });
    expect(err(res)).toMatchObject({ status: 422, code: 'INSUFFICIENT_FUND_BALANCE' });
    expect(await balancesOf(giver)).toEqual([1_000]);
    expect(
      bodyOf(await api.get(`/api/v1/ledger/entries/${original.id}`), 200).reversedByEntryId,
    ).toBeNull();
  });

  it('answers 404 ENTRY_NOT_FOUND for an unknown entry and 400 for a reason that is not text', async () => {
    expect(err(await api.get(`/api/v1/ledger/entries/${randomUUID()}`))).toMatchObject({
      status: 404,
      code: 'ENTRY_NOT_FOUND',
    });
    expect(err(await api.post(`/api/v1/ledger/entries/${randomUUID()}/reversal`))).toMatchObject({
      status: 404,
      code: 'ENTRY_NOT_FOUND',
    });
    const entry = bodyOf(await gift(1), 201).entry;
    expect(
      err(await api.post(`/api/v1/ledger/entries/${entry.id}/reversal`, { reason: 42 })),
    ).toMatchObject(invalid('reason'));
  });
});

describe('public home page', () => {
  const XSS = '<script>alert(1)</script>';

  beforeAll(ensureFoundation);

  it('renders HTML with the foundation name in the chosen language', async () => {
    const zh = await api.get('/');
    expect(zh.status).toBe(200);
    expect(zh.type).toBe('text/html');
    expect(zh.text).toContain(PROFILE.legalNameZh);
    const en = await api.get('/?lang=en');
    expect(en.text).toContain(PROFILE.legalNameEn);
    expect((await api.get('/', { 'accept-language': 'en-GB,en;q=0.9' })).text).toContain(
      PROFILE.legalNameEn,
    );
  });

  it('shows the same coverage figures as the API', async () => {
    await newFund('COMMUNITY');
    const coverage = bodyOf(await api.get('/api/v1/funds/coverage'), 200);
    const page = await api.get('/');
    expect(page.text).toContain(
      `${coverage.communitiesWithActiveFund} / ${coverage.communitiesTotal}`,
    );
  });

  it('escapes a fund name that contains markup, in both languages', async () => {
    const fund = bodyOf(
      await api.post('/api/v1/funds', {
        kind: 'PROGRAM',
        code: `XSS-${uid()}`,
        nameZh: XSS,
        nameEn: XSS,
      }),
      201,
    );
    await activate(fund.id);
    for (const path of ['/', '/?lang=en']) {
      const page = await api.get(path);
      expect(page.status).toBe(200);
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(page.text).not.toContain(XSS);
    }
  });
});

describe('the whole file', () => {
  it('leaves a ledger that passes every invariant check', async () => {
    const report = bodyOf(await api.get('/api/v1/ledger/check'), 200);
    expect(report).toMatchObject({
      ok: true,
      unbalancedEntries: [],
      balanceMismatches: [],
      negativeAccounts: [],
    });
    expect(report.entries).toBeGreaterThan(0);
  });

  it('got no 500 and only well-formed error bodies, across every error code exercised', () => {
    const errors = seen.filter((s) => s.status >= 400);
    expect(seen.filter((s) => s.status >= 500)).toEqual([]);
    expect(
      errors.filter((e) => typeof e.body !== 'object' || !('code' in (e.body as object))),
    ).toEqual([]);
    const codes = new Set(errors.map((e) => (e.body as { code: string }).code));
    expect([...codes].sort()).toEqual(
      expect.arrayContaining([
        'ACCOUNT_NOT_FOUND',
        'COMMUNITY_FUND_EXISTS',
        'CURRENCY_LOCKED',
        'DUPLICATE_CODE',
        'ENTRY_IS_REVERSAL',
        'FOUNDATION_NOT_CONFIGURED',
        'FUND_CLOSED',
        'FUND_HAS_BALANCE',
        'FUND_NOT_FOUND',
        'GENERAL_FUND_EXISTS',
        'IDEMPOTENCY_KEY_REUSED',
        'INSUFFICIENT_FUND_BALANCE',
        'INVALID_CURSOR',
        'INVALID_FUND',
        'INVALID_FUND_TRANSITION',
        'SAME_FUND',
        'UNBALANCED_ENTRY',
        'VALIDATION_FAILED',
      ]),
    );
  });
});
