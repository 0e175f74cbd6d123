import { RateLimiter, type RateLimit } from './rate-limiter';

/** Above this many keys, a hit first drops the keys whose hits have all expired. */
const PRUNE_ABOVE_KEYS = 50_000;

/**
 * Sliding-window counts in this process's memory: the embedded mode's limiter (one process), and
 * RedisRateLimiter's stand-in while Redis cannot be reached. Pure: the clock is injected.
 */
export class MemoryRateLimiter extends RateLimiter {
  private readonly hits = new Map<string, { windowMs: number; times: number[] }>();

  constructor(private readonly now: () => number = Date.now) {
    super();
  }

  hit(limit: RateLimit, key: string): Promise<number> {
    const slot = this.slot(limit, key);
    const times = this.recent(limit.windowMs, slot);
    times.push(this.now());
    if (times.length > limit.max + 1) times.splice(0, times.length - (limit.max + 1));
    this.hits.set(slot, { windowMs: limit.windowMs, times });
    if (this.hits.size > PRUNE_ABOVE_KEYS) this.prune();
    return Promise.resolve(times.length);
  }

  count(limit: RateLimit, key: string): Promise<number> {
    return Promise.resolve(this.recent(limit.windowMs, this.slot(limit, key)).length);
  }

  private slot(limit: RateLimit, key: string): string {
    return `${limit.name}\n${key}`;
  }

  private recent(windowMs: number, slot: string): number[] {
    const cutoff = this.now() - windowMs;
    return (this.hits.get(slot)?.times ?? []).filter((t) => t > cutoff);
  }

  private prune(): void {
    for (const [slot, { windowMs }] of [...this.hits]) {
      const times = this.recent(windowMs, slot);
      if (times.length === 0) this.hits.delete(slot);
      else this.hits.set(slot, { windowMs, times });
    }
  }
}
