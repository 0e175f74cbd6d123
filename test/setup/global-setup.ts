import { DataSource } from 'typeorm';
import { buildDistIfStale } from './build-dist';
import { dataSourceOptions } from '../../src/database/data-source-options';
import {
  dropStaleDatabases,
  runDatabaseName,
  TEMPLATE_PREFIX,
  urlFor,
  withAdmin,
} from './databases';

/**
 * Runs the real migrations once into this run's template database; each test file then clones it
 * (CREATE DATABASE … TEMPLATE …), so files run in parallel on isolated databases. The name reaches
 * the workers through the environment. It also builds dist/ (once, and only when older than src/)
 * for the files that spawn the built app: see ./build-dist.ts.
 */
export default async function globalSetup(): Promise<void> {
  buildDistIfStale();
  const template = runDatabaseName(TEMPLATE_PREFIX);
  process.env.TEST_TEMPLATE_DB = template;
  await withAdmin(async (admin) => {
    await dropStaleDatabases(admin);
    await admin.query(`CREATE DATABASE "${template}"`);
  });
  const dataSource = new DataSource(dataSourceOptions({ url: urlFor(template), poolSize: 1 }));
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();
}
