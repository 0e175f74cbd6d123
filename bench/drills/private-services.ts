import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sleep } from '../lib/figures';

/**
 * A drill's own Redis and PostgreSQL: started on free ports on 127.0.0.1, stopped and started
 * again by the drill, removed at the end. Never the shared servers on 6379 and 5432.
 */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Polls `check` every 100 ms until it is true; throws naming `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(100);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** redis-server in the foreground as a child of this process: no persistence, like a cache box. */
export class PrivateRedis {
  private child: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.up();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it again on the same port (empty: nothing was saved). */
  async up(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(() => accepts(this.port), `redis-server on port ${this.port} to accept`);
  }

  /** Stops it (SIGTERM) and waits until it has exited. */
  async down(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

/**
 * A PostgreSQL 15 cluster in a temporary folder (initdb, trust for 127.0.0.1), run as the
 * `postgres` system user when this process is root (initdb refuses root), started with pg_ctl.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static readonly BIN = process.env.PG_BIN || '/usr/lib/postgresql/15/bin';

  static async start(): Promise<PrivatePostgres> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lianxin-drill-pg-'));
    const pg = new PrivatePostgres(await freePort(), dir);
    fs.chmodSync(dir, 0o700);
    const owner = pg.owner();
    if (owner) fs.chownSync(dir, owner.uid, owner.gid);
    pg.run('initdb', ['-D', pg.data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    await pg.up();
    return pg;
  }

  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get data(): string {
    return path.join(this.dir, 'data');
  }

  /** The postgres user's ids when this process is root, else null (run as ourselves). */
  private owner(): { uid: number; gid: number } | null {
    if (process.getuid?.() !== 0) return null;
    const id = (flag: string) =>
      Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    return { uid: id('-u'), gid: id('-g') };
  }

  private run(program: string, args: string[]): void {
    const owner = this.owner();
    const result = spawnSync(path.join(PrivatePostgres.BIN, program), args, {
      encoding: 'utf8',
      cwd: this.dir,
      timeout: 120_000,
      ...(owner ?? {}),
    });
    if (result.status !== 0) {
      throw new Error(
        `${program} failed: ${result.stderr || result.stdout || result.error?.message}`,
      );
    }
  }

  async up(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      "-c listen_addresses='127.0.0.1'",
      `-c unix_socket_directories='${this.dir}'`,
      '-c max_connections=100',
      '-c fsync=off',
      '-c shared_buffers=64MB',
    ].join(' ');
    this.run('pg_ctl', [
      '-D',
      this.data,
      '-o',
      options,
      '-l',
      path.join(this.dir, 'log'),
      '-w',
      'start',
    ]);
    await waitFor(() => accepts(this.port), `PostgreSQL on port ${this.port} to accept`);
  }

  /** pg_ctl restart -m fast: every connection is cut, as a failover or a minor upgrade does. */
  async restart(): Promise<void> {
    this.run('pg_ctl', [
      '-D',
      this.data,
      '-l',
      path.join(this.dir, 'log'),
      '-m',
      'fast',
      '-w',
      'restart',
    ]);
    await waitFor(() => accepts(this.port), `PostgreSQL on port ${this.port} to accept again`);
  }

  /** Stops it at once and removes its folder; safe to call twice. */
  remove(): void {
    if (!fs.existsSync(this.dir)) return;
    try {
      this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // not running
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
