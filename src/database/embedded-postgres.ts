import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataDirLock, type LockAttempt, type LockHolder } from './data-dir-lock';

export interface EmbeddedTarget {
  host: string;
  port: number;
  user: string;
  database: string;
  /** False when this process goes through the running server's database instead of opening it. */
  owner: boolean;
}

/**
 * Another process has DATA_DIR/pgdata open; the message says which and what to do. It is the
 * person's situation, not a bug, so it carries no stack trace for Nest and main.ts to print.
 */
export class DataFolderInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataFolderInUseError';
    this.stack = `${this.name}: ${message}`;
  }
}

/** Who is starting: the server owns the folder or nothing; a CLI command may use the server's. */
export interface EmbeddedRole {
  kind: 'server' | 'cli';
  /** For messages: `seed-demo`, … */
  command?: string;
}

const PORT = 5432;
/** A CLI command waits this long for a server that holds the folder to open its database. */
const JOIN_WAIT_MS = 30_000;

/**
 * Embedded run mode: real PostgreSQL compiled to WASM (PGlite), persisted in DATA_DIR and served
 * over the Postgres wire protocol on a private Unix socket, so the app uses the same `pg` driver and
 * code paths as production. PGlite is single-session: the pool must have exactly one connection,
 * which also makes transactions run one at a time (correct, just not concurrent).
 *
 * Only one process may open DATA_DIR/pgdata (two PGlite instances on one folder each keep their own
 * state in memory and overwrite each other's files): the opener holds a DataDirLock for as long as
 * the database is open. A CLI command that finds a running server holding it connects to that
 * server's socket instead (pglite-socket gives each connection its transactions in turn), so it
 * sees and changes the same data; anything else stops with DataFolderInUseError.
 */
export class EmbeddedPostgres {
  private db?: PGlite;
  private server?: PGLiteSocketServer;
  private socketDir?: string;
  private lock?: DataDirLock;
  /** The running server this process goes through, when it does. */
  joined: LockHolder | null = null;

  constructor(
    private readonly dataDir: string,
    private readonly role: EmbeddedRole = { kind: 'server' },
  ) {}

  get pgdata(): string {
    return path.join(this.dataDir, 'pgdata');
  }

  /** Starts PGlite and its socket (or finds the running server's); returns pg connection options. */
  async start(): Promise<EmbeddedTarget> {
    mkdirSync(this.pgdata, { recursive: true });
    const label = this.role.kind === 'cli' ? `cli ${this.role.command ?? ''}`.trim() : 'server';
    const waitUntil = Date.now() + JOIN_WAIT_MS;
    let attempt: LockAttempt;
    for (;;) {
      attempt = await DataDirLock.acquire(this.pgdata, label);
      if ('lock' in attempt) break;
      const holder = attempt.heldBy;
      if (this.role.kind !== 'cli' || holder?.role !== 'server') {
        throw new DataFolderInUseError(inUseMessage(this.pgdata, this.role, attempt));
      }
      if (holder.database) {
        this.joined = holder;
        return { ...holder.database, user: 'postgres', database: 'postgres', owner: false };
      }
      if (Date.now() > waitUntil) {
        throw new DataFolderInUseError(inUseMessage(this.pgdata, this.role, attempt));
      }
      await sleep(250); // the server holds the folder and is still opening its database
    }
    this.lock = attempt.lock;
    try {
      this.db = await PGlite.create({ dataDir: this.pgdata, relaxedDurability: false });
      // Unix socket paths are limited to ~107 bytes, so the socket lives in a short temp folder.
      this.socketDir = mkdtempSync(path.join(os.tmpdir(), 'lianxin-pg-'));
      this.server = new PGLiteSocketServer({
        db: this.db,
        path: path.join(this.socketDir, `.s.PGSQL.${PORT}`),
        maxConnections: 4,
      });
      await this.server.start();
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.lock.serving({ host: this.socketDir, port: PORT });
    return {
      host: this.socketDir,
      port: PORT,
      user: 'postgres',
      database: 'postgres',
      owner: true,
    };
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.db?.close();
    if (this.socketDir) rmSync(this.socketDir, { recursive: true, force: true });
    // Released only once PGlite has closed its files.
    await this.lock?.release();
    this.server = undefined;
    this.db = undefined;
    this.socketDir = undefined;
    this.lock = undefined;
  }
}

/** One paragraph for the person who ran the second process: who holds the folder, what to do. */
export function inUseMessage(
  pgdata: string,
  role: EmbeddedRole,
  attempt: Exclude<LockAttempt, { lock: DataDirLock }>,
): string {
  const intro = `The embedded database ${pgdata} is already open`;
  const rule = 'Only one process may open it at a time.';
  const holder = attempt.heldBy;
  if (!holder) {
    return `${intro} in a process that does not answer (stopped or hanging). ${rule} Find it with \`ss -xlp | grep lianxin-data\` and end it, then try again.`;
  }
  const who = `(pid ${holder.pid}, since ${holder.since})`;
  if (holder.role === 'server') {
    return role.kind === 'server'
      ? `${intro} in a running Lianxin server ${who}. ${rule} Stop that server first, or set DATA_DIR to another folder. CLI commands run while it runs go through it.`
      : `${intro} in a Lianxin server that is still starting ${who}. Try again once it prints its address.`;
  }
  const command = holder.role.replace(/^cli\b/, 'npm run cli --');
  return `${intro} by the command \`${command}\` ${who}. ${rule} Wait for it to finish, then ${role.kind === 'server' ? 'start the server' : 'run this command'} again.`;
}
