import { TaskCancelledError, timeout, TimeoutStrategy, type TimeoutPolicy } from 'cockatiel';
import { ServiceNowCallError } from './servicenow.errors';
import type { ServiceNowCallStats } from './servicenow-call-stats';

/** One answer of the instance, body read and parsed when it is JSON. */
export interface ServiceNowAnswer {
  readonly status: number;
  readonly headers: Headers;
  /** Parsed JSON, or the text when the body is not JSON (an outage page), or null when empty. */
  readonly body: unknown;
}

/**
 * One HTTP exchange with the instance through the global fetch (undici), under a cockatiel
 * timeout (SERVICENOW_TIMEOUT_MS, covering the body too), recorded in the call statistics.
 * Failing to get an answer throws a transient ServiceNowCallError; any answer is returned.
 */
export class ServiceNowExchange {
  private readonly timeout: TimeoutPolicy;

  constructor(
    private readonly timeoutMs: number,
    private readonly stats: ServiceNowCallStats,
  ) {
    this.timeout = timeout(timeoutMs, TimeoutStrategy.Aggressive);
  }

  async send(operation: string, url: string, init: RequestInit): Promise<ServiceNowAnswer> {
    const started = performance.now();
    try {
      const answer = await this.timeout.execute(async (_ctx, signal) => {
        const res = await fetch(url, { ...init, signal, redirect: 'manual' });
        const text = await res.text();
        return { status: res.status, headers: res.headers, body: parseBody(text) };
      });
      const ok = answer.status < 400;
      this.stats.record({
        operation,
        status: answer.status,
        ok,
        durationMs: performance.now() - started,
        error: ok ? null : (errorTextOf(answer.body) ?? `HTTP ${answer.status}`),
      });
      return answer;
    } catch (e) {
      const timedOut = e instanceof TaskCancelledError;
      const reason = timedOut
        ? `no answer within ${this.timeoutMs} ms`
        : `network error: ${networkReason(e)}`;
      this.stats.record({
        operation,
        status: null,
        ok: false,
        durationMs: performance.now() - started,
        error: reason,
      });
      throw new ServiceNowCallError({
        kind: 'transient',
        operation,
        reason,
        failure: timedOut ? 'timeout' : 'network',
      });
    }
  }
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** fetch's `TypeError: fetch failed` plus its cause's code (ECONNREFUSED, ENOTFOUND, …). Duck-typed: the error may come from another realm. */
function networkReason(e: unknown): string {
  const message = (x: unknown): string | undefined =>
    typeof x === 'object' && x !== null && typeof (x as { message?: unknown }).message === 'string'
      ? (x as { message: string }).message
      : undefined;
  const cause = typeof e === 'object' && e !== null ? (e as { cause?: unknown }).cause : undefined;
  const code =
    typeof cause === 'object' && cause !== null
      ? (((cause as { code?: unknown }).code as string | undefined) ?? message(cause))
      : undefined;
  const text = message(e) ?? String(e);
  return code ? `${text} (${code})` : text;
}

/**
 * The instance's own words: the Table API's `{"error":{"message","detail"}}`, OAuth's
 * `{"error","error_description"}`, or the start of a non-JSON page with its tags removed.
 */
export function errorTextOf(body: unknown): string | null {
  if (typeof body === 'string') {
    const text = body
      .replace(/<[^>]*>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    return text === '' ? null : text.slice(0, 200);
  }
  if (typeof body !== 'object' || body === null) return null;
  const error = (body as { error?: unknown }).error;
  if (typeof error === 'object' && error !== null) {
    const { message, detail } = error as { message?: unknown; detail?: unknown };
    const m = typeof message === 'string' && message !== '' ? message : null;
    const d = typeof detail === 'string' && detail !== '' ? detail : null;
    return m && d ? `${m}: ${d}` : (m ?? d);
  }
  if (typeof error === 'string') {
    const description = (body as { error_description?: unknown }).error_description;
    return typeof description === 'string' && description !== '' ? `${error}: ${description}` : error;
  }
  return null;
}

/** Seconds to wait: `Retry-After` (seconds or an HTTP date), else `X-RateLimit-Reset` (Unix time). */
export function retryAfterSecondsOf(headers: Headers, now = Date.now()): number | null {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - now) / 1000));
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset && /^\d+$/.test(reset)) return Math.max(0, Math.ceil(Number(reset) - now / 1000));
  return null;
}
