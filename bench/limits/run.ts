/**
 * Rate-limit benchmark (`npm run bench:limits`: builds the app, compiles bench/ with swc into
 * dist/bench/, and runs dist/bench/limits/run.js).
 *
 * What one limited request pays for sharing its limit between processes: hits per second of the
 * Redis limiter (`RedisRateLimiter.hit`, one EVALSHA of the sliding-window script) with 1 and
 * CONCURRENCY hits in flight, and its latency, beside the least a shared count can cost: one
 * round trip to the same Redis (PING) at the same concurrency (ratio = limiter ÷ PING). The
 * in-memory limiter of embedded mode is measured for scale. Keys are spread over KEYS client
 * addresses, as a busy giving day's would be; at the end the counts are checked (one key hit
 * exactly max + 5 times holds max + 1 hits) and this run's keys are deleted.
 *
 * Prints figures for people, then one JSON line per figure:
 *   {"bench":"limits","figure":"shared limit hits per second (32 in flight)","value":N,"unit":"hits/s","baseline":N,"ratio":N}
 *
 * Environment:
 *   BENCH_REDIS_URL     Redis (default redis://127.0.0.1:6379); keys under a prefix of this run
 *   BENCH_SECONDS       seconds per timed run (default 3)
 *   BENCH_CONCURRENCY   hits in flight in the concurrent runs (default 32)
 */
import Redis from 'ioredis';
import { MemoryRateLimiter } from '../../src/common/rate-limit/memory-rate-limiter';
import type { RateLimit } from '../../src/common/rate-limit/rate-limiter';
import { RedisRateLimiter } from '../../src/common/rate-limit/redis-rate-limiter';
import { checks, log, now, printFigures, quantile, round, type Figure } from '../lib/figures';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const KEYS = 10_000;
const PREFIX = `bench-limits-${Date.now()}`;
/** A gift-start limit as deployed: 30 per address per 10 minutes. */
const LIMIT: RateLimit = { name: 'bench', windowMs: 10 * 60_000, max: 30 };

const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** Runs `op` with `inFlight` callers for SECONDS; hits per second and each call's latency (ms). */
async function timed(
  inFlight: number,
  op: (i: number) => Promise<unknown>,
): Promise<{ perSecond: number; latencies: Float64Array }> {
  const latencies: number[] = [];
  const started = now();
  const deadline = started + SECONDS * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (now() < deadline) {
        const t = now();
        await op(n++ % KEYS);
        latencies.push(now() - t);
      }
    }),
  );
  const sorted = Float64Array.from(latencies).sort();
  return { perSecond: latencies.length / ((now() - started) / 1000), latencies: sorted };
}

async function main(): Promise<number> {
  const { check, failures } = checks();
  const figures: Figure[] = [];
  const limiter = new RedisRateLimiter({ url: REDIS_URL, prefix: PREFIX });
  const ping = new Redis(REDIS_URL);
  try {
    await limiter.hit(LIMIT, 'warm-up');
    await ping.ping();
    log(`limits bench: ${SECONDS} s per run, ${KEYS} addresses, Redis ${REDIS_URL}`);

    for (const inFlight of [1, CONCURRENCY]) {
      const shared = await timed(inFlight, (i) => limiter.hit(LIMIT, address(i)));
      const bare = await timed(inFlight, () => ping.ping());
      const p50 = quantile(shared.latencies, 0.5);
      const p99 = quantile(shared.latencies, 0.99);
      log(
        `  ${inFlight} in flight: limiter ${Math.round(shared.perSecond)} hits/s ` +
          `(p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms); ` +
          `PING ${Math.round(bare.perSecond)}/s (p50 ${quantile(bare.latencies, 0.5).toFixed(2)} ms)`,
      );
      figures.push({
        figure: `shared limit hits per second (${inFlight} in flight)`,
        value: Math.round(shared.perSecond),
        unit: 'hits/s',
        baseline: Math.round(bare.perSecond),
        ratio: round(shared.perSecond / bare.perSecond, 2),
      });
      figures.push({
        figure: `shared limit hit p99 latency (${inFlight} in flight)`,
        value: round(p99, 2),
        unit: 'ms',
        baseline: round(quantile(bare.latencies, 0.99), 2),
        ratio: round(p99 / quantile(bare.latencies, 0.99), 2),
      });
    }

    const memory = new MemoryRateLimiter();
    const memoryRun = await timed(1, (i) => memory.hit(LIMIT, address(i)));
    log(`  in memory (embedded mode): ${Math.round(memoryRun.perSecond)} hits/s`);

    // The counts are right after all that: one fresh key hit max + 5 times holds max + 1.
    const counts: number[] = [];
    for (let i = 0; i < LIMIT.max + 5; i++) counts.push(await limiter.hit(LIMIT, 'check'));
    check(
      counts.at(-1) === LIMIT.max + 1 && (await limiter.count(LIMIT, 'check')) === LIMIT.max + 1,
      `a key hit ${LIMIT.max + 5} times counts ${LIMIT.max + 1} (the limit plus one)`,
    );
  } finally {
    await limiter.onApplicationShutdown();
    let cursor = '0';
    do {
      const [next, keys] = await ping.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
      if (keys.length > 0) await ping.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    ping.disconnect();
  }
  log('');
  printFigures('limits', figures);
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
