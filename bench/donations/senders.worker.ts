import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { checkoutCompletedEvent, postWebhook } from '../lib/webhook-events';
import type { RunDone, RunRequest, SendersConfig, SendFailure } from './senders';

/**
 * The senders' thread: on {type:'run', gifts, seconds}, `senders` loops each take the next
 * donation and POST one signed checkout.session.completed event for it to /webhooks/stripe (built
 * like test/utils/webhooks.ts, but only the fields the app reads, so each event stays small),
 * until the deadline or the donations run out. Answers {type:'done', …}: the donations that got a
 * first-delivery 200, latencies and failures.
 */
const config = workerData as SendersConfig;
const agent = new http.Agent({ keepAlive: true, maxSockets: config.senders });

function isDuplicate(body: string): boolean | undefined {
  try {
    return (JSON.parse(body) as { duplicate?: boolean }).duplicate;
  } catch {
    return undefined;
  }
}

async function run({ gifts, seconds }: RunRequest): Promise<RunDone> {
  const ok: string[] = [];
  const latencies: number[] = [];
  const failures: SendFailure[] = [];
  let next = 0;
  let bytes = 0;
  let sent = 0;
  const elu = performance.eventLoopUtilization();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: config.senders }, async () => {
      while (performance.now() < deadline && next < gifts.length) {
        const [id, amountMinor] = gifts[next++]!;
        const payload = JSON.stringify(checkoutCompletedEvent(id, amountMinor));
        bytes += payload.length;
        sent++;
        const t = performance.now();
        try {
          const res = await postWebhook(agent, config.port, config.secret, payload);
          latencies.push(performance.now() - t);
          if (res.status === 200 && isDuplicate(res.body) === false) {
            ok.push(id);
          } else {
            failures.push({ id, status: res.status, body: res.body.slice(0, 300) });
          }
        } catch (error) {
          failures.push({ id, status: 0, body: String((error as Error | undefined)?.message) });
        }
      }
    }),
  );
  return {
    type: 'done',
    ok,
    latencies,
    failures,
    elapsed: (performance.now() - start) / 1000,
    exhausted: next >= gifts.length,
    meanEventBytes: bytes / Math.max(1, sent),
    senderElu: performance.eventLoopUtilization(elu).utilization,
  };
}

parentPort!.on('message', (msg: RunRequest) => {
  if (msg.type !== 'run') {
    return;
  }
  void run(msg).then((done) => parentPort!.postMessage(done));
});
