import { runDatabaseName, TEST_DB_PREFIX, urlFor } from './databases';

// Each test file gets its own database name before any app module is imported (ConfigModule reads
// the environment at import time); test/utils/test-app.ts creates it from the template.
process.env.NODE_ENV = 'test';
process.env.TEST_DB_NAME = runDatabaseName(TEST_DB_PREFIX);
process.env.DATABASE_URL = urlFor(process.env.TEST_DB_NAME);
process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
process.env.DATABASE_POOL_SIZE ??= '20';
process.env.LOG_LEVEL = 'error';
