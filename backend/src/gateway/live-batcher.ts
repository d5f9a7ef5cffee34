/**
 * Coalesces items that come fast into one batch per window, without delaying a lone one: the
 * first item after a quiet spell (no batch sent for `windowMs`) goes out at once (leading edge);
 * items arriving within the window after a batch wait for the window's end and go together.
 * Order is kept. A window of 0 sends every push as it comes.
 */
export class LiveBatcher<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly windowMs: number,
    private readonly send: (batch: T[]) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(items: readonly T[]): void {
    if (items.length === 0) return;
    this.pending.push(...items);
    if (this.timer) return;
    const wait = this.lastSentAt + this.windowMs - this.now();
    if (wait <= 0) this.flush();
    else {
      this.timer = setTimeout(() => this.flush(), wait);
      this.timer.unref();
    }
  }

  /** Sends what is pending now (shutdown, tests). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.lastSentAt = this.now();
    this.send(batch);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }
}
