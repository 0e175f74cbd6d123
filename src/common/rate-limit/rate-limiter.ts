import { createHash } from 'node:crypto';

/**
 * One limit: a sliding window of `windowMs` in which a key (an IP address, an email) may have
 * `max` hits. A counter keeps at most `max + 1` hits per key, enough to tell "over the limit"
 * from "at it", so a key hammered a million times costs no more than one hammered once past it.
 */
export interface RateLimit {
  /** Names the counter in Redis keys and in logs, e.g. `donation-ip`. */
  readonly name: string;
  readonly windowMs: number;
  readonly max: number;
}

/**
 * The rate-limit port services depend on (injected by class). With REDIS_URL set every process of
 * a deployment shares one count per key (RedisRateLimiter); without it, the one embedded process
 * counts in memory (MemoryRateLimiter). Both keep the semantics that
 * test/integration/shared-limits-contract.test.ts pins down:
 * - a hit counts for exactly `windowMs`: a hit at t is gone at t + windowMs;
 * - `hit` records and answers the count with itself included; `count` records nothing;
 * - counts saturate at `max + 1`; limits with different names never share counts.
 */
export abstract class RateLimiter {
  /** Records a hit and returns how many hits the key has in the window, this one included. */
  abstract hit(limit: RateLimit, key: string): Promise<number>;

  /** How many hits the key has in the window, recording nothing. */
  abstract count(limit: RateLimit, key: string): Promise<number>;

  /** Whether the key has used its allowance: the next hit would be over the limit. */
  async exhausted(limit: RateLimit, key: string): Promise<boolean> {
    return (await this.count(limit, key)) >= limit.max;
  }

  /** Records a hit and says whether it was within the limit (hits over it are recorded too). */
  async allows(limit: RateLimit, key: string): Promise<boolean> {
    return (await this.hit(limit, key)) <= limit.max;
  }
}

/**
 * What a key is stored under: a hash, so no email or IP address is kept in clear (in Redis, its
 * snapshots and its MONITOR output). It is not a secret: anyone holding the store can still
 * test a guessed address against it, so Redis stays as confidential as the database.
 */
export function limitKeyDigest(limit: RateLimit, key: string): string {
  return createHash('sha256').update(`${limit.name}\n${key}`).digest('base64url').slice(0, 27);
}
