import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Embedded run mode: real PostgreSQL compiled to WASM (PGlite), persisted in DATA_DIR and served
 * over the Postgres wire protocol on a private Unix socket, so the app uses the same `pg` driver and
 * code paths as production. PGlite is single-session: the pool must have exactly one connection,
 * which also makes transactions run one at a time (correct, just not concurrent).
 */
export class EmbeddedPostgres {
  private db?: PGlite;
  private server?: PGLiteSocketServer;
  private socketDir?: string;

  constructor(private readonly dataDir: string) {}

  /** Starts PGlite and its socket; returns pg connection options. */
  async start(): Promise<{ host: string; port: number; user: string; database: string }> {
    const pgdata = path.join(this.dataDir, 'pgdata');
    mkdirSync(pgdata, { recursive: true });
    this.db = await PGlite.create({ dataDir: pgdata, relaxedDurability: false });
    // Unix socket paths are limited to ~107 bytes, so the socket lives in a short temp folder.
    this.socketDir = mkdtempSync(path.join(os.tmpdir(), 'lianxin-pg-'));
    const port = 5432;
    this.server = new PGLiteSocketServer({
      db: this.db,
      path: path.join(this.socketDir, `.s.PGSQL.${port}`),
      maxConnections: 4,
    });
    await this.server.start();
    return { host: this.socketDir, port, user: 'postgres', database: 'postgres' };
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.db?.close();
    if (this.socketDir) rmSync(this.socketDir, { recursive: true, force: true });
    this.server = undefined;
    this.db = undefined;
  }
}
