import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { databaseFailureOf } from './database-failure';
import { DatabaseUnavailableError } from './database.errors';

type ConnectCallback = (err: Error | undefined, client?: pg.PoolClient, release?: () => void) => void;

/** The pg socket under a client; pg keeps it as `connection.stream`. */
interface ClientInternals {
  readonly connection?: {
    readonly stream?: { destroy(error?: Error): void };
    on(event: 'readyForQuery', listener: () => void): void;
  };
  /** The query sent and not answered yet, if any. */
  readonly activeQuery?: unknown;
}

/** A request waiting in pg-pool's queue for a connection (pg-pool's PendingItem). */
interface PendingConnect {
  timedOut?: boolean;
  callback(error: Error): void;
}

const isBusy = (client: pg.PoolClient): boolean =>
  Boolean((client as unknown as ClientInternals).activeQuery);

/** Unanswered checks in a row that make an outage when no request is waiting on the server. */
export const SILENT_CHECKS_BEFORE_OUTAGE = 3;

class ProbeSilence extends Error {}

/**
 * What a failed check says about the server:
 * - `gone`: refused, reset, shutting down: an outage now;
 * - `silent`: no answer in time (our deadline or pg's connect timeout): see silenceVerdict;
 * - `saturated`: it answered that it is full (class 53): not an outage, requests still run.
 */
export function probeVerdict(error: unknown): 'gone' | 'silent' | 'saturated' {
  if (error instanceof ProbeSilence) return 'silent';
  const message = error instanceof Error ? error.message : '';
  if (/timeout expired|connection timeout/i.test(message)) return 'silent';
  return databaseFailureOf(error) === 'saturated' ? 'saturated' : 'gone';
}

/**
 * Knows whether PostgreSQL can serve us, so a request answers 503 at once instead of waiting on a
 * database that is gone:
 *
 * - A check (`SELECT 1` on a connection of its own, bounded by DATABASE_HEALTH_INTERVAL_MS) runs
 *   every DATABASE_HEALTH_INTERVAL_MS, and at once when a request lost its connection.
 * - When a check fails (a refused or reset connection; a check left unanswered while the server
 *   answered nothing else, see silenceVerdict; never "too many connections"), the pool is closed
 *   to new work (its `connect` fails immediately with DatabaseUnavailableError) and its
 *   connections are cut, so queries stuck on a server that went
 *   silent fail now rather than after statement_timeout. Their transactions roll back: nothing
 *   acknowledged is lost.
 * - The next successful check opens the pool again; no restart is needed.
 *
 * Checks go around the pool, so a pool busy with slow requests never looks like an outage.
 */
