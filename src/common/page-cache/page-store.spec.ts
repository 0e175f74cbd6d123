import { PageStore } from './page-store';

describe('PageStore', () => {
  let now = 0;
  const store = (opts: Partial<{ ttlMs: number; maxEntries: number; maxBytes: number }> = {}) =>
    new PageStore<string>({
      ttlMs: 10_000,
      maxEntries: 100,
      maxBytes: 1_000_000,
      now: () => now,
      ...opts,
    });
  beforeEach(() => {
    now = 1_000;
  });

  it('keeps a page until its time to live runs out', () => {
    const s = store();
    expect(s.set('a', 'page a', ['campaign:1'], 10, s.lead('a').ticket)).toBe('fresh');
    now += 9_999;
    expect(s.get('a')).toEqual({ value: 'page a', stale: false });
    now += 1;
    expect(s.get('a')).toBeUndefined();
    expect(s.size).toBe(0);
    expect(s.totalBytes).toBe(0);
  });

  it('evicts the least recently used page past the entry limit or the byte limit', () => {
    const s = store({ maxEntries: 2, maxBytes: 100 });
    s.set('a', 'A', [], 10, 0);
    s.set('b', 'B', [], 10, 0);
    s.get('a'); // a is now the most recently used
    s.set('c', 'C', [], 10, 0);
    const value = (key: string) => s.get(key)?.value;
    expect([value('a'), value('b'), value('c')]).toEqual(['A', undefined, 'C']);

    s.set('big', 'BIG', [], 85, 0); // 10 + 10 + 85 > 100: the oldest goes
    expect(value('a')).toBeUndefined();
    expect(value('big')).toBe('BIG');
    expect(s.totalBytes).toBe(95);
    expect(s.set('huge', 'HUGE', [], 101, 0)).toBe(false);
    expect(value('big')).toBe('BIG');
    s.delete('big');
    expect(s.totalBytes).toBe(10);
  });

  it('marks stale exactly the pages that show a changed tag', () => {
    const s = store();
    s.set('campaign 1 zh', 'x', ['campaign:1', 'foundation'], 1, 0);
    s.set('campaign 1 en', 'x', ['campaign:1', 'foundation'], 1, 0);
    s.set('campaign 2', 'x', ['campaign:2', 'foundation'], 1, 0);
    s.set('home', 'x', ['campaigns', 'funds', 'foundation'], 1, 0);
    expect(s.invalidate(['campaign:1'])).toBe(2);
    expect(s.get('campaign 1 zh')).toEqual({ value: 'x', stale: true });
    expect(s.get('campaign 2')).toEqual({ value: 'x', stale: false });
    expect(s.invalidate(['fund:9'])).toBe(0);
    expect(s.invalidate(['campaign:1'])).toBe(0); // already stale
    expect(s.invalidate(['foundation'])).toBe(2);
    expect(s.get('home')?.stale).toBe(true);
    // A new render replaces a stale page with a fresh one.
    s.set('home', 'y', ['campaigns', 'funds', 'foundation'], 1, s.lead('home').ticket);
    expect(s.get('home')).toEqual({ value: 'y', stale: false });
  });

  it('keeps a render that started before a change to one of its tags as stale', () => {
    const s = store();
    const flight = s.lead('campaign 1');
    s.invalidate(['campaign:1']); // a gift settled while the page was being rendered
    expect(s.set('campaign 1', 'old', ['campaign:1'], 1, flight.ticket)).toBe('stale');
    expect(s.get('campaign 1')).toEqual({ value: 'old', stale: true });
    // Another tag's change does not matter; a render started after the change is fresh.
    const later = s.lead('campaign 1');
    s.invalidate(['campaign:2']);
    expect(s.set('campaign 1', 'new', ['campaign:1'], 1, later.ticket)).toBe('fresh');
    // clear() (notices were lost) drops everything and makes every render under way stale.
    const during = s.lead('home');
    s.clear();
    expect(s.get('campaign 1')).toBeUndefined();
    expect(s.set('home', 'old', ['campaigns'], 1, during.ticket)).toBe('stale');
  });

  it('lets concurrent misses wait for one render (single-flight)', async () => {
    const s = store();
    expect(s.join('a')).toBeUndefined();
    const flight = s.lead('a');
    const waiters = [s.join('a'), s.join('a'), s.join('a')].map((w) => w!);
    expect(waiters).toHaveLength(3);
    flight.done('page a');
    flight.done('again'); // once only
    await expect(Promise.all(waiters)).resolves.toEqual(['page a', 'page a', 'page a']);
    expect(s.join('a')).toBeUndefined();

    // A leader whose answer is not kept lets its waiters render for themselves.
    const second = s.lead('b');
    const waiter = s.join('b');
    second.done(undefined);
    await expect(waiter).resolves.toBeUndefined();
  });
});
