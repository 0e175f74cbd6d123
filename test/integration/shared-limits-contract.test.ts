import { Logger } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { MemoryRateLimiter } from '../../src/common/rate-limit/memory-rate-limiter';
import type { RateLimit, RateLimiter } from '../../src/common/rate-limit/rate-limiter';
import { RedisRateLimiter } from '../../src/common/rate-limit/redis-rate-limiter';
import { freePort } from '../utils/processes';
import { fileQueuePrefix } from '../utils/test-app';
import { waitUntil } from '../utils/wait';

/**
 * One contract, two implementations: the in-memory limiter of embedded mode and the Redis one of
 * every deployment with REDIS_URL must answer the same hits the same way. The clock is pinned (the
 * Redis limiter scores hits with its caller's clock), so windows are exact to the millisecond.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = fileQueuePrefix();
const WINDOW = 60_000;

let now = 1_700_000_000_000;
const clock = () => now;
let names = 0;
/** A limit no other test has touched (the Redis ones share this file's prefix). */
const freshLimit = (max: number, windowMs = WINDOW): RateLimit => ({
  name: `contract-${++names}`,
  windowMs,
  max,
});

const redisLimiters: RedisRateLimiter[] = [];
function redisLimiter(options: { url?: string; prefix?: string } = {}): RedisRateLimiter {
  const limiter = new RedisRateLimiter({ url: REDIS_URL, prefix, now: clock, ...options });
  redisLimiters.push(limiter);
  return limiter;
}

let inspector: Redis;
beforeAll(() => {
  inspector = new Redis(REDIS_URL);
});
afterAll(async () => {
  await Promise.all(redisLimiters.map((l) => l.onApplicationShutdown()));
  const keys = await inspector.keys(`${prefix}:limits:*`);
  if (keys.length > 0) await inspector.del(...keys);
  inspector.disconnect();
});

describe.each([
  ['in memory', (): RateLimiter => new MemoryRateLimiter(clock)],
  ['in Redis', (): RateLimiter => redisLimiter()],
])('the rate-limit contract, %s', (_, make) => {
  let limiter: RateLimiter;
  beforeEach(() => {
    limiter = make();
  });

  it('counts a hit with itself included, and counting records nothing', async () => {
    const limit = freshLimit(5);
    expect(await limiter.count(limit, 'a')).toBe(0);
    expect(await limiter.hit(limit, 'a')).toBe(1);
    expect(await limiter.hit(limit, 'a')).toBe(2);
    expect(await limiter.count(limit, 'a')).toBe(2);
    expect(await limiter.count(limit, 'a')).toBe(2);
  });

  it('keeps a hit for exactly its window, sliding', async () => {
    const limit = freshLimit(5);
    const start = now;
    await limiter.hit(limit, 'a');
    now = start + 40_000;
    expect(await limiter.hit(limit, 'a')).toBe(2);
    now = start + WINDOW - 1;
    expect(await limiter.count(limit, 'a')).toBe(2);
    now = start + WINDOW;
    expect(await limiter.count(limit, 'a')).toBe(1);
    now = start + 40_000 + WINDOW;
    expect(await limiter.count(limit, 'a')).toBe(0);
    expect(await limiter.hit(limit, 'a')).toBe(1);
  });

  it('keeps keys and limits apart', async () => {
    const first = freshLimit(5);
    const second = freshLimit(5);
    await limiter.hit(first, 'a');
    await limiter.hit(first, 'a');
    expect(await limiter.hit(first, 'b')).toBe(1);
    expect(await limiter.hit(second, 'a')).toBe(1);
    expect(await limiter.count(first, 'a')).toBe(2);
  });

  it('saturates one past the limit and still slides: the newest hits are the ones kept', async () => {
    const limit = freshLimit(2);
    const start = now;
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) {
      now = start + i * 1000;
      counts.push(await limiter.hit(limit, 'hammer'));
    }
    expect(counts).toEqual([1, 2, 3, 3, 3, 3]);
    // Kept: the hits at 3 s, 4 s and 5 s. At 4 s past the window only the one at 5 s is left.
    now = start + 4000 + WINDOW;
    expect(await limiter.count(limit, 'hammer')).toBe(1);
  });

  it('says when a key has used its allowance and whether a hit was allowed', async () => {
    const limit = freshLimit(2);
    expect(await limiter.exhausted(limit, 'a')).toBe(false);
    expect(await limiter.allows(limit, 'a')).toBe(true);
    expect(await limiter.allows(limit, 'a')).toBe(true);
    expect(await limiter.exhausted(limit, 'a')).toBe(true);
    expect(await limiter.allows(limit, 'a')).toBe(false);
  });
});

