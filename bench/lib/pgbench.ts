import { spawn, type ChildProcess } from 'node:child_process';

export interface PgbenchOptions {
  url: string;
  scriptFile: string;
  clients: number;
  seconds: number;
  /** -r: per-statement mean latencies. */
  perStatement?: boolean;
}

export interface PgbenchResult {
  tps: number;
  transactions: number;
  failed: number;
  latencyMs: number;
  /** With `perStatement`: each statement's mean latency (lock waits included). */
  statements: { ms: number; sql: string }[];
}

const PGBENCH = process.env.PGBENCH || 'pgbench';
let running: ChildProcess | null = null;

/** Stops a pgbench still running (a bench interrupted by a signal). */
export function stopPgbench(): void {
  running?.kill('SIGTERM');
}

/**
 * Runs pgbench on `scriptFile` for `seconds` with `clients` clients (-j 2: the machine has two
 * cores) and parses its summary. -M extended: node-pg sends parameterised queries with the
 * extended protocol too. -D n=0 starts the per-client counter the scripts use for unique keys.
 */
export function runPgbench(opts: PgbenchOptions): Promise<PgbenchResult> {
  const args = [
    '-n',
    '-c',
    String(opts.clients),
    '-j',
    '2',
    '-T',
    String(opts.seconds),
    '-M',
    'extended',
    '-D',
    'n=0',
    ...(opts.perStatement ? ['-r'] : []),
    '-f',
    opts.scriptFile,
    opts.url,
  ];
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(PGBENCH, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      running = null;
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
      const processed = /number of transactions actually processed: (\d+)/.exec(out);
      const failed = /number of failed transactions: (\d+)/.exec(out);
      const latency = /latency average = ([\d.]+) ms/.exec(out);
      if (code !== 0 || !tps || !processed || /aborted/.test(out)) {
        const lines = out.trimEnd().split('\n');
        const shown =
          lines.length > 20 ? [...lines.slice(0, 5), '  …', ...lines.slice(-12)] : lines;
        reject(new Error(`pgbench exited with ${String(code)}:\n${shown.join('\n')}`));
        return;
      }
      // "statement latencies in milliseconds and failures:" then "  <ms>  <failures>  <first line>"
      const statements: PgbenchResult['statements'] = [];
      const section = out.split(/statement latencies in milliseconds[^\n]*\n/)[1] ?? '';
      for (const line of section.split('\n')) {
        const m = /^\s+([\d.]+)\s+(?:\d+\s+)?(\S.*)$/.exec(line);
        if (m) {
          statements.push({ ms: Number(m[1]), sql: m[2]!.trim() });
        }
      }
      resolve({
        tps: Number(tps[1]),
        transactions: Number(processed[1]),
        failed: failed ? Number(failed[1]) : 0,
        latencyMs: latency ? Number(latency[1]) : NaN,
        statements,
      });
    });
  });
}
