import { Client } from 'pg';

/** Admin connection for creating test databases; TEST_DATABASE_URL points at any database on the server. */
export const ADMIN_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Test databases are named `lianxin_t_<epoch seconds>_<random>` (templates `lianxin_tpl_…`), so
 * several test runs can share a server: each run drops only its own databases, and anything a
 * crashed run left behind more than an hour ago.
 */
export const TEST_DB_PREFIX = 'lianxin_t_';
export const TEMPLATE_PREFIX = 'lianxin_tpl_';
const STALE_SECONDS = 3600;

export function runDatabaseName(prefix: string): string {
  return `${prefix}${Math.floor(Date.now() / 1000)}_${Math.random().toString(36).slice(2, 10)}`;
}

export function templateDb(): string {
  const name = process.env.TEST_TEMPLATE_DB;
  if (!name)
    throw new Error('TEST_TEMPLATE_DB is not set: run the tests through jest (global setup)');
  return name;
}

export function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdmin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function dropStaleDatabases(admin: Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`,
    [`${TEST_DB_PREFIX}%`, `${TEMPLATE_PREFIX}%`],
  );
  const cutoff = Date.now() / 1000 - STALE_SECONDS;
  for (const { datname } of rows) {
    const epoch = Number(/^lianxin_(?:t|tpl)_(\d+)_/.exec(datname)?.[1]);
    if (!Number.isFinite(epoch) || epoch < cutoff) {
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  }
}
