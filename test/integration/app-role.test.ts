import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { PROFILE } from '../factories/api.factory';
import { buildCampaign } from '../factories/campaigns.factory';
import { urlFor, withAdmin } from '../setup/databases';
import { cleanEnv, freePort, ROOT, runCli, startServer, stopServer } from '../utils/processes';
import { waitUntil } from '../utils/wait';

/**
 * docs/sql/app-role.sql on a throwaway database: the migrations run as the owner role (the
 * migration job), the server, the CLI and `ledger:check` as the app role, which owns
 * nothing. A gift is paid through the sandbox checkout and settled by its webhook; then the app
 * role tries what only an owner or a superuser may do (disable the ledger's triggers, rewrite or
 * truncate postings) and is refused by PostgreSQL itself.
 */
const DB = process.env.TEST_DB_NAME!;
const OWNER = `${DB}_owner`;
const APP = `${DB}_app`;

function roleUrl(role: string): string {
  const url = new URL(urlFor(DB));
  url.username = role;
  url.password = '';
  return url.toString();
}

/** Runs the script as the operator would: psql, as a superuser, on the target database. */
function runScript(): void {
  const result = spawnSync(
    'psql',
    [
      urlFor(DB),
      '-X',
      '-q',
      '-v',
      `owner=${OWNER}`,
      '-v',
      `app=${APP}`,
      '-f',
      path.join(ROOT, 'docs/sql/app-role.sql'),
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0) throw new Error(`app-role.sql failed:\n${result.stderr}`);
}

/** One connection to the throwaway database (as a superuser unless a role is named). */
async function inDatabase<T>(fn: (db: Client) => Promise<T>, role?: string): Promise<T> {
  const db = new Client({ connectionString: role ? roleUrl(role) : urlFor(DB) });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/** A statement as the app role; resolves with the SQLSTATE it failed with, or 'ok'. */
function asApp(sql: string): Promise<string> {
  return inDatabase(
    (db) =>
      db.query(sql).then(
        () => 'ok',
        (error: Error & { code?: string }) => error.code ?? error.message,
      ),
    APP,
  );
}

describe('the app as a database role that owns nothing', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lianxin-app-role-'));
  let server: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;
  let base: string;

  beforeAll(async () => {
    await withAdmin((admin) => admin.query(`CREATE DATABASE "${DB}"`));
    runScript(); // before the first migration: roles, schema, default privileges
    const migrated = runCli(
      ['migrate'],
      cleanEnv({ DATABASE_URL: roleUrl(OWNER), PAYMENTS_SANDBOX: 'true', DATA_DIR: dataDir }),
    );
    if (migrated.status !== 0) throw new Error(`migrate as the owner failed:\n${migrated.stderr}`);
    runScript(); // after it: the append-only tables' UPDATE and DELETE taken back
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = cleanEnv({
      DATABASE_URL: roleUrl(APP),
      DATABASE_POOL_SIZE: '5',
      PAYMENTS_SANDBOX: 'true',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      LOG_LEVEL: 'error',
    });
    server = (await startServer(env)).child;
  }, 180_000);

  afterAll(async () => {
    if (server) await stopServer(server);
    await withAdmin(async (admin) => {
      await admin.query(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS "${APP}"`);
      await admin.query(`DROP ROLE IF EXISTS "${OWNER}"`);
    });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves every table, sequence and function to the owner, none to the app role', async () => {
    const owners = await inDatabase(async (db) => {
      const { rows } = await db.query<{ owner: string }>(
        `SELECT pg_get_userbyid(c.relowner) AS owner, count(*) AS n
             FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
            WHERE s.nspname = 'public' AND c.relkind IN ('r', 'S', 'v', 'p')
            GROUP BY 1
           UNION ALL
           SELECT pg_get_userbyid(p.proowner), count(*)
             FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace
            WHERE s.nspname = 'public' GROUP BY 1`,
      );
      return [...new Set(rows.map((r) => r.owner))];
    });
    expect(owners).toEqual([OWNER]);
  });

  /** The JSON API as the administrator the CLI made (as the app role). */
  async function api(method: string, url: string, body?: object): Promise<{ id: string }> {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    const json = (await res.json()) as { id: string };
    if (res.status >= 300)
      throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }
  let bearer: Record<string, string> = {};

  it('runs the CLI, the API, a gift through checkout and webhook and ledger:check as the app role', async () => {
    const admin = runCli(
      ['create-admin', '--email', 'admin@example.org', '--password', 'a long enough password'],
      env,
    );
    expect(admin.stderr).not.toMatch(/permission denied|must be owner/);
    expect(admin.status).toBe(0);
    const token = runCli(['create-token', '--email', 'admin@example.org', '--name', 'role'], env);
    expect(token.status).toBe(0);
    bearer = { authorization: `Bearer ${/lx_pat_\S+/.exec(token.stdout)?.[0]}` };
    await api('PUT', '/api/v1/foundation', PROFILE);
    const fund = await api('POST', '/api/v1/funds', {
      kind: 'PROGRAM',
      code: 'ROLE-1',
      nameZh: '基金',
      nameEn: 'Fund',
    });
    await api('POST', `/api/v1/funds/${fund.id}/activate`);
    const campaign = await api('POST', '/api/v1/campaigns', {
      ...buildCampaign({ slug: 'stairwells' }),
      fundId: fund.id,
    });
    await api('POST', `/api/v1/campaigns/${campaign.id}/publish`);

    const started = await fetch(`${base}/api/v1/campaigns/stairwells/donations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        amountMinor: 12_300,
        donorName: '王小明',
        donorEmail: 'r@example.org',
      }),
    });
    expect(started.status).toBe(201);
    const { id, checkoutUrl } = (await started.json()) as { id: string; checkoutUrl: string };
    const checkout = await fetch(new URL(checkoutUrl, base));
    const cookie = checkout.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await checkout.text())?.[1];
    expect(csrf).toBeDefined();
    const paid = await fetch(`${new URL(checkoutUrl, base).toString()}/pay`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf! }).toString(),
    });
    expect(paid.status).toBe(303);

    const settled = await waitUntil(async () => {
      const res = await fetch(`${base}/campaigns/stairwells/thanks?donation=${id}`);
      const { rows } = await inDatabase((db) =>
        db.query<{ key: string }>(
          `SELECT idempotency_key AS key FROM journal_entries WHERE idempotency_key = $1`,
          [`donation:${id}:settle`],
        ),
      );
      return res.status === 200 && rows.length === 1 ? rows : null;
    }, 'the gift settled by its webhook');
    expect(settled).toHaveLength(1);

    const check = runCli(['ledger:check'], env);
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/"ok": true/);
  }, 180_000);

  it.each([
    ['disable the ledger triggers', 'ALTER TABLE postings DISABLE TRIGGER ALL', '42501'],
    ['drop a trigger', 'DROP TRIGGER postings_append_only ON postings', '42501'],
    ['rewrite a posting', 'UPDATE postings SET amount_minor = amount_minor', '42501'],
    ['delete an entry', 'DELETE FROM journal_entries', '42501'],
    ['truncate postings', 'TRUNCATE postings CASCADE', '42501'],
    ['change the audit log', 'UPDATE audit_log SET action = action', '42501'],
    ['delete audit rows', 'DELETE FROM audit_log', '42501'],
    ['move an audit row in time', 'UPDATE audit_log SET at = at, redacted_at = now()', '42501'],
    // What erasure needs it may do (checked on every row by the trigger: an earlier test).
    [
      'redact an audit row',
      `UPDATE audit_log SET actor_label = 'x', ip = NULL, before = NULL, after = NULL,
              redacted_at = now() WHERE false`,
      'ok',
    ],
    ['replicate without triggers', 'SET session_replication_role = replica', '42501'],
    ['create a table', 'CREATE TABLE shadow_ledger (id int)', '42501'],
    ['replace a ledger function', 'ALTER FUNCTION ledger_append_only() RENAME TO x', '42501'],
    // What it may write, the triggers still guard: a balance changes only by a posting.
    [
      'set a balance',
      `INSERT INTO ledger_account_balances (account_id, slot, balance_minor)
       VALUES (gen_random_uuid(), 0, 1)`,
      'LX002',
    ],
  ])('the app role tries to %s', async (_what, sql, code) => {
    expect(await asApp(sql)).toBe(code);
  });

  it('would let the owner disable the triggers: why the app must not connect as the owner', async () => {
    const enabled = await inDatabase(async (db) => {
      await db.query('BEGIN');
      await db.query('ALTER TABLE postings DISABLE TRIGGER postings_append_only');
      const { rows } = await db.query<{ tgenabled: string }>(
        `SELECT tgenabled FROM pg_trigger WHERE tgname = 'postings_append_only'`,
      );
      await db.query('ROLLBACK');
      return rows[0]?.tgenabled;
    }, OWNER);
    expect(enabled).toBe('D');
  });
});
