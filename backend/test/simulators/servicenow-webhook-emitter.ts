import { createHmac, randomUUID } from 'node:crypto';

/**
 * The business rule an admin installs on the instance (docs/protocols.md §1.6), played by the
 * simulator: after an insert, update, delete or journal entry it POSTs our webhook (§1.7),
 * signed `sha256=<hex HMAC-SHA256(secret, ts + "." + rawBody)>`.
 *
 * Deliveries go out one at a time, in the order the changes happened, unless a switch says
 * otherwise: a corrupted signature, a stale timestamp, a duplicate, an event held back and
 * released later (out of order), or a pause. A non-2xx answer or a network error is retried with
 * a doubling back-off, as `executeAsync()` leaves it to the instance's outbound queue.
 */

export type WebhookEventName = 'incident.created' | 'incident.updated' | 'incident.deleted' | 'journal.added';

export interface WebhookEvent {
  readonly event_id: string;
  readonly event: WebhookEventName;
  readonly record: Readonly<Record<string, unknown>>;
}

export interface WebhookEmitterOptions {
  /** Our endpoint, e.g. http://127.0.0.1:3000/api/webhooks/servicenow. */
  readonly url: string;
  readonly secret: string;
  /**
   * `all` (default): every change is sent, our integration's own writes included.
   * `others`: changes made by `integrationUser` are not sent, like a business rule with a
   * `gs.getUserName() != 'nexecute.integration'` condition.
   */
  readonly emitFor?: 'all' | 'others';
  /** user_name of the account our product signs in as; used by `emitFor: 'others'`. */
  readonly integrationUser?: string;
  /** Attempts per delivery, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** Back-off before the first retry, doubling after each. Real milliseconds. Default 100. */
  readonly retryDelayMs?: number;
  /** Per-attempt timeout. Default 5000 ms. */
  readonly timeoutMs?: number;
  /** Keep only this many attempts in `attempts` (a long-running process). Default: all. */
  readonly maxLoggedAttempts?: number;
  /** Called after each attempt (the standalone simulator logs them). */
  readonly onAttempt?: (attempt: WebhookAttempt) => void;
}

export interface WebhookAttempt {
  readonly eventId: string;
  readonly event: WebhookEventName;
  readonly rawBody: string;
  readonly timestamp: string;
  readonly signature: string;
  readonly attempt: number;
  /** When the attempt was sent (epoch ms, the emitter's clock). */
  readonly at: number;
  /** Undefined when no answer came (network error or timeout: see `error`). */
  readonly status: number | undefined;
  readonly responseBody: string | undefined;
  readonly error: string | undefined;
}

interface Pending {
  readonly event: WebhookEvent;
  readonly rawBody: string;
  /** Set when first sent; retries and duplicates resend the same signed request. */
  signed?: { readonly timestamp: string; readonly signature: string };
}

/** `sha256=<hex>` over `ts + "." + rawBody` (protocols.md §1.7). */
export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex')}`;
}

