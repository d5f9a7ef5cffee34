/** What to do with one more client message. */
export type LiveMessageVerdict = 'accept' | 'limit' | 'disconnect';

/** A flood this many times over the limit within one second ends the socket. */
export const FLOOD_FACTOR = 5;

/**
 * One socket's message budget: `perSecond` messages in each second (a fixed one-second window,
 * cheap enough to run on every packet). Over it a message is refused (`limit`); past
 * FLOOD_FACTOR times it, within the same second, the socket is a flood (`disconnect`): a
 * well-behaved client that trips the limit once stays connected.
 */
export class LiveMessageLimiter {
  private windowStart = Number.NEGATIVE_INFINITY;
  private count = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(): LiveMessageVerdict {
    const now = this.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.count = 0;
    }
    this.count += 1;
    if (this.count <= this.perSecond) return 'accept';
    return this.count > this.perSecond * FLOOD_FACTOR ? 'disconnect' : 'limit';
  }
}
