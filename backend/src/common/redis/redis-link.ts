import { Logger } from '@nestjs/common';
import { createClient } from 'redis';

export type RedisClient = ReturnType<typeof createClient>;

/** `connecting`: never reached yet; `up`; `down`: lost, reconnecting with back-off; `closed`: shut down. */
export type RedisLinkState = 'connecting' | 'up' | 'down' | 'closed';

export interface RedisLinkStatus {
  readonly state: RedisLinkState;
  /** Round trip of a PING, when `up`. */
  readonly pingMs?: number;
  /** Why it is not `up`. */
  readonly message?: string;
}

/** First reconnect delay, doubling up to the maximum (plus up to 20 % jitter so instances spread out). */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5000;
const PING_TIMEOUT_MS = 1000;

/**
 * The app's connection to Redis, which carries only the live gateway's fan-out across instances
 * (REST, jobs and locks live in PostgreSQL). Redis being away must never stop the app: the first
 * connection is made in the background, a lost one is retried for ever with back-off, and every
 * failure is logged once per outage, not once per attempt.
 *
 * `client` publishes; it refuses commands at once while Redis is away (no offline queue), so a
 * broadcast that cannot be written to Redis is still delivered to this instance's own sockets
 * without waiting for Redis to come back. The clients derived from it (`duplicate()`, which the
 * Socket.IO Redis Streams adapter calls for its blocking XREAD and its SUBSCRIBE) do queue while
 * Redis is away: a reader that failed fast would retry in a tight loop and starve the event loop.
 */
export class RedisLink {
  private readonly logger = new Logger('Redis');
  readonly client: RedisClient;
  /** Every client made from `client`, to close at shutdown (the adapter does not close them promptly). */
  private readonly derived = new Set<RedisClient>();
  private current: RedisLinkState = 'connecting';
  private lastError: string | undefined;
  private closing = false;

  constructor(
    url: string,
    /** Prefix of every key and channel, so deployments (and test runs) can share one Redis. */
    readonly keyPrefix: string,
  ) {
    this.client = createClient({
      url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: (retries) => this.retryDelay(retries), connectTimeout: 2000 },
    });
    this.watch(this.client, true);
    this.guardFireAndForget(this.client);
    const duplicate = this.client.duplicate.bind(this.client);
    // The adapter makes its readers with a bare duplicate(): give them an offline queue, an error
    // listener, a place in `derived`, and a disconnect() that tolerates an already closed client.
    this.client.duplicate = ((overrides?: Parameters<RedisClient['duplicate']>[0]) => {
      const copy = duplicate({ ...overrides, disableOfflineQueue: false }) as RedisClient;
      this.watch(copy, false);
      this.guardFireAndForget(copy);
      this.derived.add(copy);
      return copy;
    }) as RedisClient['duplicate'];
  }

  /** Starts connecting; never throws, never rejects (failures are logged and retried). */
  start(): void {
    this.client.connect().catch((e: unknown) => {
      // Only when closed before ever connecting: the reconnect strategy never gives up.
      if (!this.closing) this.logger.error(`Redis connection abandoned: ${messageOf(e)}`);
    });
  }

  get state(): RedisLinkState {
    return this.current;
  }

  /** The link's state, with a PING's round trip when it is up (for readiness). */
  async status(): Promise<RedisLinkStatus> {
    if (this.current !== 'up') {
      return {
        state: this.current,
        message: this.lastError ?? (this.current === 'connecting' ? 'Not connected yet' : 'Closed'),
      };
    }
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.client.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`No PING answer within ${PING_TIMEOUT_MS} ms`)),
            PING_TIMEOUT_MS,
          );
        }),
      ]);
      return { state: 'up', pingMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (e) {
      return { state: 'down', message: messageOf(e) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every client at once (pending commands fail; nothing here needs a graceful QUIT). */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    for (const c of [this.client, ...this.derived]) if (c.isOpen) c.destroy();
    this.current = 'closed';
  }

  private retryDelay(retries: number): number {
    // Closing: end the connect loop of a client still trying (destroy() cannot reach that socket).
    if (this.closing) return 0;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(retries, 10));
    return delay + Math.floor(Math.random() * delay * 0.2);
  }

  private watch(client: RedisClient, main: boolean): void {
    // Without an 'error' listener, node-redis's EventEmitter would throw and end the process.
    client.on('error', (e: unknown) => {
      if (!main || this.closing) return;
      const message = messageOf(e);
      if (this.current === 'up' || this.current === 'connecting') {
        this.logger.warn(
          `Redis unreachable (${message}); live events reach only this instance's sockets until it is back. Retrying with back-off.`,
        );
      }
      this.lastError = message;
      if (this.current === 'up' || this.current === 'connecting') this.current = 'down';
    });
    if (!main) return;
    client.on('ready', () => {
      if (this.closing) return;
      if (this.current === 'down')
        this.logger.log('Redis reachable again; live fan-out across instances resumed');
      else this.logger.log('Connected to Redis; live events fan out across instances');
      this.current = 'up';
      this.lastError = undefined;
    });
  }

  /**
   * The Streams adapter fires some commands without handling their result (SET of a session when a
   * socket disconnects, PUBLISH of a server-side emit, SUBSCRIBE of a reader closed at shutdown).
   * With Redis away such a rejection would be unhandled, which ends a Node process: these
   * commands report their failure as a warning and resolve with undefined instead.
   */
  private guardFireAndForget(client: RedisClient): void {
    const target = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of ['set', 'publish', 'sPublish', 'subscribe', 'sSubscribe', 'disconnect']) {
      const original = target[name];
      if (typeof original !== 'function') continue;
      target[name] = (...args: unknown[]): Promise<unknown> => {
        if (name === 'disconnect' && !client.isOpen) return Promise.resolve();
        let result: Promise<unknown>;
        try {
          result = original.apply(client, args);
        } catch (e) {
          result = Promise.reject(e instanceof Error ? e : new Error(String(e)));
        }
        return result.catch((e: unknown) => {
          if (!this.closing) this.logger.debug(`Redis ${name} failed: ${messageOf(e)}`);
          return undefined;
        });
      };
    }
  }
}

function messageOf(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return messageOf(e.errors[0]);
  return e instanceof Error ? e.message || e.name : String(e);
}