/**
 * JSON with every non-ASCII character escaped as \uXXXX, as the business rule sends it
 * (protocols.md §1.6): the bytes signed are then the bytes sent, whatever the transport does.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export class ServiceNowWebhookEmitter {
  private options: WebhookEmitterOptions;
  private readonly queue: Pending[] = [];
  private readonly held: Pending[] = [];
  private readonly attemptLog: WebhookAttempt[] = [];
  private readonly sleeps = new Map<NodeJS.Timeout, () => void>();
  private readonly idleWaiters: (() => void)[] = [];
  private pumping = false;
  private paused = false;
  private closed = false;
  private corruptSignatures = 0;
  private staleTimestamps = 0;
  private staleBySeconds = 600;
  private duplicates = 0;
  private holds = 0;

  /**
   * `now` stamps `X-Nexecute-Timestamp`: the wall clock by default, since the receiver checks it
   * against its own clock; a simulator running a test clock keeps it for its records only.
   */
  constructor(
    options: WebhookEmitterOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.options = options;
  }

  get emitFor(): 'all' | 'others' {
    return this.options.emitFor ?? 'all';
  }

  get integrationUser(): string | undefined {
    return this.options.integrationUser;
  }

  get url(): string {
    return this.options.url;
  }

  /** Changes the endpoint, secret or filter; deliveries already queued use the new values. */
  configure(changes: Partial<WebhookEmitterOptions>): void {
    this.options = { ...this.options, ...changes };
  }

  /** Every attempt made, oldest first. */
  get attempts(): readonly WebhookAttempt[] {
    return this.attemptLog;
  }

  /** Events acknowledged with a 2xx, in the order they were acknowledged. */
  get delivered(): WebhookEvent[] {
    return this.attemptLog
      .filter((attempt) => attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300)
      .map((attempt) => JSON.parse(attempt.rawBody) as WebhookEvent);
  }

  clearLog(): void {
    this.attemptLog.length = 0;
  }

  /** True when a change by `userName` should be sent under the current `emitFor`. */
  shouldEmitFor(userName: string): boolean {
    return this.emitFor === 'all' || userName !== this.options.integrationUser;
  }

  /** Queues an event (called by the simulator after each change). */
  emit(event: WebhookEvent): void {
    if (this.closed) return;
    const pending: Pending = { event, rawBody: asciiJson(event) };
    if (this.holds > 0) {
      this.holds -= 1;
      this.held.push(pending);
      return;
    }
    this.queue.push(pending);
    if (this.duplicates > 0) {
      this.duplicates -= 1;
      this.queue.push(pending);
    }
    this.pump();
  }

  /** The next `times` deliveries carry a signature made with the wrong secret (on every retry). */
  corruptNextSignatures(times = 1): void {
    this.corruptSignatures += times;
  }

  /** The next `times` deliveries carry a timestamp `bySeconds` in the past (default 600 s), on every retry. */
  staleNextTimestamps(times = 1, bySeconds = 600): void {
    this.staleTimestamps += times;
    this.staleBySeconds = bySeconds;
  }

  /** The next `times` events are each sent twice (same event_id, same body). */
  duplicateNext(times = 1): void {
    this.duplicates += times;
  }

  /** The next `times` events are held back until `releaseHeld()`, so later ones overtake them. */
  holdNext(times = 1): void {
    this.holds += times;
  }

  /** Sends the held events (oldest first) after whatever is queued. */
  releaseHeld(): void {
    this.queue.push(...this.held.splice(0));
    this.pump();
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Queues without sending until `resume()` (our endpoint unreachable, or the test decides when). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  get pendingCount(): number {
    return this.queue.length;
  }

  /** Resolves once nothing is queued or in flight (held and paused events do not count). */
  idle(): Promise<void> {
    if (!this.pumping && (this.paused || this.queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.held.length = 0;
    for (const [timer, wake] of this.sleeps) {
      clearTimeout(timer);
      wake();
    }
    this.sleeps.clear();
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private pump(): void {
    if (this.pumping || this.paused || this.closed) return;
    this.pumping = true;
    void this.drain().finally(() => {
      this.pumping = false;
      this.notifyIdle();
    });
  }

  private async drain(): Promise<void> {
    while (!this.paused && !this.closed) {
      const next = this.queue.shift();
      if (next === undefined) return;
      await this.deliver(next);
    }
  }

  private async deliver(pending: Pending): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    let delay = this.options.retryDelayMs ?? 100;
    for (let attempt = 1; attempt <= maxAttempts && !this.closed; attempt += 1) {
      if (await this.attempt(pending, attempt)) return;
      if (attempt < maxAttempts) {
        await this.sleep(delay);
        delay *= 2;
      }
    }
  }

  /** True on a 2xx. */
  /**
   * Signed once, when first sent (not when queued, so a paused or held event is not stale by the
   * time it goes): the outbound queue retries the same request, so a bad or stale signature
   * stays bad on every retry, and a duplicate is byte-for-byte the same.
   */
  private sign(pending: Pending): { timestamp: string; signature: string } {
    if (pending.signed !== undefined) return pending.signed;
    let seconds = Math.floor(this.now() / 1000);
    if (this.staleTimestamps > 0) {
      this.staleTimestamps -= 1;
      seconds -= this.staleBySeconds;
    }
    const timestamp = String(seconds);
    let secret = this.options.secret;
    if (this.corruptSignatures > 0) {
      this.corruptSignatures -= 1;
      secret = `${secret}-wrong-${randomUUID()}`;
    }
    pending.signed = { timestamp, signature: signWebhook(secret, timestamp, pending.rawBody) };
    return pending.signed;
  }

  private async attempt(pending: Pending, attempt: number): Promise<boolean> {
    const { timestamp, signature } = this.sign(pending);
    const at = this.now();
    let status: number | undefined;
    let responseBody: string | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Nexecute-Timestamp': timestamp,
          'X-Nexecute-Signature': signature,
          'User-Agent': 'ServiceNow/1.0 (simulator)',
        },
        body: pending.rawBody,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
      status = res.status;
      responseBody = await res.text();
    } catch (caught) {
      error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
    }
    const logged: WebhookAttempt = {
      eventId: pending.event.event_id,
      event: pending.event.event,
      rawBody: pending.rawBody,
      timestamp,
      signature,
      attempt,
      at,
      status,
      responseBody,
      error,
    };
    this.attemptLog.push(logged);
    if (this.attemptLog.length > (this.options.maxLoggedAttempts ?? Infinity)) this.attemptLog.shift();
    this.options.onAttempt?.(logged);
    return status !== undefined && status >= 200 && status < 300;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeps.delete(timer);
        resolve();
      }, ms);
      this.sleeps.set(timer, resolve);
    });
  }

  private notifyIdle(): void {
    if (this.pumping) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
