/** Entries kept at most; past it the least recently used go first (a few hundred bytes each). */
export const PRINCIPAL_CACHE_MAX_ENTRIES = 10_000;

export interface PrincipalCacheOptions {
  /** How long an entry may answer at most, whatever else happens; 0 turns the cache off. */
  readonly ttlMs: number;
  readonly maxEntries: number;
  /**
   * Whether invalidation signals reach this cache right now (the access-change listener holds
   * its LISTEN). While false the cache neither answers nor stores: a change made elsewhere
   * would go unseen, so every request reads the database, as it did before the cache.
   */
  readonly signalled: () => boolean;
  readonly now?: () => number;
}

/**
 * A read that may fill the cache: what the cache looked like when it started. An invalidation
 * of its user (or of everyone) after that moment means the read may have seen the row before
 * the change, so its result must not be kept.
 */
export interface PrincipalFill {
  readonly userId: string;
  readonly epoch: number;
  readonly generation: number;
}

interface Entry<V> {
  readonly userId: string;
  readonly value: V;
  readonly expiresAt: number;
}

/**
 * What a (user, session) pair was found to be allowed, so requests can skip reading the user
 * and session rows until a signal says either changed. Plain class (no Nest), so its rules are
 * unit-tested by calling it: entries expire after the TTL or when the caller's own limit
 * passes (the session's end), the least recently used go past `maxEntries`, and a read that
 * overlapped an invalidation of its user never stores (generation per user, epoch for all).
 */
export class PrincipalCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly keysByUser = new Map<string, Set<string>>();
  /**
   * Per user with a read in flight: how many, and how often the user was invalidated since the
   * first of them began. Dropped when the last one ends, so it holds only users being read.
   */
  private readonly fills = new Map<string, { pending: number; generation: number }>();
  /** Bumped by invalidateAll: every read begun before it is stale. */
  private epoch = 0;
  private readonly now: () => number;

  constructor(private readonly options: PrincipalCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.ttlMs > 0;
  }

  /** Whether lookups can answer right now (on, and signals arrive). */
  get serving(): boolean {
    return this.enabled && this.options.signalled();
  }

  get size(): number {
    return this.entries.size;
  }

  lookup(userId: string, sessionId: string): V | undefined {
    if (!this.serving) return undefined;
    const key = keyOf(userId, sessionId);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(key, entry.userId);
      return undefined;
    }
    // Most recently used last: Map keeps insertion order, so the oldest key is evicted first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Call before reading the rows; end it with `store` or `abandon`, exactly once. */
  begin(userId: string): PrincipalFill {
    const fill = this.fills.get(userId);
    if (fill) {
      fill.pending += 1;
      return { userId, epoch: this.epoch, generation: fill.generation };
    }
    this.fills.set(userId, { pending: 1, generation: 0 });
    return { userId, epoch: this.epoch, generation: 0 };
  }

  /**
   * Keeps what a read found, unless the user (or everyone) was invalidated since it began, or
   * signals stopped arriving meanwhile. `validUntil` (epoch ms) caps the entry's life below
   * the TTL, e.g. at the session's expiry.
   */
  store(fill: PrincipalFill, sessionId: string, value: V, validUntil: number): boolean {
    const current = this.end(fill);
    if (!current || !this.serving) return false;
    const now = this.now();
    const expiresAt = Math.min(now + this.options.ttlMs, validUntil);
    if (expiresAt <= now) return false;
    const key = keyOf(fill.userId, sessionId);
    this.remove(key, fill.userId);
    this.entries.set(key, { userId: fill.userId, value, expiresAt });
    let keys = this.keysByUser.get(fill.userId);
    if (!keys) this.keysByUser.set(fill.userId, (keys = new Set()));
    keys.add(key);
    this.evictOverflow();
    return true;
  }

  /** The read failed or refused: nothing to keep. */
  abandon(fill: PrincipalFill): void {
    this.end(fill);
  }

  /** The user's rows (or one of their sessions) changed: forget them, and spoil reads in flight. */
  invalidateUser(userId: string): void {
    const fill = this.fills.get(userId);
    if (fill) fill.generation += 1;
    const keys = this.keysByUser.get(userId);
    if (!keys) return;
    for (const key of keys) this.entries.delete(key);
    this.keysByUser.delete(userId);
  }

  /** Anyone's access may have changed (signals were missed, a table was truncated). */
  invalidateAll(): void {
    this.epoch += 1;
    this.entries.clear();
    this.keysByUser.clear();
  }

  /** Ends a fill; true when nothing invalidated its user or everyone since it began. */
  private end(fill: PrincipalFill): boolean {
    const state = this.fills.get(fill.userId);
    const current = state !== undefined && state.generation === fill.generation && fill.epoch === this.epoch;
    if (state) {
      state.pending -= 1;
      if (state.pending <= 0) this.fills.delete(fill.userId);
    }
    return current;
  }

  private remove(key: string, userId: string): void {
    if (!this.entries.delete(key)) return;
    const keys = this.keysByUser.get(userId);
    keys?.delete(key);
    if (keys?.size === 0) this.keysByUser.delete(userId);
  }

  private evictOverflow(): void {
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.entries().next();
      if (oldest.done) return;
      const [key, entry] = oldest.value;
      this.remove(key, entry.userId);
    }
  }
}

function keyOf(userId: string, sessionId: string): string {
  return `${userId} ${sessionId}`;
}
