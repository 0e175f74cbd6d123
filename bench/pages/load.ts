import path from 'node:path';
import { Worker } from 'node:worker_threads';

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

/** One autocannon run from a worker thread (./load.worker.ts). */
export function load(request: LoadRequest): Promise<Exclude<LoadResult, { error: string }>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'load.worker.js'), { workerData: request });
    worker.once('message', (result: LoadResult) => {
      void worker.terminate();
      if ('error' in result) reject(new Error(`autocannon: ${result.error}`));
      else resolve(result);
    });
    worker.once('error', reject);
  });
}
