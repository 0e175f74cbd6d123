import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The app reads its configuration when its modules load: run.ts imports this module first, so
 * the environment is set before anything from src/ is loaded. Sandbox provider, in-process outbox
 * (no REDIS_URL), emails to files in a temporary DATA_DIR; the page cache as deployed (its TTL
 * from PAGE_CACHE_TTL_SECONDS if set, else the default).
 */
export const DB_NAME = 'lianxin_bench_pages';
export const SECRET = 'whsec_bench_pages';
export const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lianxin-bench-pages-'));

const url = new URL(
  process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
);
url.pathname = `/${DB_NAME}`;

Object.assign(process.env, {
  DATABASE_URL: url.toString(),
  DATABASE_POOL_SIZE: '20',
  STRIPE_WEBHOOK_SECRET: SECRET,
  DONATION_LIMIT_PER_IP: '1000000',
  DONATION_LIMIT_PER_EMAIL: '1000000',
  LOG_LEVEL: 'error',
  DATA_DIR: tempDir,
  PAYMENTS_SANDBOX: 'true',
});
for (const name of [
  'REDIS_URL',
  'STRIPE_SECRET_KEY',
  'STRIPE_API_BASE',
  'SMTP_URL',
  'TRUST_PROXY',
]) {
  delete process.env[name];
}
