import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { templateDb, withAdmin } from '../setup/databases';

export interface TestApp {
  app: NestFastifyApplication;
  server: Server;
  dataSource: DataSource;
  get<T>(type: new (...args: never[]) => T): T;
  close(): Promise<void>;
}

/** Clones the migrated template into this file's database and starts the full HTTP app on it. */
export async function createTestApp(): Promise<TestApp> {
  const name = process.env.TEST_DB_NAME!;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateDb()}"`));
  const app = await createApp({ logger: ['error'] });
  return {
    app,
    server: app.getHttpServer(),
    dataSource: app.get(DataSource),
    get: <T>(type: new (...args: never[]) => T) => app.get(type),
    close: async () => {
      await app.close();
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
