import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import type { DataSource } from 'typeorm';

/** One Web API call (each attempt is its own). */
export interface SlackCall {
  readonly teamId: string | null;
  readonly method: string;
  readonly ok: boolean;
  readonly durationMs: number;
  /** Slack's error code (`invalid_blocks`, `ratelimited`), `http_<status>`, or ours (`request_failed`). */
  readonly error: string | null;
}

export interface SlackMethodStats {
  readonly method: string;
  readonly count: number;
  readonly errors: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
}

export interface SlackRecentError {
  readonly at: string;
  readonly teamId: string | null;
  readonly method: string;
  readonly error: string;
}

/** How long call rows are kept: the Integrations page looks at the last 24 h. */
export const SLACK_CALL_RETENTION_DAYS = 7;
const SWEEP_EVERY_MS = 60 * 60 * 1000;
const BATCH = 5000;
const MAX_ERROR_CHARS = 300;

const METHOD_STATS_SQL = `
  SELECT method,
         count(*)::int AS count,
         count(*) FILTER (WHERE NOT ok)::int AS errors,
         percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms) AS p50,
         percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95
    FROM slack_calls
   WHERE at > now() - make_interval(hours => $1)
   GROUP BY method
   ORDER BY method`;

const RECENT_ERRORS_SQL = `
  SELECT at, team_id, method, error FROM slack_calls
   WHERE NOT ok ORDER BY at DESC, id DESC LIMIT $1`;

/** Slack's words for a failed call, as short as the page needs them. */
export function slackCallError(error: unknown): string {
  if (error instanceof WebAPIRateLimitedError) return 'ratelimited';
  if (error instanceof WebAPIPlatformError) return error.data.error;
  if (error instanceof WebAPIHTTPError) return `http_${error.statusCode}`;
  if (error instanceof WebAPIRequestError) {
    return /timeout|aborted/i.test(error.original.message) ? 'timeout' : 'request_failed';
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Every Web API call, one row each in `slack_calls`. Recording never delays or fails a call: the
 * insert runs in the background (`flush()` waits for it). Rows older than
 * SLACK_CALL_RETENTION_DAYS are swept hourly by every instance (idempotent deletes).
 */
@Injectable()
export class SlackCalls implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SlackCalls.name);
  private readonly pending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () =>
        void this.sweep().catch((e: unknown) => this.logger.warn(`Slack call sweep failed: ${String(e)}`)),
      SWEEP_EVERY_MS,
    );
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  record(call: SlackCall): void {
    const write = this.dataSource
      .query(
        `INSERT INTO slack_calls (team_id, method, ok, duration_ms, error) VALUES ($1, $2, $3, $4, $5)`,
        [
          call.teamId,
          call.method,
          call.ok,
          Math.max(0, Math.round(call.durationMs)),
          call.error === null ? null : call.error.slice(0, MAX_ERROR_CHARS),
        ],
      )
      .then(
        () => undefined,
        (e: unknown) => this.logger.warn(`Could not record a Slack call: ${String(e)}`),
      );
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
  }

  /** Waits until every call recorded so far is stored. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async byMethod(windowHours = 24): Promise<SlackMethodStats[]> {
    await this.flush();
    const rows = await this.dataSource.query<
      { method: string; count: number; errors: number; p50: number | null; p95: number | null }[]
    >(METHOD_STATS_SQL, [windowHours]);
    return rows.map((r) => ({
      method: r.method,
      count: r.count,
      errors: r.errors,
      p50Ms: r.p50,
      p95Ms: r.p95,
    }));
  }

  async recentErrors(limit = 20): Promise<SlackRecentError[]> {
    await this.flush();
    const rows = await this.dataSource.query<
      { at: Date; team_id: string | null; method: string; error: string | null }[]
    >(RECENT_ERRORS_SQL, [limit]);
    return rows.map((r) => ({
      at: r.at.toISOString(),
      teamId: r.team_id,
      method: r.method,
      error: r.error ?? '',
    }));
  }

  /** Deletes rows older than the retention; returns how many. */
  async sweep(retentionDays = SLACK_CALL_RETENTION_DAYS): Promise<number> {
    let deleted = 0;
    for (;;) {
      const [{ n }] = await this.dataSource.query<[{ n: number }]>(
        `WITH gone AS (
           DELETE FROM slack_calls WHERE id IN (
             SELECT id FROM slack_calls WHERE at < now() - make_interval(days => $1) LIMIT ${BATCH})
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [retentionDays],
      );
      deleted += n;
      if (n < BATCH) return deleted;
    }
  }
}
