import { createHash } from 'node:crypto';
import { realpathSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** Who holds a data folder, as the holder itself answers on its lock socket. */
export interface LockHolder {
  pid: number;
  /** `server`, or `cli <command>`. */
  role: string;
  since: string;
  /** Where the holder serves its PGlite over the Postgres protocol, once it does. */
  database: { host: string; port: number } | null;
}

export type LockAttempt =
  { lock: DataDirLock } | { heldBy: LockHolder } | { heldBy: null; reason: 'unresponsive' };

/**
 * The lock's address for a folder. On Linux an abstract Unix socket: it has no file, the kernel
 * frees it when its process ends however it ends (SIGKILL, power loss), so a lock can never go
 * stale. Elsewhere a socket file in the temp folder, which a killed process leaves behind: it
 * is then taken over once nothing answers on it (see acquire).
 */
export function lockAddress(folder: string, platform: NodeJS.Platform = process.platform): string {
  const digest = createHash('sha256').update(realpathSync(folder)).digest('hex').slice(0, 32);
  return platform === 'linux'
    ? `\0lianxin-data-${digest}`
    : path.join(os.tmpdir(), `lianxin-data-${digest}.sock`);
}

/**
 * An exclusive lock on a data folder that the operating system holds for the process: the holder
 * listens on a Unix socket named after the folder's real path, and a second listener is refused
 * (EADDRINUSE). Whoever finds it taken connects and reads one JSON line naming the holder and where
 * it serves the database, so a CLI command can go through the running server and a second server
 * can say who is in the way. A pid file alone would go stale after a SIGKILL, and a pid can be
 * reused by then.
 */
export class DataDirLock {
  private constructor(
    private readonly server: Server,
    private readonly address: string,
    private readonly holder: LockHolder,
  ) {}

  static async acquire(
    folder: string,
    role: string,
    { platform = process.platform, probeTimeoutMs = 2_000 } = {},
  ): Promise<LockAttempt> {
    const address = lockAddress(folder, platform);
    const holder: LockHolder = {
      pid: process.pid,
      role,
      since: new Date().toISOString(),
      database: null,
    };
    for (let attempt = 0; ; attempt++) {
      const server = createServer((socket) => {
        socket.on('error', () => undefined);
        socket.end(`${JSON.stringify(holder)}\n`);
      });
      // The lock never keeps the process alive by itself; the kernel drops it at exit.
      server.unref();
      if (await listen(server, address)) return { lock: new DataDirLock(server, address, holder) };
      const answer = await probe(address, probeTimeoutMs);
      if (answer === 'unresponsive') return { heldBy: null, reason: 'unresponsive' };
      if (answer !== 'gone') return { heldBy: answer };
      if (attempt >= 2) return { heldBy: null, reason: 'unresponsive' };
      // Nobody listens: the holder has just ended (Linux), or left its socket file behind.
      if (!address.startsWith('\0')) unlinkSync(address);
    }
  }

  /** Tells whoever asks where this holder serves the database. */
  serving(database: { host: string; port: number }): void {
    this.holder.database = database;
  }

  async release(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** For tests and messages: the lock's address with an abstract name made printable. */
  get name(): string {
    return this.address.replace('\0', '@');
  }
}

function listen(server: Server, address: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') resolve(false);
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(true);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(address);
  });
}

/** The holder's answer, 'gone' when nobody listens, 'unresponsive' when it does not answer. */
function probe(address: string, timeoutMs: number): Promise<LockHolder | 'gone' | 'unresponsive'> {
  return new Promise((resolve) => {
    let text = '';
    const socket = createConnection(address);
    const done = (result: LockHolder | 'gone' | 'unresponsive') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done('unresponsive'), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 4096) done('unresponsive');
    });
    socket.on('end', () => {
      try {
        done(JSON.parse(text) as LockHolder);
      } catch {
        done('unresponsive');
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      done(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? 'gone' : 'unresponsive');
    });
  });
}
