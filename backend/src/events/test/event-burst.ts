// Producers posting PagerDuty v2 events at a fixed concurrency, for the failure-path specs (a
// database that goes away, an app killed mid-burst): every answer is kept, with its latency, so a
// spec can compare what was acknowledged with what the database holds.

/** One event of a burst: what to send, and what the test needs to know about it. */
export interface PlannedEvent {
  readonly dedupKey: string;
  /** `new`: a key no other event uses; `repeat`: a key shared with others; `duplicate`: a re-delivery. */
  readonly kind: 'new' | 'repeat' | 'duplicate';
  /** The exact bytes (a byte-identical body is the same delivery). */
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface PostOutcome {
  readonly n: number;
  readonly event: PlannedEvent;
  /** performance.now() when the request was sent. */
  readonly sentAt: number;
  readonly ms: number;
  /** HTTP status, when an answer came back. */
  readonly status?: number;
  readonly contentType?: string;
  /** The problem `code` of an error answer. */
  readonly code?: string;
  /** The stored event's id (202; for a duplicate, the first receipt's). */
  readonly eventId?: string;
  readonly duplicate?: boolean;
  /** Why no answer came back: the connection error's code (ECONNREFUSED, ECONNRESET, …) or TIMEOUT. */
  readonly failure?: string;
}

export interface BurstOptions {
  readonly baseUrl: string;
  readonly concurrency: number;
  /** The n-th event to send, or undefined when the burst is over. */
  readonly plan: (n: number) => PlannedEvent | undefined;
  /** Called after each answer or failure, with every outcome so far. */
  readonly onOutcome?: (outcome: PostOutcome, all: readonly PostOutcome[]) => void;
  /** A request unanswered after this long counts as a hang (failure TIMEOUT). */
  readonly timeoutMs?: number;
}

function connectionFailure(e: unknown): string {
  if (e instanceof DOMException && e.name === 'TimeoutError') return 'TIMEOUT';
  let cause: unknown = e;
  // fetch wraps the socket error: TypeError('fetch failed') { cause: Error { code } }
  while (cause && typeof cause === 'object' && 'cause' in cause && cause.cause) cause = cause.cause;
  const code = (cause as { code?: string } | undefined)?.code;
  return code ?? (cause instanceof Error ? cause.message : String(cause));
}

async function postOne(options: BurstOptions, n: number, event: PlannedEvent): Promise<PostOutcome> {
  const sentAt = performance.now();
  try {
    const res = await fetch(`${options.baseUrl}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...event.headers },
      body: event.body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    const ms = performance.now() - sentAt;
    let body: { event_id?: string; duplicate?: boolean; code?: string } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not JSON: the status says enough
    }
    return {
      n,
      event,
      sentAt,
      ms,
      status: res.status,
      contentType: res.headers.get('content-type') ?? undefined,
      ...(res.status === 202
        ? { eventId: body.event_id, duplicate: body.duplicate === true }
        : { code: body.code }),
    };
  } catch (e) {
    return { n, event, sentAt, ms: performance.now() - sentAt, failure: connectionFailure(e) };
  }
}

/** Posts the plan's events, `concurrency` at a time, until it runs out; resolves with every outcome. */
export async function postBurst(options: BurstOptions): Promise<PostOutcome[]> {
  const outcomes: PostOutcome[] = [];
  let next = 0;
  let done = false;
  const worker = async (): Promise<void> => {
    while (!done) {
      const n = next++;
      const event = options.plan(n);
      if (!event) {
        done = true;
        return;
      }
      const outcome = await postOne(options, n, event);
      outcomes.push(outcome);
      options.onOutcome?.(outcome, outcomes);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return outcomes.sort((a, b) => a.n - b.n);
}

/**
 * A mixed plan: mostly triggers with keys of their own, some triggers on a few shared keys (they
 * group), and re-deliveries of earlier events, byte-identical or under the same Idempotency-Key.
 * `n` within a run always gives the same event.
 */
export function mixedPlan(routingKey: string, run: string): (n: number) => PlannedEvent {
  const body = (dedupKey: string, summary: string): string =>
    JSON.stringify({
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: { summary, source: 'burst', severity: 'error', custom_details: { run } },
    });
  const plan = (n: number): PlannedEvent => {
    switch (n % 10) {
      case 6:
      case 7: {
        // a few shared keys; event n % 10 === 7 names its delivery, so a later one can repeat it
        const dedupKey = `${run}/shared-${n % 7}`;
        return {
          dedupKey,
          kind: 'repeat',
          body: body(dedupKey, `Shared alert #${n}`),
          ...(n % 10 === 7 ? { headers: { 'Idempotency-Key': `${run}-delivery-${n}` } } : {}),
        };
      }
      case 8:
        // the same bytes as an event sent a few places earlier: a producer's retry
        return { ...plan(n - 8), kind: 'duplicate' };
      case 9: {
        // the same Idempotency-Key as event n - 2, with a reformatted body
        const dedupKey = `${run}/shared-${(n - 2) % 7}`;
        return {
          dedupKey,
          kind: 'duplicate',
          body: body(dedupKey, `Shared alert #${n - 2} (retried)`),
          headers: { 'Idempotency-Key': `${run}-delivery-${n - 2}` },
        };
      }
      default: {
        const dedupKey = `${run}/own-${n}`;
        return { dedupKey, kind: 'new', body: body(dedupKey, `Own alert #${n}`) };
      }
    }
  };
  return plan;
}

/** The distinct event ids the app acknowledged (a duplicate's answer names its first receipt). */
export function acknowledgedIds(outcomes: readonly PostOutcome[]): Set<string> {
  return new Set(outcomes.flatMap((o) => (o.status === 202 && o.eventId ? [o.eventId] : [])));
}

/** `{ '202': 180, '503 DATABASE_UNAVAILABLE': 2, ECONNREFUSED: 18 }`: each status (with its code) or failure. */
export function countOutcomes(outcomes: readonly PostOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key =
      o.status === undefined ? String(o.failure) : o.code ? `${o.status} ${o.code}` : String(o.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The p-th percentile (0..100) of `values`, rounded to a millisecond. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)]!);
}
