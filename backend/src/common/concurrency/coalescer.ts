const ignore = (): void => undefined;

/**
 * Runs identical work once for the callers that ask for it at the same time ("single flight"),
 * without ever handing a caller a result that was started before it asked: a caller arriving
 * while a run is in flight waits for the next run, which starts as soon as that one ends and
 * serves everyone who queued meanwhile. So each caller sees the data as it was at some moment
 * after its call, exactly as if it had run the work itself.
 *
 * A failed run fails every caller that shared it; nothing is kept once a run ends.
 */
export class Coalescer<T> {
  private readonly inFlight = new Map<string, Promise<T>>();
  private readonly queued = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const next = this.queued.get(key);
    if (next) return next;
    const current = this.inFlight.get(key);
    if (!current) return this.start(key, work);
    const following = current.then(ignore, ignore).then(() => {
      this.queued.delete(key);
      return this.start(key, work);
    });
    this.queued.set(key, following);
    return following;
  }

  /** Keys with a run in flight or queued (for tests and diagnostics). */
  get size(): number {
    return new Set([...this.inFlight.keys(), ...this.queued.keys()]).size;
  }

  private start(key: string, work: () => Promise<T>): Promise<T> {
    const run = work().finally(() => {
      if (this.inFlight.get(key) === run) this.inFlight.delete(key);
    });
    this.inFlight.set(key, run);
    return run;
  }
}
