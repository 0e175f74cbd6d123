import request from 'supertest';
import {
  createFileDatabase,
  dropFileDatabase,
  startConfiguredApp,
  type TestApp,
} from '../utils/test-app';

/**
 * /health/live says the process runs and touches nothing; /health/ready says whether it can
 * serve: the database answers, every migration this build knows is applied, and Redis answers
 * when REDIS_URL is set. /health keeps its own answer.
 */
const UNREACHABLE_REDIS = 'redis://127.0.0.1:1';

let t: TestApp;

beforeAll(async () => {
  await createFileDatabase();
  t = await startConfiguredApp({});
}, 120_000);
afterAll(async () => {
  await t?.close();
  await dropFileDatabase();
});

it('is live and ready when the database is migrated and Redis answers', async () => {
  await request(t.server).get('/health/live').expect(200, { status: 'live' });
  const ready = await request(t.server).get('/health/ready').expect(200);
  expect(ready.body).toMatchObject({
    status: 'ready',
    failed: [],
    checks: {
      database: { status: 'up' },
      migrations: { status: 'up', detail: expect.stringMatching(/^\d+ applied$/) as string },
      redis: { status: 'up' },
    },
  });
  const health = await request(t.server).get('/health').expect(200);
  expect(Object.keys(health.body as object)).toEqual(['status', 'mode', 'checks', 'paymentInbox']);
});

it('is not ready while the database lacks the last migration, naming it', async () => {
  const [last] = await t.dataSource.query<{ timestamp: string; name: string }[]>(
    `SELECT timestamp, name FROM migrations ORDER BY timestamp DESC LIMIT 1`,
  );
  await t.dataSource.query(`DELETE FROM migrations WHERE name = $1`, [last!.name]);
  try {
    const ready = await request(t.server).get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({ status: 'not_ready', failed: ['migrations'] });
    expect(ready.body.checks.migrations.error).toContain(last!.name);
    expect(ready.body.checks.migrations.error).toContain('npm run migration:run');
    await request(t.server).get('/health/live').expect(200);
  } finally {
    await t.dataSource.query(`INSERT INTO migrations (timestamp, name) VALUES ($1, $2)`, [
      last!.timestamp,
      last!.name,
    ]);
  }
  await request(t.server).get('/health/ready').expect(200);
});

it('is not ready while the configured Redis does not answer, and still live', async () => {
  const broken = await startConfiguredApp({ redisUrl: UNREACHABLE_REDIS });
  try {
    const ready = await request(broken.server).get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({
      status: 'not_ready',
      failed: ['redis'],
      checks: {
        database: { status: 'up' },
        migrations: { status: 'up' },
        redis: { status: 'down' },
      },
    });
    await request(broken.server).get('/health/live').expect(200, { status: 'live' });
  } finally {
    await broken.close();
  }
}, 120_000);
