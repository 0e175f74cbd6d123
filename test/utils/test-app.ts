import { ConfigService } from '@nestjs/config';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Server } from 'node:http';
import { DataSource } from 'typeorm';
import { configureApp, createApp, trustProxySetting } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/config/app-config';
import { templateDb, withAdmin } from '../setup/databases';

/**
 * The one place tests build the application. Two ways in, one shape out (`TestApp`):
 * - `createTestApp()`: this file's database cloned from the migrated template, and the app built
 *   exactly as `main.ts` builds it (`createApp`). Most files want this.
 * - `startConfiguredApp(overrides)`: the app with AppConfig values (and, when needed, providers)
 *   replaced per instance, for files that start several configurations (Redis down, another
 *   DATA_DIR, SMTP). The caller creates and drops the database (`createFileDatabase`).
 * Processes spawned from dist/ (`node dist/src/main.js`) are in ./processes.ts.
 */
export interface TestApp {
  app: NestFastifyApplication;
  server: Server;
  dataSource: DataSource;
  get<T>(type: new (...args: never[]) => T): T;
  close(): Promise<void>;
}

/** Clones the migrated template into this file's database (TEST_DB_NAME). */
export async function createFileDatabase(): Promise<void> {
  const name = process.env.TEST_DB_NAME!;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateDb()}"`));
}

export async function dropFileDatabase(): Promise<void> {
  const name = process.env.TEST_DB_NAME!;
  await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** A BullMQ prefix of this test file's own, so parallel files never share queues. */
export function fileQueuePrefix(): string {
  return process.env.QUEUE_PREFIX!; // set per test file by test/setup/env.ts
}

function testApp(app: NestFastifyApplication, close: () => Promise<void>): TestApp {
  return {
    app,
    server: app.getHttpServer(),
    dataSource: app.get(DataSource),
    get: <T>(type: new (...args: never[]) => T) => app.get(type),
    close,
  };
}

/** Clones the migrated template into this file's database and starts the full HTTP app on it. */
export async function createTestApp(): Promise<TestApp> {
  await createFileDatabase();
  const app = await createApp({ logger: ['error'] });
  return testApp(app, async () => {
    await app.close();
    await dropFileDatabase();
  });
}

// ---------------------------------------------------------------------------------------------
// The full app with configuration overridden per instance
// ---------------------------------------------------------------------------------------------

/**
 * AppConfig values to replace. The environment is read once per test file (when ConfigModule is
 * imported), so tests that need several configurations in one file override AppConfig instead.
 */
export interface ConfigOverrides {
  redisUrl?: string | undefined;
  smtpUrl?: string | undefined;
  pageCacheTtlSeconds?: number;
  dataDir?: string;
  publicUrl?: string;
  widgetFrameAncestors?: string[];
  nodeEnv?: AppConfig['nodeEnv'];
  queue?: Partial<AppConfig['queue']>;
  auth?: Partial<AppConfig['auth']>;
  donationLimits?: AppConfig['donationLimits'];
  stripe?: AppConfig['stripe'];
  paymentsSandbox?: boolean;
  wechatPay?: AppConfig['wechatPay'];
  metrics?: AppConfig['metrics'];
}

/** A provider replaced by a value (a fake webhook target and the like), or built by a factory. */
export type ProviderOverride =
  | { provide: unknown; useValue: unknown }
  | { provide: unknown; useFactory: (...deps: never[]) => unknown; inject: unknown[] };

function overriddenConfig(config: AppConfig, overrides: ConfigOverrides): AppConfig {
  const values: Partial<Record<keyof AppConfig, unknown>> = {
    ...overrides,
    queue: { ...config.queue, ...overrides.queue },
    auth: { ...config.auth, ...overrides.auth },
  };
  for (const [key, value] of Object.entries(values)) {
    Object.defineProperty(config, key, { value, enumerable: true });
  }
  return config;
}

async function compile(
  overrides: ConfigOverrides,
  providers: ProviderOverride[] = [],
): Promise<TestingModule> {
  let builder = Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useFactory({
      factory: (config: ConfigService) =>
        overriddenConfig(new AppConfig(config as never), overrides),
      inject: [ConfigService],
    });
  for (const override of providers) {
    builder =
      'useValue' in override
        ? builder.overrideProvider(override.provide).useValue(override.useValue)
        : builder.overrideProvider(override.provide).useFactory({
            factory: override.useFactory as (...deps: unknown[]) => unknown,
            inject: override.inject as never[],
          });
  }
  return builder.compile();
}

/**
 * The full HTTP app (configured as `createApp` configures it) on this file's database, with
 * `overrides`. `close` closes the app only: the caller drops the database.
 */
export async function startConfiguredApp(
  overrides: ConfigOverrides,
  { providers }: { providers?: ProviderOverride[] } = {},
): Promise<TestApp> {
  const moduleRef = await compile(overrides, providers);
  // Client addresses as createApp reads them: tests play a proxy through X-Forwarded-For.
  const adapter = new FastifyAdapter({ trustProxy: trustProxySetting(process.env.TRUST_PROXY) });
  const app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, {
    rawBody: true,
    logger: process.env.TEST_APP_LOGS ? ['error', 'warn', 'log'] : ['fatal'],
  });
  await configureApp(app);
  return testApp(app, () => app.close());
}

/** The modules without HTTP, as the CLI runs them. */
export async function startConfiguredContext(overrides: ConfigOverrides): Promise<TestingModule> {
  const moduleRef = await compile(overrides);
  moduleRef.useLogger(['fatal']);
  await moduleRef.init();
  return moduleRef;
}
