import os from 'node:os';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { stopPgbench } from './pgbench';

/**
 * A bench's own throwaway database on BENCH_DATABASE_URL's server: created (after dropping what a
 * run killed hard left behind), migrated with the real migrations, and dropped exactly once
 * whether the bench finished, failed or was interrupted.
 */
export class BenchDatabase {
  readonly url: string;
  private admin: Client | null = null;
  /** Raw connections to the bench database, closed before it is dropped. */
  private readonly open = new Set<Client>();
  private readonly beforeDrop: (() => Promise<unknown> | void)[] = [];
  private readonly afterDrop: (() => Promise<unknown> | void)[] = [];
  private cleanup: Promise<void> | null = null;

  constructor(
    readonly name: string,
    /** application_name of the bench's own connections (`<appName>-<label>`). */
    readonly appName: string,
    /** Called on each raw client before it connects (to mark it, e.g. for a query counter). */
    private readonly onClient: (client: Client) => void = () => undefined,
    /** The server's admin connection (a drill's private cluster); BENCH_DATABASE_URL's by default. */
    readonly adminUrl = process.env.BENCH_DATABASE_URL ||
      'postgres://postgres@127.0.0.1:5432/postgres',
  ) {
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    this.url = url.toString();
  }

  get host(): string {
    return new URL(this.adminUrl).host;
  }

  /** True once dropping has begun: errors after that are the shutdown's echo. */
  get closing(): boolean {
    return this.cleanup !== null;
  }

  async create(): Promise<void> {
    this.admin = this.client('admin', this.adminUrl);
    await this.admin.connect();
    await this.admin.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
    await this.admin.query(`CREATE DATABASE ${this.name}`);
  }

  /** Runs the app's migrations (the same list as the app, the CLI and the tests). */
  async migrate(): Promise<void> {
    const dataSource = new DataSource(
      dataSourceOptions({ url: this.url, poolSize: 2, applicationName: `${this.appName}-migrate` }),
    );
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
    } finally {
      await dataSource.destroy();
    }
  }

  /** A raw connection to the bench database, outside the app's pool. */
  async connect(label: string): Promise<Client> {
    const client = this.client(label, this.url);
    await client.connect();
    this.open.add(client);
    return client;
  }

  async disconnect(client: Client): Promise<void> {
    this.open.delete(client);
    await client.end().catch(() => undefined);
  }

  /** Something to stop or close before the database is dropped (the app, a worker thread…). */
  onDrop(fn: () => Promise<unknown> | void): void {
    this.beforeDrop.push(fn);
  }

  /** Something to remove once the database is dropped (a drill's private server). */
  onDropped(fn: () => Promise<unknown> | void): void {
    this.afterDrop.push(fn);
  }

  /** Idempotent: runs once, whether main finished, failed, or a signal arrived. */
  drop(): Promise<void> {
    this.cleanup ??= (async () => {
      stopPgbench();
      for (const fn of this.beforeDrop) {
        await Promise.resolve()
          .then(fn)
          .catch(() => undefined);
      }
      await Promise.all([...this.open].map((c) => this.disconnect(c)));
      if (this.admin) {
        const dropSql = `DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`;
        try {
          // A server restarted meanwhile (a drill) ended the first admin connection: a new one.
          await this.admin.query(dropSql).catch(async () => {
            await this.admin!.end().catch(() => undefined);
            this.admin = this.client('admin', this.adminUrl);
            await this.admin.connect();
            await this.admin.query(dropSql);
          });
        } catch (error) {
          console.error(`could not drop database ${this.name}: ${(error as Error).message}`);
        }
        await this.admin.end().catch(() => undefined);
      }
      for (const fn of this.afterDrop) {
        await Promise.resolve()
          .then(fn)
          .catch(() => undefined);
      }
    })();
    return this.cleanup;
  }

  /**
   * Runs `main` and sets the exit code from it; drops the database on the way out, and on SIGINT
   * or SIGTERM (`on`, not `once`: the app's shutdown hook raises the signal again, which with no
   * listener left would end the process before the database is dropped).
   */
  run(main: () => Promise<number>, onSignal: () => void = () => undefined): void {
    let signalled = false;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (signalled) {
          return;
        }
        signalled = true;
        console.error(`\n${signal}: dropping ${this.name}`);
        onSignal();
        void this.drop().finally(() => process.exit(128 + os.constants.signals[signal]));
      });
    }
    main()
      .then(
        (code) => {
          process.exitCode = code;
        },
        (error: unknown) => {
          if (!this.closing) {
            console.error(error);
          }
          process.exitCode = 1;
        },
      )
      .finally(() =>
        this.drop().then(() => {
          // Everything is closed; should a stray handle keep the loop alive, do not hang.
          setTimeout(() => process.exit(), 5_000).unref();
        }),
      );
  }

  private client(label: string, connectionString: string): Client {
    const client = new Client({ connectionString, application_name: `${this.appName}-${label}` });
    this.onClient(client);
    // Without a listener, a connection ended by the server (e.g. by the drop) would crash the process.
    client.on('error', (error) => {
      if (!this.closing) {
        console.error(`connection ${label}: ${error.message}`);
      }
    });
    return client;
  }
}
