import { runDatabaseName, TEST_DB_PREFIX, urlFor } from './databases';

// Each test file gets its own database name before any app module is imported (ConfigModule reads
// the environment at import time); test/utils/test-app.ts creates it from the template.
process.env.NODE_ENV = 'test';
process.env.TEST_DB_NAME = runDatabaseName(TEST_DB_PREFIX);
process.env.DATABASE_URL = urlFor(process.env.TEST_DB_NAME);
process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
// … and its own queues: apps of test files running side by side would otherwise take each other's
// jobs (a job names an outbox row in the other file's database). Same as fileQueuePrefix().
process.env.QUEUE_PREFIX = `t${process.env.TEST_DB_NAME.replace(/^lianxin_t_/, '')}`;
process.env.DATABASE_POOL_SIZE ??= '20';
process.env.LOG_LEVEL = 'error';
// Tests read their own writes: the page cache is off unless a test turns it on
// (test/integration/page-cache.test.ts), since change notices arrive a moment after commit.
process.env.PAGE_CACHE_TTL_SECONDS ??= '0';
// Payments: the sandbox provider, signing and verifying with this secret (tests sign events too).
// With DATABASE_URL set the sandbox runs only by this explicit opt-in (src/config/env.schema.ts).
process.env.PAYMENTS_SANDBOX ??= 'true';
process.env.STRIPE_WEBHOOK_SECRET ??= 'whsec_lianxin_tests';
process.env.DONATION_LIMIT_PER_IP ??= '100000';
// Tests call from loopback and may play a proxy setting X-Forwarded-For.
process.env.TRUST_PROXY ??= '127.0.0.1,::1';
