import { fork } from 'node:child_process';
import path from 'node:path';

export interface LoadRequest {
  url: string;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
}

export type LoadResult =
  | {
      rps: number;
      total: number;
      p50: number;
      p99: number;
      non2xx: number;
      errors: number;
      bytesPerSecond: number;
    }
  | { error: string };

/** One autocannon run from a child process (./load.worker.ts). */
export function load(request: LoadRequest): Promise<Exclude<LoadResult, { error: string }>> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'load.worker.js'), [JSON.stringify(request)]);
    child.once('message', (result: LoadResult) => {
      child.kill();
      if ('error' in result) reject(new Error(`autocannon: ${result.error}`));
      else resolve(result);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code) reject(new Error(`autocannon exited with ${code}`));
    });
  });
}