describe('the Redis limiter', () => {
  it('counts concurrent hits from several processes together, losing none', async () => {
    const limit = freshLimit(1000);
    const [a, b] = [redisLimiter(), redisLimiter()];
    const counts = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).hit(limit, '203.0.113.7')),
    );
    expect(counts.sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(await a.count(limit, '203.0.113.7')).toBe(60);
  });

  it('stores no key in clear, under this deployment prefix, expiring with its window', async () => {
    const limit = freshLimit(3, 90_000);
    const limiter = redisLimiter();
    const email = 'donor.contract@example.org';
    await limiter.hit(limit, email);
    await limiter.hit(limit, '198.51.100.23');
    const keys = await inspector.keys(`${prefix}:limits:${limit.name}:*`);
    expect(keys).toHaveLength(2);
    expect(keys).toContain(limiter.redisKey(limit, email));
    for (const key of keys) {
      expect(key).not.toMatch(/donor|example|198\.51/);
      const members = await inspector.zrange(key, 0, -1);
      expect(members.join(' ')).not.toMatch(/donor|example|198\.51/);
      const ttl = await inspector.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(90_000);
    }
    // Another deployment (another prefix) on the same Redis counts on its own.
    expect(await redisLimiter({ prefix: `${prefix}-other` }).count(limit, email)).toBe(0);
  });

  describe('when Redis is away', () => {
    let server: PrivateRedis;
    let warn: jest.SpyInstance;
    let log: jest.SpyInstance;
    beforeAll(async () => {
      server = await PrivateRedis.start();
    });
    afterAll(() => server.close());
    beforeEach(() => {
      warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    });
    afterEach(() => {
      warn.mockRestore();
      log.mockRestore();
    });

    it('fails open: counts in the process meanwhile, warns once, and shares again once back', async () => {
      const limit = freshLimit(3);
      const limiter = redisLimiter({ url: server.url });
      const key = '192.0.2.44';
      expect(await limiter.hit(limit, key)).toBe(1);
      expect(await server.client().zcard(limiter.redisKey(limit, key))).toBe(1);

      await server.stop();
      // The process still enforces the limit on what it sees, from nothing.
      const counts = [];
      for (let i = 0; i < 5; i++) counts.push(await limiter.hit(limit, key));
      expect(counts).toEqual([1, 2, 3, 4, 4]);
      expect(await limiter.exhausted(limit, key)).toBe(true);
      const warnings = warn.mock.calls.map(([message]) => String(message));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/counted in this process only/);

      await server.restart();
      // Redis lost the key with the restart (no persistence): once reconnected, counts are its own.
      await waitUntil(
        async () => (await limiter.count(limit, key)) === 0,
        'the limiter to read from Redis again',
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      expect(await limiter.hit(limit, key)).toBe(1);
      expect(await server.client().zcard(limiter.redisKey(limit, key))).toBe(1);
      expect(log.mock.calls.map(([message]) => String(message))).toEqual([
        expect.stringMatching(/Redis is back/),
      ]);
    }, 60_000);

    it('stops waiting on a Redis that hangs: one request waits out the timeout, the next count in memory', async () => {
      const limit = freshLimit(3);
      const limiter = redisLimiter({ url: server.url });
      const key = '192.0.2.46';
      expect(await limiter.hit(limit, key)).toBe(1);
      /** Scripts Redis has run or refused (EVAL and EVALSHA). */
      const calls = async () =>
        [
          ...(await server.client().info('commandstats')).matchAll(
            /cmdstat_eval(?:sha)?:calls=(\d+)/g,
          ),
        ].reduce((sum, [, n]) => sum + Number(n), 0);
      const before = await calls();

      // Every client's commands wait for 3 s (a Redis stuck on a slow disk or a long script).
      await server.client().client('PAUSE', 3_000, 'ALL');
      const counts = [];
      for (let i = 0; i < 4; i++) counts.push(await limiter.hit(limit, key));
      expect(counts).toEqual([1, 2, 3, 4]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/timed out/);

      await waitUntil(
        async () => (await limiter.count(limit, key)) <= 2,
        'the limiter to read from Redis again',
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      // Only the first hit was sent while Redis hung (it may have run once Redis woke up).
      expect((await calls()) - before).toBeLessThanOrEqual(1);
    }, 60_000);

    it('starts without Redis, counting in the process, and shares once Redis comes up', async () => {
      await server.stop();
      const limit = freshLimit(3);
      const limiter = redisLimiter({ url: server.url });
      const key = '192.0.2.45';
      expect(await limiter.hit(limit, key)).toBe(1);
      expect(await limiter.hit(limit, key)).toBe(2);
      expect(warn).toHaveBeenCalledTimes(1);

      await server.restart();
      await waitUntil(
        async () => (await limiter.count(limit, key)) === 0,
        'the limiter to connect in the background',
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      expect(await limiter.hit(limit, key)).toBe(1);
      expect(await server.client().zcard(limiter.redisKey(limit, key))).toBe(1);
    }, 60_000);
  });
});

/** A redis-server of this test's own on a free port, so stopping it disturbs nobody else. */
class PrivateRedis {
  private child?: ChildProcess;
  private inspector?: Redis;

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const server = new PrivateRedis(
      await freePort(),
      mkdtempSync(path.join(tmpdir(), 'lianxin-redis-')),
    );
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  client(): Redis {
    this.inspector ??= new Redis(this.url, { maxRetriesPerRequest: 1 });
    return this.inspector;
  }

  async restart(): Promise<void> {
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { cwd: this.dir, stdio: 'ignore' },
    );
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => undefined);
    await waitUntil(
      () =>
        probe
          .connect()
          .then(() => true)
          .catch(() => false),
      `redis-server on port ${this.port}`,
    );
    probe.disconnect();
  }

  async stop(): Promise<void> {
    this.inspector?.disconnect();
    this.inspector = undefined;
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) {
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      });
    }
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