@Injectable()
export class DatabaseAvailability implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Database');
  private readonly pool: pg.Pool;
  private readonly clients = new Set<pg.PoolClient>();
  private outage: { readonly since: number; readonly reason: string } | undefined;
  private probe: pg.Client | undefined;
  private pinging: Promise<void> | undefined;
  /** When the running check began waiting (performance.now()). */
  private checkStartedAt = 0;
  /** When a pool connection last got an answer from the server (performance.now()). */
  private lastAnswerAt = 0;
  /** The same, per pool connection. */
  private readonly answeredAt = new WeakMap<pg.PoolClient, number>();
  /** Pool connections with a query in flight when the running check began. */
  private busyAtCheckStart: pg.PoolClient[] = [];
  private checking: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Checks in a row that got no answer in time; SILENT_CHECKS_BEFORE_OUTAGE of them make an outage. */
  private silentChecks = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
  }

  /** True while the last check failed: requests are answered 503 without touching the pool. */
  get unavailable(): boolean {
    return this.outage !== undefined;
  }

  onModuleInit(): void {
    // Connections opened before this (TypeORM's first, at start-up) must be cut in an outage too.
    for (const client of (this.pool as unknown as { _clients?: pg.PoolClient[] })._clients ?? []) {
      this.watch(client);
    }
    this.pool.on('connect', (client) => this.watch(client));
    this.pool.on('remove', (client) => this.clients.delete(client));
    // An idle connection dropped by the server is often the first sign of an outage.
    this.pool.on('error', (error) => this.noticeFailure(error));
    this.guardPool();
  }

  onApplicationBootstrap(): void {
    const tick = (): void => {
      void this.check().finally(() => {
        // After a check without an answer the next one starts at once (waiting on the same query),
        // so silence becomes an outage after SILENT_CHECKS_BEFORE_OUTAGE deadlines, not intervals.
        const delay = this.silentChecks > 0 ? 0 : this.config.database.healthIntervalMs;
        if (!this.stopped) this.timer = setTimeout(tick, delay).unref();
      });
    };
    this.timer = setTimeout(tick, this.config.database.healthIntervalMs).unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.checking;
    await this.closeProbe();
  }

  /** One check at a time; callers arriving meanwhile share it. */
  check(): Promise<void> {
    this.checking ??= this.runCheck().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /**
   * Every connection the app takes goes through here: TypeORM and our prepared statements both
   * call `pool.connect` (pool.query does too). Refusing here fails a request in microseconds.
   */
  private guardPool(): void {
    const pool = this.pool as unknown as {
      connect(cb?: ConnectCallback): Promise<pg.PoolClient> | undefined;
    };
    const connect = pool.connect.bind(pool);
    pool.connect = (cb?: ConnectCallback) => {
      if (this.outage) {
        const error = new DatabaseUnavailableError(this.outage.reason);
        if (cb) {
          cb(error);
          return undefined;
        }
        return Promise.reject(error);
      }
      if (cb) {
        return connect((err, client, release) => {
          if (err) this.noticeFailure(err);
          cb(err, client, release);
        });
      }
      return (connect() as Promise<pg.PoolClient>).catch((err: unknown) => {
        this.noticeFailure(err);
        throw err;
      });
    };
  }

  /** Every answer on a pool connection is proof of life (one timestamp per query). */
  private watch(client: pg.PoolClient): void {
    this.clients.add(client);
    (client as unknown as ClientInternals).connection?.on('readyForQuery', () => {
      this.lastAnswerAt = performance.now();
      this.answeredAt.set(client, this.lastAnswerAt);
    });
  }

  /**
   * What a check left unanswered means. If the server answered a pool connection while the check
   * waited, it is alive, only slow for the check. If not, and a request's query has been waiting
   * on it since before the check began, two witnesses agree: an outage now. If nothing else is
   * waiting (an idle app), only a silence repeated SILENT_CHECKS_BEFORE_OUTAGE times is one:
   * nobody waits meanwhile.
   */
  private silenceVerdict(): 'alive' | 'outage' | 'undecided' {
    if (this.lastAnswerAt >= this.checkStartedAt) return 'alive';
    // A witness is a query that was already in flight when the check began and is still
    // unanswered: one sent a moment ago to a busy server proves nothing yet.
    const waiting = this.busyAtCheckStart.some(
      (c) => isBusy(c) && (this.answeredAt.get(c) ?? 0) < this.checkStartedAt,
    );
    if (waiting || ++this.silentChecks >= SILENT_CHECKS_BEFORE_OUTAGE) return 'outage';
    return 'undecided';
  }

  /** A request saw the connection fail: find out now rather than at the next tick. */
  noticeFailure(error: unknown): void {
    if (!this.stopped && !this.outage && databaseFailureOf(error) === 'lost') void this.check();
  }

  private async runCheck(): Promise<void> {
    const timeoutMs = this.config.database.healthIntervalMs;
    let timer: NodeJS.Timeout | undefined;
    this.checkStartedAt = performance.now();
    this.busyAtCheckStart = [...this.clients].filter(isBusy);
    try {
      await Promise.race([
        this.ping(timeoutMs),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ProbeSilence(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      this.silentChecks = 0;
      if (this.outage) {
        const seconds = Math.round((Date.now() - this.outage.since) / 100) / 10;
        this.outage = undefined;
        this.logger.log(`Database reachable again after ${seconds} s; serving requests`);
      }
    } catch (e) {
      if (this.outage || this.stopped) {
        await this.closeProbe();
        return;
      }
      const reason = e instanceof Error ? e.message : String(e);
      const verdict = probeVerdict(e);
      const silence = verdict === 'silent' ? this.silenceVerdict() : undefined;
      if (silence === 'alive' || silence === 'undecided') {
        // Cutting every connection for a check a busy server answered late would turn a load spike
        // into an outage. The probe is kept: its answer may still come.
        if (!(e instanceof ProbeSilence)) await this.closeProbe();
        if (silence === 'alive') this.silentChecks = 0;
        else if (this.silentChecks === 1)
          this.logger.warn(`Database check got no answer (${reason}); not an outage yet`);
        return;
      }
      await this.closeProbe();
      if (verdict === 'saturated') {
        // The server answered, it is only full: the pool's own connections still work.
        this.silentChecks = 0;
        this.logger.warn(
          `Database check could not connect (${reason}); the server is answering, not an outage`,
        );
        return;
      }
      this.silentChecks = 0;
      this.open(reason);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A check missed by a busy server waits on the same query rather than queueing another. */
  private ping(timeoutMs: number): Promise<void> {
    if (this.pinging) return this.pinging;
    const pinging = this.pingOnce(timeoutMs).finally(() => {
      if (this.pinging === pinging) this.pinging = undefined;
    });
    this.pinging = pinging;
    return pinging;
  }

  private async pingOnce(timeoutMs: number): Promise<void> {
    if (!this.probe) {
      const url = (this.dataSource.options as { url?: string }).url;
      const probe = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: timeoutMs,
        application_name: 'nexecute-connect-health',
      });
      // A dropped probe connection is noticed by the next query; an unhandled 'error' would crash.
      probe.on('error', () => undefined);
      this.probe = probe;
      await probe.connect();
    }
    await this.probe.query('SELECT 1');
  }

  private async closeProbe(): Promise<void> {
    const probe = this.probe;
    this.probe = undefined;
    this.pinging = undefined;
    if (!probe) return;
    (probe as unknown as ClientInternals).connection?.stream?.destroy();
    await probe.end().catch(() => undefined); // resolves once the destroyed socket has closed
  }

  private open(reason: string): void {
    this.outage = { since: Date.now(), reason: 'no connection to PostgreSQL' };
    this.logger.warn(`Database unavailable (${reason}); answering 503 until it is back`);
    // Queries waiting on a silent server would otherwise hang until statement_timeout.
    for (const client of this.clients) (client as unknown as ClientInternals).connection?.stream?.destroy();
    // Requests queued for a connection would wait for DATABASE_CONNECT_TIMEOUT_MS: answer them now.
    const waiting = (this.pool as unknown as { _pendingQueue?: PendingConnect[] })._pendingQueue;
    for (const item of waiting?.splice(0) ?? []) {
      item.timedOut = true;
      item.callback(new DatabaseUnavailableError(this.outage.reason));
    }
  }
}
