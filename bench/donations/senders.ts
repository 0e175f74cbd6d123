import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PendingGift } from '../lib/pending-donations';

/**
 * The senders, main-thread side: a worker thread (./senders.worker.ts) builds, signs and POSTs
 * the webhook events, so that work stays off the app's event loop.
 */
export interface SendersConfig {
  port: number;
  senders: number;
  secret: string;
}

/** A donation to confirm: its id and amount in minor units. */
export type Gift = PendingGift;

export interface RunRequest {
  type: 'run';
  gifts: Gift[];
  seconds: number;
}

export interface SendFailure {
  id: string;
  status: number;
  body: string;
}

export interface RunDone {
  type: 'done';
  /** Donations that got a first-delivery 200 (`duplicate: false`): confirmed gifts. */
  ok: string[];
  latencies: number[];
  failures: SendFailure[];
  elapsed: number;
  /** The donations ran out before the deadline. */
  exhausted: boolean;
  meanEventBytes: number;
  senderElu: number;
}

export class Senders {
  private readonly worker: Worker;

  constructor(config: SendersConfig, onError: (error: Error) => void) {
    this.worker = new Worker(path.join(__dirname, 'senders.worker.js'), { workerData: config });
    this.worker.on('error', onError);
    this.worker.unref();
  }

  /** SENDERS loops POST one event per gift until `seconds` pass or the gifts run out. */
  send(gifts: Gift[], seconds: number): Promise<RunDone> {
    return new Promise((resolve, reject) => {
      const onMessage = (msg: RunDone) => {
        if (msg.type !== 'done') {
          return;
        }
        this.worker.off('message', onMessage);
        this.worker.off('error', reject);
        resolve(msg);
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
      const request: RunRequest = { type: 'run', gifts, seconds };
      this.worker.postMessage(request);
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
