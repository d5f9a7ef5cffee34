/**
 * Every analytics answer is a function of the refresh it reads and of its parameters: a refresh
 * rewrites the facts, tables and views and records its time in one transaction, and a reader sees
 * one snapshot with the newest recorded time. So an answer computed once serves every request for
 * the same refresh: fifty consoles opening the dashboard after a refresh cost one computation of
 * each panel, not fifty. Nothing is served across refreshes (a newer refresh empties the memo),
 * a reader whose snapshot predates the newest refresh computes its own answer, and a failed
 * computation is not kept: whoever was waiting on it computes in its own transaction.
 */
export class PerRefreshAnswers {
  private refreshedAt = Number.NEGATIVE_INFINITY;
  private readonly answers = new Map<string, Promise<unknown>>();

  constructor(private readonly maxEntries = 500) {}

  /** Computations started, for tests and benches: a hit starts none. */
  computed = 0;

  /** The answer already computed (or being computed) for this refresh and key, if any. */
  peek<V>(refreshedAt: Date, key: string): Promise<V> | undefined {
    if (refreshedAt.getTime() !== this.refreshedAt) return undefined;
    return this.answers.get(key) as Promise<V> | undefined;
  }

  answer<V>(refreshedAt: Date, key: string, compute: () => Promise<V>): Promise<V> {
    const at = refreshedAt.getTime();
    if (at > this.refreshedAt) {
      this.answers.clear();
      this.refreshedAt = at;
    } else if (at < this.refreshedAt) {
      return this.start(compute);
    }
    const existing = this.answers.get(key) as Promise<V> | undefined;
    if (existing) return existing.catch(() => this.start(compute));
    const started = this.start(compute);
    if (this.answers.size >= this.maxEntries) {
      // The oldest entry goes: Map keeps insertion order.
      const oldest = this.answers.keys().next();
      if (!oldest.done) this.answers.delete(oldest.value);
    }
    this.answers.set(key, started);
    started.catch(() => {
      if (this.answers.get(key) === started) this.answers.delete(key);
    });
    return started;
  }

  private start<V>(compute: () => Promise<V>): Promise<V> {
    this.computed++;
    return compute();
  }
}
