/* eslint-disable jest/no-export -- a helper, not a test file: it registers the hooks and the closing checks every API file shares */
import request, { type Response } from 'supertest';
import { createUser } from '../factories/accounts.factory';
import { createTestApp, type TestApp } from './test-app';

/**
 * The JSON API end to end: real HTTP (supertest) against the full app on the test file's own
 * cloned database, with Redis. Every response passes through `call`, which refuses a 500 and any
 * error body that is not exactly {statusCode, error, code, message}, and records it for the
 * file's closing checks (`describeWholeFileChecks`).
 */

export type Method = 'get' | 'post' | 'put' | 'patch';

export interface Seen {
  request: string;
  status: number;
  body: unknown;
}

export interface ApiClient {
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, body?: unknown): Promise<Response>;
  put(path: string, body: unknown): Promise<Response>;
  patch(path: string, body: unknown): Promise<Response>;
  /** A body sent as-is (malformed JSON and the like). */
  raw(method: Method, path: string, text: string, contentType?: string): Promise<Response>;
  /** Every response so far, for the closing checks. */
  seen: Seen[];
}

export interface ApiTestApp {
  /** The app, once the file's beforeAll has started it. */
  t(): TestApp;
  api: ApiClient;
}

/** What is wrong with an error answer's body, or null when it has exactly the error shape. */
export function problemWithErrorBody(res: { status: number; body: unknown }): string | null {
  const body = res.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return 'the body is not a JSON object';
  }
  const keys = Object.keys(body)
    .filter((k) => k !== 'details')
    .sort()
    .join(',');
  if (keys !== 'code,error,message,statusCode') {
    return `keys are ${keys}`;
  }
  if ('details' in body && (typeof body.details !== 'object' || Array.isArray(body.details))) {
    return 'details is not an object';
  }
  if (body.statusCode !== res.status) {
    return `statusCode ${String(body.statusCode)} differs from ${res.status}`;
  }
  if (typeof body.error !== 'string' || body.error === '') {
    return 'error is not a non-empty string';
  }
  if (typeof body.code !== 'string' || !/^[A-Z][A-Z_]+$/.test(body.code)) {
    return 'code is not UPPER_SNAKE';
  }
  const message = body.message;
  const messageOk =
    (typeof message === 'string' && message !== '') ||
    (Array.isArray(message) && message.length > 0 && message.every((m) => typeof m === 'string'));
  return messageOk ? null : 'message is neither a string nor a list of strings';
}

/**
 * Starts the app for this test file (beforeAll/afterAll) with a staff user holding ADMIN and
 * FINANCE: these files test the API's behaviour, not its permissions (route-policies does that).
 */
export function useApiTestApp(): ApiTestApp {
  let app: TestApp | undefined;
  let staff: Record<string, string> = {};
  const seen: Seen[] = [];

  beforeAll(async () => {
    app = await createTestApp();
    await app.app.getHttpAdapter().getInstance().ready();
    staff = (await createUser(app, ['ADMIN', 'FINANCE'])).auth;
  });
  afterAll(() => app?.close());

  const t = (): TestApp => {
    if (!app) {
      throw new Error('the app is not started yet: use it inside a test or a hook');
    }
    return app;
  };

  async function call(
    method: Method,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    let req = request(t().server)[method](path).set(staff);
    for (const [name, value] of Object.entries(headers)) {
      req = req.set(name, value);
    }
    const res = body === undefined ? await req : await req.send(body as object);
    const what = `${method.toUpperCase()} ${path}`;
    seen.push({ request: what, status: res.status, body: res.body });
    if (res.status >= 500) {
      throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
    if (res.status >= 400) {
      const problem = problemWithErrorBody(res);
      if (problem) {
        throw new Error(
          `${what} answered a malformed error (${problem}): ${JSON.stringify(res.body)}`,
        );
      }
    }
    return res;
  }

  const api: ApiClient = {
    get: (path, headers) => call('get', path, undefined, headers),
    post: (path, body) => call('post', path, body ?? {}),
    put: (path, body) => call('put', path, body),
    patch: (path, body) => call('patch', path, body),
    raw: (method, path, text, contentType = 'application/json') =>
      call(method, path, text, { 'content-type': contentType }),
    seen,
  };
  return { t, api };
}

/** The body of a response that must have this status; the failure message shows what came back. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function bodyOf(res: Response, status: number): any {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

/** What an error response says, for one `expect(...).toMatchObject(...)`. */
export function err(res: Response): { status: number; code: unknown; message: string } {
  const message = (res.body as { message?: unknown } | undefined)?.message;
  return {
    status: res.status,
    code: (res.body as { code?: unknown } | undefined)?.code,
    message: Array.isArray(message) ? message.join(' | ') : String(message),
  };
}

export const invalid = (field: string) => ({
  status: 400,
  code: 'VALIDATION_FAILED',
  message: expect.stringContaining(field) as unknown,
});

/**
 * The checks that close every API file: no 500 and only well-formed error bodies across every
 * call it made, each error code in `codes` exercised, and (when the file moved money) a ledger
 * that passes every invariant check.
 */
export function describeWholeFileChecks(
  api: ApiClient,
  { codes, movedMoney }: { codes: string[]; movedMoney: boolean },
): void {
  describe('the whole file', () => {
    if (movedMoney) {
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
    }

    it('got no 500 and only well-formed error bodies, across every error code exercised', () => {
      const errors = api.seen.filter((s) => s.status >= 400);
      expect(api.seen.filter((s) => s.status >= 500)).toEqual([]);
      expect(
        errors.filter((e) => typeof e.body !== 'object' || !('code' in (e.body as object))),
      ).toEqual([]);
      const exercised = new Set(errors.map((e) => (e.body as { code: string }).code));
      expect([...exercised].sort()).toEqual(expect.arrayContaining(codes));
    });
  });
}
