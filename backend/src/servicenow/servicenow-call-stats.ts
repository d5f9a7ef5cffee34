import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** One HTTP exchange with the instance (each retry is its own). */
export interface ServiceNowCall {
  /** `token`, `incident.list`, `incident.get`, `incident.create`, `incident.update`, `journal.list`, `choice.list`. */
  readonly operation: string;
  /** The instance's status; null when it did not answer (timeout, network, circuit open). */
  readonly status: number | null;
  readonly ok: boolean;
  readonly durationMs: number;
  /** The instance's words, or ours when it said nothing. */
  readonly error: string | null;
}

export interface ServiceNowOperationStats {
  readonly operation: string;
  readonly count: number;
  readonly errors: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
}

export interface ServiceNowRecentError {
  readonly at: string;
  readonly operation: string;
  readonly status: number | null;
  readonly message: string;
}

/** Per operation over the window: counts, nearest-rank percentiles, and the latest error. */
const OPERATION_STATS_SQL = `
  SELECT c.operation,
         count(*)::int AS count,
         count(*) FILTER (WHERE NOT c.ok)::int AS errors,
         percentile_disc(0.5) WITHIN GROUP (ORDER BY c.duration_ms) AS p50,
         percentile_disc(0.95) WITHIN GROUP (ORDER BY c.duration_ms) AS p95,
         last_error.error AS last_error,
         last_error.at AS last_error_at
    FROM servicenow_calls c
    LEFT JOIN LATERAL (
      SELECT e.error, e.at FROM servicenow_calls e
       WHERE NOT e.ok AND e.operation = c.operation AND e.at > now() - make_interval(hours => $1)
       ORDER BY e.at DESC, e.id DESC LIMIT 1) last_error ON true
   WHERE c.at > now() - make_interval(hours => $1)
   GROUP BY c.operation, last_error.error, last_error.at
   ORDER BY c.operation`;

const RECENT_ERRORS_SQL = `
  SELECT at, operation, status, error FROM servicenow_calls
   WHERE NOT ok ORDER BY at DESC, id DESC LIMIT $1`;

const SWEEP_EVERY_MS = 60 * 60 * 1000;
const BATCH = 5000;
/** Longest error text kept per call: enough for the instance's message, not a whole HTML page. */
const MAX_ERROR_CHARS = 500;

/**
 * Latency and errors of every call to ServiceNow, one row each in `servicenow_calls`, so every
 * instance of the app shows the same figures. Recording never delays or fails a call: the insert
 * runs in the background (`flush()` waits for it). Rows older than SERVICENOW_CALL_RETENTION_DAYS
 * are swept hourly by every instance (idempotent deletes).
 */
@Injectable()
export class ServiceNowCallStats implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ServiceNowCallStats.name);
  private readonly pending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () =>
        void this.sweep().catch((e: unknown) =>
          this.logger.warn(`ServiceNow call sweep failed: ${String(e)}`),
        ),
      SWEEP_EVERY_MS,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  record(call: ServiceNowCall): void {
    const write = this.dataSource
      .query(
        `INSERT INTO servicenow_calls (operation, status, ok, duration_ms, error) VALUES ($1, $2, $3, $4, $5)`,
        [
          call.operation,
          call.status,
          call.ok,
          Math.max(0, Math.round(call.durationMs)),
          call.error === null ? null : call.error.slice(0, MAX_ERROR_CHARS),
        ],
      )
      .then(
        () => undefined,
        (e: unknown) => this.logger.warn(`Could not record a ServiceNow call: ${String(e)}`),
      );
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  /** Waits until every call recorded so far is stored. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async byOperation(windowHours = 24): Promise<ServiceNowOperationStats[]> {
    await this.flush();
    const rows = await this.dataSource.query<
      {
        operation: string;
        count: number;
        errors: number;
        p50: number | null;
        p95: number | null;
        last_error: string | null;
        last_error_at: Date | null;
      }[]
    >(OPERATION_STATS_SQL, [windowHours]);
    return rows.map((r) => ({
      operation: r.operation,
      count: r.count,
      errors: r.errors,
      p50Ms: r.p50,
      p95Ms: r.p95,
      lastError: r.last_error,
      lastErrorAt: r.last_error_at?.toISOString() ?? null,
    }));
  }

  async recentErrors(limit = 20): Promise<ServiceNowRecentError[]> {
    await this.flush();
    const rows = await this.dataSource.query<
      { at: Date; operation: string; status: number | null; error: string | null }[]
    >(RECENT_ERRORS_SQL, [limit]);
    return rows.map((r) => ({
      at: r.at.toISOString(),
      operation: r.operation,
      status: r.status,
      message: r.error ?? '',
    }));
  }

  /** Deletes rows older than the retention; returns how many. */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [{ n }] = await this.dataSource.query<[{ n: number }]>(
        `WITH gone AS (
           DELETE FROM servicenow_calls WHERE id IN (
             SELECT id FROM servicenow_calls WHERE at < now() - make_interval(days => $1) LIMIT ${BATCH})
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [this.config.servicenow.callRetentionDays],
      );
      deleted += n;
      if (n < BATCH) return deleted;
    }
  }
}
