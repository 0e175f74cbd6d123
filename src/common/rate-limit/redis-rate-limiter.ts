import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { MemoryRateLimiter } from './memory-rate-limiter';
import { limitKeyDigest, RateLimiter, type RateLimit } from './rate-limiter';

/**
 * One hit, atomically: drop the hits that left the window, add this one, keep the newest
 * `cap` (max + 1), let the key expire with its newest hit, answer the count. Scores are the
 * callers' clocks in ms; members are unique per hit.
 */
const HIT_SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
redis.call('ZADD', key, now, ARGV[4])
redis.call('ZREMRANGEBYRANK', key, 0, -(cap + 1))
redis.call('PEXPIRE', key, window)
return redis.call('ZCARD', key)
`;

interface HitCommand {
  rateLimitHit(
    key: string,
    now: number,
    windowMs: number,
    cap: number,
    member: string,
  ): Promise<number>;
}

/** How long the first use waits for the connection before counting in memory. */
const CONNECT_WAIT_MS = 1_000;
/**
 * A command slower than this counts as Redis being unavailable: the request goes on, counted in
 * memory, and the connection is made again.
 */
const COMMAND_TIMEOUT_MS = 1_000;

export interface RedisRateLimiterOptions {
  url: string;
  /** Keys are `<prefix>:limits:<limit name>:<hash of the key>` (QUEUE_PREFIX). */
  prefix: string;
  now?: () => number;
}

/**
 * Sliding-window limits shared by every process of a deployment: one sorted set per limit and
 * key in Redis, hit by a Lua script so concurrent hits from several processes never lose one.
 *
 * When Redis cannot be reached it fails open, on purpose: donation starts and sign-ins go on,
 * counted in this process's memory (each process then enforces the limit on its own share), with
 * one warning per outage. Counts made meanwhile are not carried over when Redis is back.
 */
export class RedisRateLimiter extends RateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly fallback: MemoryRateLimiter;
  private readonly now: () => number;
  private readonly instance = randomBytes(6).toString('base64url');
  private sequence = 0;
  private redis?: Redis & HitCommand;
  private firstConnect?: Promise<unknown>;
  private degraded = false;

  constructor(private readonly options: RedisRateLimiterOptions) {
    super();
    this.now = options.now ?? Date.now;
    this.fallback = new MemoryRateLimiter(this.now);
  }

  hit(limit: RateLimit, key: string): Promise<number> {
    const now = this.now();
    const member = `${now}:${this.instance}:${++this.sequence}`;
    return this.shared(
      (redis) =>
        redis.rateLimitHit(this.redisKey(limit, key), now, limit.windowMs, limit.max + 1, member),
      () => this.fallback.hit(limit, key),
    );
  }

  count(limit: RateLimit, key: string): Promise<number> {
    const cutoff = this.now() - limit.windowMs;
    return this.shared(
      (redis) => redis.zcount(this.redisKey(limit, key), `(${cutoff}`, '+inf'),
      () => this.fallback.count(limit, key),
    );
  }

  /** Where a key's hits live in Redis (tests look at it; nothing else should). */
  redisKey(limit: RateLimit, key: string): string {
    return `${this.options.prefix}:limits:${limit.name}:${limitKeyDigest(limit, key)}`;
  }

  async onApplicationShutdown(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    if (redis?.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis?.disconnect();
  }

  private async shared(
    run: (redis: Redis & HitCommand) => Promise<number>,
    fallback: () => Promise<number>,
  ): Promise<number> {
    const redis = await this.connected();
    if (redis) {
      try {
        const value = await run(redis);
        if (this.degraded) {
          this.degraded = false;
          this.logger.log('Redis is back: rate limits are shared between processes again');
        }
        return value;
      } catch (error) {
        this.degrade((error as Error).message);
        // A Redis that stopped answering: drop the connection, so the next requests count in
        // memory at once (the client is not ready) instead of each waiting out the timeout.
        if (/timed out/i.test((error as Error).message)) redis.disconnect(true);
      }
    } else {
      this.degrade(`Redis is not connected (${this.redis?.status ?? 'closed'})`);
    }
    return fallback();
  }

  private degrade(reason: string): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      `${reason}: rate limits are counted in this process only until Redis answers again`,
    );
  }

  /** The client once it is ready; the first call waits a moment for it to connect. */
  private async connected(): Promise<(Redis & HitCommand) | null> {
    if (!this.redis) {
      const redis = new Redis(this.options.url, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: COMMAND_TIMEOUT_MS,
        retryStrategy: (times) => Math.min(times * 500, 5_000),
        // Closing must not wait on a Redis that is down.
        disconnectTimeout: 200,
        connectionName: 'lianxin-rate-limits',
      });
      redis.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
      // Without an 'error' listener an unreachable Redis would crash the process; `shared` reports.
      redis.on('error', () => undefined);
      this.redis = redis as Redis & HitCommand;
      this.firstConnect = redis.connect().catch(() => undefined);
    }
    if (this.redis.status !== 'ready' && this.firstConnect) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.firstConnect,
        new Promise((resolve) => (timer = setTimeout(resolve, CONNECT_WAIT_MS))),
      ]);
      clearTimeout(timer);
      this.firstConnect = undefined;
    }
    return this.redis?.status === 'ready' ? this.redis : null;
  }
}
