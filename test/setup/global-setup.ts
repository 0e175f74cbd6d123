import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { TEMPLATE_DB, TEST_DB_PREFIX, urlFor, withAdmin } from './databases';

/**
 * Runs the real migrations once into a template database; each test file then clones it
 * (CREATE DATABASE … TEMPLATE …), so files run in parallel on isolated databases.
 */
export default async function globalSetup(): Promise<void> {
  await withAdmin(async (admin) => {
    const leftovers = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
      [`${TEST_DB_PREFIX}%`, TEMPLATE_DB],
    );
    for (const { datname } of leftovers.rows) {
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
  });
  const dataSource = new DataSource(dataSourceOptions({ url: urlFor(TEMPLATE_DB), poolSize: 1 }));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
}
