import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The app reads its configuration when its modules load: run.ts imports this module first, so
 * the environment is set before anything from src/ is loaded. This process only sets up data and
 * issues the annual statements (a CLI-like context: it runs no queue loops); the worker processes
 * it starts get the same environment plus SMTP_URL (the bench's own SMTP server).
 */
export const DB_NAME = 'lianxin_bench_receipts';
export const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
/** Queues of this run only: nothing of another bench, test or app on the same Redis. */
export const QUEUE_PREFIX = `bench-receipts-${process.pid}`;
export const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lianxin-bench-receipts-'));

const url = new URL(
  process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
);
url.pathname = `/${DB_NAME}`;

/** What the workers and this process share. */
export const APP_ENV: Record<string, string> = {
  NODE_ENV: 'development',
  DATABASE_URL: url.toString(),
  DATABASE_POOL_SIZE: '12',
  REDIS_URL,
  QUEUE_PREFIX,
  OUTBOX_POLL_MS: '50',
  LOG_LEVEL: 'error',
  DATA_DIR: tempDir,
  PAYMENTS_SANDBOX: 'true',
  PUBLIC_URL: 'http://localhost:3000',
};

Object.assign(process.env, APP_ENV);
for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_API_BASE', 'SMTP_URL', 'TRUST_PROXY']) {
  delete process.env[name];
}
