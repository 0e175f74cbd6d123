import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface ConnectionTarget {
  url?: string;
  host?: string;
  port?: number;
  user?: string;
  database?: string;
  poolSize: number;
  applicationName?: string;
  /** Apply pending migrations when the app starts (the embedded database's owner does). */
  migrationsRun?: boolean;
}

/** One definition of how Lianxin talks to PostgreSQL, shared by the app, the CLI and the tests. */
export function dataSourceOptions(target: ConnectionTarget): DataSourceOptions {
  return {
    type: 'postgres',
    url: target.url,
    host: target.host,
    port: target.port,
    username: target.user,
    database: target.database,
    poolSize: target.poolSize,
    applicationName: target.applicationName ?? 'lianxin',
    installExtensions: false,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    extra: { max: target.poolSize, connectionTimeoutMillis: 10_000 },
  };
}
