import { PrincipalCache, type PrincipalCacheOptions } from './principal-cache';

const FAR = Number.MAX_SAFE_INTEGER;

function cacheWith(overrides: Partial<PrincipalCacheOptions> = {}): {
  cache: PrincipalCache<string>;
  clock: { now: number };
  signal: { on: boolean };
} {
  const clock = { now: 1_000_000 };
  const signal = { on: true };
  const cache = new PrincipalCache<string>({
    ttlMs: 60_000,
    maxEntries: 100,
    signalled: () => signal.on,
    now: () => clock.now,
    ...overrides,
  });
  return { cache, clock, signal };
}

/** A read of (user, session) that found `value`, begun and ended at once. */
function filled(cache: PrincipalCache<string>, user: string, session: string, value: string): boolean {
  return cache.store(cache.begin(user), session, value, FAR);
}

describe('PrincipalCache', () => {
  it('answers what a read stored, per user and session', () => {
    const { cache } = cacheWith();
    expect(cache.lookup('u1', 's1')).toBeUndefined();
    expect(filled(cache, 'u1', 's1', 'p1')).toBe(true);
    expect(cache.lookup('u1', 's1')).toBe('p1');
    expect(cache.lookup('u1', 's2')).toBeUndefined();
    expect(cache.lookup('u2', 's1')).toBeUndefined();
  });

  it("forgets every session of a user it is told changed, and only that user's", () => {
    const { cache } = cacheWith();
    filled(cache, 'u1', 's1', 'a');
    filled(cache, 'u1', 's2', 'b');
    filled(cache, 'u2', 's3', 'c');
    cache.invalidateUser('u1');
    expect(cache.lookup('u1', 's1')).toBeUndefined();
    expect(cache.lookup('u1', 's2')).toBeUndefined();
    expect(cache.lookup('u2', 's3')).toBe('c');
    cache.invalidateAll();
    expect(cache.lookup('u2', 's3')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not keep a read that began before its user was invalidated (it may have seen the old row)', () => {
    const { cache } = cacheWith();
    const early = cache.begin('u1');
    cache.invalidateUser('u1');
    const late = cache.begin('u1');
    expect(cache.store(early, 's1', 'stale', FAR)).toBe(false);
    expect(cache.lookup('u1', 's1')).toBeUndefined();
    expect(cache.store(late, 's1', 'fresh', FAR)).toBe(true);
    expect(cache.lookup('u1', 's1')).toBe('fresh');
  });

  it('does not keep a read that began before everyone was invalidated', () => {
    const { cache } = cacheWith();
    const early = cache.begin('u1');
    cache.invalidateAll();
    expect(cache.store(early, 's1', 'stale', FAR)).toBe(false);
    expect(filled(cache, 'u1', 's1', 'fresh')).toBe(true);
  });

  it("is not spoiled by another user's invalidation, nor by one that ended before the read began", () => {
    const { cache } = cacheWith();
    cache.invalidateUser('u1');
    const fill = cache.begin('u1');
    cache.invalidateUser('u2');
    expect(cache.store(fill, 's1', 'p', FAR)).toBe(true);
  });

  it('keeps per-user read state only while reads are in flight', () => {
    const { cache } = cacheWith();
    const a = cache.begin('u1');
    const b = cache.begin('u1');
    cache.abandon(a);
    cache.invalidateUser('u1');
    // b began before the invalidation: spoiled even though a ended first.
    expect(cache.store(b, 's1', 'stale', FAR)).toBe(false);
    expect(filled(cache, 'u1', 's1', 'fresh')).toBe(true);
  });

  it('neither answers nor stores while signals do not arrive, and answers again once they do', () => {
    const { cache, signal } = cacheWith();
    filled(cache, 'u1', 's1', 'p');
    signal.on = false;
    expect(cache.serving).toBe(false);
    expect(cache.lookup('u1', 's1')).toBeUndefined();
    const during = cache.begin('u2');
    expect(cache.store(during, 's2', 'q', FAR)).toBe(false);
    signal.on = true;
    // (The listener reports `all` on reconnecting, which clears what was kept before.)
    expect(cache.lookup('u2', 's2')).toBeUndefined();
  });

  it('lets an entry live at most the TTL, and no longer than the limit the read gave (session expiry)', () => {
    const { cache, clock } = cacheWith({ ttlMs: 1000 });
    filled(cache, 'u1', 's1', 'ttl');
    cache.store(cache.begin('u2'), 's2', 'expiring', clock.now + 300);
    clock.now += 299;
    expect(cache.lookup('u2', 's2')).toBe('expiring');
    clock.now += 1;
    expect(cache.lookup('u2', 's2')).toBeUndefined();
    clock.now += 699;
    expect(cache.lookup('u1', 's1')).toBe('ttl');
    clock.now += 1;
    expect(cache.lookup('u1', 's1')).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.store(cache.begin('u3'), 's3', 'already over', clock.now)).toBe(false);
  });

  it('evicts the least recently used entry past its bound', () => {
    const { cache } = cacheWith({ maxEntries: 2 });
    filled(cache, 'u1', 's1', 'a');
    filled(cache, 'u2', 's2', 'b');
    expect(cache.lookup('u1', 's1')).toBe('a'); // u1 is now the most recently used
    filled(cache, 'u3', 's3', 'c');
    expect(cache.size).toBe(2);
    expect(cache.lookup('u2', 's2')).toBeUndefined();
    expect(cache.lookup('u1', 's1')).toBe('a');
    expect(cache.lookup('u3', 's3')).toBe('c');
    cache.invalidateUser('u2'); // an evicted user's index went with the entry
    expect(cache.size).toBe(2);
  });

  it('is off with a TTL of 0: nothing answers, nothing is kept', () => {
    const { cache } = cacheWith({ ttlMs: 0 });
    expect(cache.enabled).toBe(false);
    expect(filled(cache, 'u1', 's1', 'p')).toBe(false);
    expect(cache.lookup('u1', 's1')).toBeUndefined();
  });
});
