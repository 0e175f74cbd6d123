/*
 * The page cache's memory: a bounded LRU of rendered pages with a time to live, an index from
 * tag to keys for invalidation, and single-flight (many concurrent misses for one key render
 * once). A changed page is not dropped but marked stale: it may be served while one new render
 * is under way (stale-while-revalidate), so a page that changes many times a second is still
 * rendered one at a time. Pure: no Fastify, no Nest; the clock is injected so tests pin it.
 */

export interface PageStoreOptions {
  ttlMs: number;
  maxEntries: number;
  maxBytes: number;
  now?: () => number;
}

interface Slot<T> {
  value: T;
  tags: readonly string[];
  size: number;
  expiresAt: number;
  /** Its data changed since it was rendered: serve it only while a new render is under way. */
  stale: boolean;
}

export interface Kept<T> {
  value: T;
  stale: boolean;
}

/** The first miss for a key leads: it renders, then `done` hands its page (or none) to waiters. */
export interface Flight<T> {
  /** Taken before rendering; a change announced after it means the render may be stale. */
  readonly ticket: number;
  done(value: T | undefined): void;
}

export class PageStore<T> {
  private readonly slots = new Map<string, Slot<T>>();
  private readonly keysByTag = new Map<string, Set<string>>();
  /** For each tag, the change counter's value when it last changed (stale-render check). */
  private readonly changedAt = new Map<string, number>();
  private readonly flights = new Map<string, Promise<T | undefined>>();
  private readonly now: () => number;
  /** The change counter's value at the last clear(). */
  private everythingChangedAt = -1;
  private changes = 0;
  private bytes = 0;

  constructor(private readonly options: PageStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.slots.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  /** The page kept under `key`, fresh or stale; nothing once its time to live has run out. */
  get(key: string): Kept<T> | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    if (slot.expiresAt <= this.now()) {
      this.remove(key);
      return undefined;
    }
    // Most recently used last: Map keeps insertion order, so the first key is the eviction victim.
    this.slots.delete(key);
    this.slots.set(key, slot);
    return { value: slot.value, stale: slot.stale };
  }

  /** The render in progress for `key`, if another request leads one. */
  join(key: string): Promise<T | undefined> | undefined {
    return this.flights.get(key);
  }

  /** Leads the render of `key`; waiters get what `done` hands over. Call `join` first. */
  lead(key: string): Flight<T> {
    let resolve!: (value: T | undefined) => void;
    this.flights.set(
      key,
      new Promise<T | undefined>((r) => {
        resolve = r;
      }),
    );
    let finished = false;
    return {
      ticket: this.changes,
      done: (value) => {
        if (finished) return;
        finished = true;
        this.flights.delete(key);
        resolve(value);
      },
    };
  }

  /**
   * Keeps `value` under `key`: stale when one of its tags changed after `ticket` (the render may
   * show the data from before the change), fresh otherwise; not at all when it alone is larger
   * than the cache.
   */
  set(
    key: string,
    value: T,
    tags: readonly string[],
    size: number,
    ticket: number,
  ): 'fresh' | 'stale' | false {
    if (size > this.options.maxBytes) return false;
    const stale = this.changedSince(tags, ticket);
    this.remove(key);
    this.slots.set(key, { value, tags, size, expiresAt: this.now() + this.options.ttlMs, stale });
    this.bytes += size;
    for (const tag of tags) {
      let keys = this.keysByTag.get(tag);
      if (!keys) this.keysByTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    while (this.slots.size > this.options.maxEntries || this.bytes > this.options.maxBytes) {
      const oldest = this.slots.keys().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
    return stale ? 'stale' : 'fresh';
  }

  /** Marks every page showing one of `tags` stale, and renders already under way with them. */
  invalidate(tags: readonly string[]): number {
    const change = this.changes++;
    let marked = 0;
    for (const tag of tags) {
      this.changedAt.set(tag, change);
      for (const key of this.keysByTag.get(tag) ?? []) {
        const slot = this.slots.get(key);
        if (slot && !slot.stale) {
          slot.stale = true;
          marked++;
        }
      }
    }
    return marked;
  }

  /** Forgets `key` (its page is gone or no longer public). */
  delete(key: string): void {
    this.remove(key);
  }

  /** Drops everything, stale pages too (notices were lost: the listener reconnected). */
  clear(): void {
    const change = this.changes++;
    this.slots.clear();
    this.keysByTag.clear();
    this.bytes = 0;
    this.everythingChangedAt = change;
  }

  /** True when a change to one of `tags` (or a clear) came at or after `ticket`. */
  changedSince(tags: readonly string[], ticket: number): boolean {
    return (
      this.everythingChangedAt >= ticket ||
      tags.some((tag) => (this.changedAt.get(tag) ?? -1) >= ticket)
    );
  }

  private remove(key: string): boolean {
    const slot = this.slots.get(key);
    if (!slot) return false;
    this.slots.delete(key);
    this.bytes -= slot.size;
    for (const tag of slot.tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.keysByTag.delete(tag);
    }
    return true;
  }
}
