/**
 * A token bucket per key: `perMinute` tokens a minute, bursts up to a tenth of a minute's worth
 * (at least 10). Per instance: N instances admit up to N times the rate.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Takes a token; when there is none, the seconds until there will be one. */
  take(
    key: string,
    perMinute: number,
    nowMs: number = Date.now(),
  ): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const capacity = Math.max(10, perMinute / 6);
    const perMs = perMinute / 60000;
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: nowMs };
    bucket.tokens = Math.min(capacity, bucket.tokens + (nowMs - bucket.at) * perMs);
    bucket.at = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
  }

  /** Gives back a token taken for a request that then stored nothing (a 400 or a 503 after it). */
  refund(key: string, perMinute: number): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.tokens = Math.min(Math.max(10, perMinute / 6), bucket.tokens + 1);
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }
}
