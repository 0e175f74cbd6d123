import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigService } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { configureApp } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/config/app-config';
import { templateDb, withAdmin } from '../setup/databases';

// ---------------------------------------------------------------------------------------------
// Waiting without sleeping
// ---------------------------------------------------------------------------------------------

/** Polls `check` until it returns a truthy value (which is returned), or fails after `timeoutMs`. */
export async function waitUntil<T>(
  check: () => T | Promise<T>,
  what: string,
  { timeoutMs = 15_000, intervalMs = 25 } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------
// A real SMTP server, in process
// ---------------------------------------------------------------------------------------------

export interface ReceivedMail {
  from: string;
  to: string[];
  /** Header names lower-cased; encoded words (RFC 2047) decoded. */
  headers: Record<string, string>;
  subject: string;
  raw: string;
  receivedAt: number;
}

export interface TestSmtpServer {
  url: string;
  received: ReceivedMail[];
  /** Attempts refused with a temporary 451, with when they happened, per recipient. */
  refused: { to: string; at: number }[];
  /** The next `n` messages to `to` are refused with 451 (temporary). */
  failNext(to: string, n: number): void;
  /** Messages to `to` are refused with 550 at RCPT TO (permanent). */
  rejectRecipient(to: string): void;
  to(address: string): ReceivedMail[];
  close(): Promise<void>;
}

/** Decodes RFC 2047 encoded words (=?UTF-8?B?…?= and =?UTF-8?Q?…?=) in a header value. */
export function decodeMimeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(
      /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
      (_, _charset: string, enc: string, text: string) =>
        enc.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64').toString('utf8')
          : Buffer.from(
              text
                .replace(/_/g, ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
                  String.fromCharCode(parseInt(hex, 16)),
                ),
              'latin1',
            ).toString('utf8'),
    );
}

function parseHeaders(raw: string): Record<string, string> {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = decodeMimeWords(
        line.slice(colon + 1).trim(),
      );
    }
  }
  return headers;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const refused: { to: string; at: number }[] = [];
  const failures = new Map<string, number>();
  const rejected = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (rejected.has(address.address)) {
        return callback(Object.assign(new Error('No such mailbox'), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const first = to[0] ?? '';
        const pending = failures.get(first) ?? 0;
        if (pending > 0) {
          failures.set(first, pending - 1);
          refused.push({ to: first, at: Date.now() });
          return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = parseHeaders(raw);
        const from = session.envelope.mailFrom;
        received.push({
          from: from ? from.address : '',
          to,
          headers,
          subject: headers.subject ?? '',
          raw,
          receivedAt: Date.now(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refused,
    failNext: (to, n) => void failures.set(to, n),
    rejectRecipient: (to) => void rejected.add(to),
    to: (address) => received.filter((m) => m.to.includes(address)),
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
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
  dataDir?: string;
  nodeEnv?: AppConfig['nodeEnv'];
  queue?: Partial<AppConfig['queue']>;
}

export interface ConfiguredApp {
  app: NestFastifyApplication;
  server: Server;
  dataSource: DataSource;
  get<T>(type: new (...args: never[]) => T): T;
  close(): Promise<void>;
}

function overriddenConfig(config: AppConfig, overrides: ConfigOverrides): AppConfig {
  const values: Partial<Record<keyof AppConfig, unknown>> = {
    ...overrides,
    queue: { ...config.queue, ...overrides.queue },
  };
  for (const [key, value] of Object.entries(values)) {
    Object.defineProperty(config, key, { value, enumerable: true });
  }
  return config;
}

async function compile(overrides: ConfigOverrides): Promise<TestingModule> {
  return Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useFactory({
      factory: (config: ConfigService) =>
        overriddenConfig(new AppConfig(config as never), overrides),
      inject: [ConfigService],
    })
    .compile();
}

/** The full HTTP app (as `createApp` builds it) on this file's database, with `overrides`. */
export async function startConfiguredApp(overrides: ConfigOverrides): Promise<ConfiguredApp> {
  const moduleRef = await compile(overrides);
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
    rawBody: true,
    logger: process.env.TEST_APP_LOGS ? ['error', 'warn', 'log'] : ['fatal'],
  });
  await configureApp(app);
  return {
    app,
    server: app.getHttpServer(),
    dataSource: app.get(DataSource),
    get: <T>(type: new (...args: never[]) => T) => app.get(type),
    close: () => app.close(),
  };
}

/** The modules without HTTP, as the CLI runs them. */
export async function startConfiguredContext(overrides: ConfigOverrides): Promise<TestingModule> {
  const moduleRef = await compile(overrides);
  moduleRef.useLogger(['fatal']);
  await moduleRef.init();
  return moduleRef;
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
