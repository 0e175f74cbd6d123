/**
 * A sliding-window counter per key (an IP address, or an email without an account) kept in
 * memory. Per process: with several app instances each counts its own share, which still bounds
 * guessing; the per-account lockout lives in the database.
 */
export class SlidingWindowCounter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a hit and returns how many hits the key has in the window, this one included. */
  hit(key: string): number {
    const list = this.recent(key);
    list.push(this.now());
    this.hits.set(key, list);
    if (this.hits.size > 50_000) this.prune();
    return list.length;
  }

  count(key: string): number {
    return this.recent(key).length;
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    return (this.hits.get(key) ?? []).filter((t) => t > cutoff);
  }

  private prune(): void {
    for (const key of [...this.hits.keys()]) {
      const list = this.recent(key);
      if (list.length === 0) this.hits.delete(key);
      else this.hits.set(key, list);
    }
  }
}
