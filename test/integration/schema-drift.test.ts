import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * TypeORM compares the entities with the migrated schema. The database deliberately enforces more
 * than the entities declare (CHECKs, partial unique indexes, foreign keys, defaults, the ledger's
 * triggers), so TypeORM's wish to drop those is expected; anything else (a missing column, a
 * changed type or nullability, a new table) is drift between entities and migrations.
 */
const DATABASE_ONLY_EXTRAS = /DROP CONSTRAINT|DROP INDEX|ALTER COLUMN "\w+" DROP DEFAULT/;

describe('entities and migrations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('have not drifted', async () => {
    const sql = await t.dataSource.driver.createSchemaBuilder().log();
    const drift = sql.upQueries.map((q) => q.query).filter((q) => !DATABASE_ONLY_EXTRAS.test(q));
    expect(drift).toEqual([]);
  });
});
