import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './private-services';

const ROOT = path.resolve(__dirname, '../../..');

export type Role = 'web' | 'worker';

const ENTRY: Record<Role, { file: string; ready: string }> = {
  web: { file: 'dist/src/main.js', ready: 'Lianxin is running' },
  worker: { file: 'dist/src/worker.js', ready: 'Lianxin worker is running' },
};

/**
 * One process of the built app (`dist/src/main.js` or `worker.js`) with the environment the drill
 * gives it, started, killed and started again. Its output is kept for the report.
 */
export class AppProcess {
  private child: ChildProcess | null = null;
  output = '';

  constructor(
    readonly role: Role,
    private readonly env: Record<string, string>,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts it and resolves once it says it is ready (60 s at most). */
  async start(): Promise<void> {
    const { file, ready } = ENTRY[this.role];
    const child = spawn(process.execPath, [file], {
      cwd: ROOT,
      // Only what the drill sets, and PATH: nothing of this shell's configuration leaks in.
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const before = this.output.length;
    const keep = (chunk: Buffer) => (this.output += chunk.toString());
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    await waitFor(
      () => {
        if (child.exitCode !== null) {
          throw new Error(
            `${this.role} exited with ${child.exitCode}:\n${this.output.slice(before)}`,
          );
        }
        return this.output.slice(before).includes(ready);
      },
      `the ${this.role} process to start`,
      60_000,
    );
  }

  /** Sends `signal` and resolves with the exit code (or signal) once the process has ended. */
  async stop(signal: NodeJS.Signals): Promise<string> {
    const child = this.child;
    this.child = null;
    if (!child) return 'not running';
    if (child.exitCode !== null || child.signalCode !== null)
      return String(child.exitCode ?? child.signalCode);
    return new Promise((resolve) => {
      child.once('exit', (code, sig) => resolve(String(code ?? sig)));
      child.kill(signal);
    });
  }
}
