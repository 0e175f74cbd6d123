import { PG_TYPES, registeredTableMaps } from '../../src/database/table-map';
import { createTestApp, type TestApp } from '../utils/test-app';

/**
 * TypeORM compares the entities with the migrated schema. The database deliberately enforces more
 * than the entities declare (CHECKs, partial unique indexes, foreign keys, defaults, the ledger's
 * triggers), so TypeORM's wish to drop those is expected; anything else (a missing column, a
 * changed type or nullability, a new table) is drift between entities and migrations.
 */
const DATABASE_ONLY_EXTRAS = /DROP CONSTRAINT|DROP INDEX|ALTER COLUMN "\w+" DROP DEFAULT/;

describe('entities, table maps and migrations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('entities have not drifted', async () => {
    const sql = await t.dataSource.driver.createSchemaBuilder().log();
    const drift = sql.upQueries.map((q) => q.query).filter((q) => !DATABASE_ONLY_EXTRAS.test(q));
    expect(drift).toEqual([]);
  });

  it('every column a table map reads exists with its kind and nullability', async () => {
    // The app module is loaded (createTestApp), so every repository's table map has registered.
    const maps = registeredTableMaps();
    expect(maps.length).toBeGreaterThan(0);
    const rows: {
      table_name: string;
      column_name: string;
      data_type: string;
      udt_name: string;
      is_nullable: 'YES' | 'NO';
    }[] = await t.dataSource.query(
      `SELECT table_name, column_name, data_type, udt_name, is_nullable
       FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const schema = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r]));
    const problems: string[] = [];
    for (const map of maps) {
      for (const [field, c] of Object.entries(map.spec)) {
        const found = schema.get(`${map.table}.${c.name}`);
        const where = `${map.table}.${c.name} (${field})`;
        if (!found) {
          problems.push(`${where}: no such column`);
          continue;
        }
        const type = found.data_type === 'ARRAY' ? found.udt_name : found.data_type;
        if (!PG_TYPES[c.kind].includes(type))
          problems.push(`${where}: mapped as ${c.kind}, the column is ${type}`);
        if (!c.nullable && found.is_nullable === 'YES')
          problems.push(`${where}: mapped NOT NULL, the column allows NULL`);
      }
    }
    expect(problems).toEqual([]);
  });
});
