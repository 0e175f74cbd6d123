import { createHmac } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
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

/** Stripe's signature scheme (`t=<unix time>,v1=<HMAC-SHA256 of "<t>.<payload>">`). */
function signature(payload: string): string {
  const timestamp = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', config.secret).update(`${timestamp}.${payload}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

function post(payload: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: config.port,
        path: '/webhooks/stripe',
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'stripe-signature': signature(payload),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function event(id: string, amountMinor: number) {
  const compact = id.replace(/-/g, '');
  return {
    id: `evt_bench_${compact}`,
    object: 'event',
    type: 'checkout.session.completed',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id: `cs_test_${compact}`,
        object: 'checkout.session',
        amount_total: amountMinor,
        amount_subtotal: amountMinor,
        currency: 'cny',
        payment_status: 'paid',
        status: 'complete',
        mode: 'payment',
        client_reference_id: id,
        metadata: { donation_id: id },
        payment_intent: `pi_test_${compact}`,
      },
    },
  };
}

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
        const payload = JSON.stringify(event(id, amountMinor));
        bytes += payload.length;
        sent++;
        const t = performance.now();
        try {
          const res = await post(payload);
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
