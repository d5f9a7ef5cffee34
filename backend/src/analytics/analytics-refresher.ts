import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { consumerOf, DeliveryConsumers } from '../deliveries/delivery-consumers';
import { WorkerTasks } from '../deliveries/worker-tasks';
import { INCIDENT_EVENTS } from '../incidents/incident.events';
import {
  ANALYTICS_VIEWS,
  LATEST_REFRESH_SQL,
  PRUNE_REFRESHES_SQL,
  RECORD_REFRESH_SQL,
  REFRESH_LOCK_SQL,
  REQUEST_REFRESH_SQL,
} from './analytics-refresh.sql';

export const REFRESH_TASK = 'analytics.refresh';

export type RefreshTrigger = 'schedule' | 'changes' | 'manual';

export interface RefreshOutcome {
  /** The snapshot the views now show (the refreshing transaction's start). */
  readonly refreshedAt: Date;
  readonly durationMs: number;
}

/** A refresh of every view may take long on a big database; the app's statement timeout is for requests. */
const REFRESH_STATEMENT_TIMEOUT = '10min';

/**
 * Keeps the analytics views fresh: every ANALYTICS_REFRESH_INTERVAL_MS, and after incident changes
 * (a delivery consumer of the incident events asks for a refresh job whose job_key makes a burst of
 * changes one refresh, ANALYTICS_REFRESH_DEBOUNCE_MS after the first). A refresh runs every
 * `REFRESH MATERIALIZED VIEW CONCURRENTLY` in one repeatable-read transaction, so the views show
 * one snapshot and readers never wait (a concurrent refresh blocks no SELECT); an advisory lock
 * taken in that transaction makes it one instance at a time (the others skip their turn). Each
 * refresh is recorded in analytics_refreshes: the newest row is every answer's `refreshedAt`.
 */
@Injectable()
export class AnalyticsRefresher implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AnalyticsRefresher.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly consumers: DeliveryConsumers,
    private readonly tasks: WorkerTasks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.tasks.register(REFRESH_TASK, async () => {
      // Another instance is refreshing, maybe from a snapshot older than these changes: ask again.
      if (!(await this.refresh('changes'))) await this.requestRefresh();
    });
    this.consumers.register(
      consumerOf(INCIDENT_EVENTS, {
        name: 'analytics',
        // What moves a figure: comments and notes do not.
        events: {
          'incident.created': [1],
          'incident.updated': [1],
          'incident.state_changed': [1],
          'incident.assigned': [1],
          'incident.alert_grouped': [1],
        },
        handle: () => this.requestRefresh(),
      }),
    );
  }

  onApplicationBootstrap(): void {
    const interval = this.config.analytics.refreshIntervalMs;
    if (interval === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.refresh('schedule')
        .catch((e: unknown) => this.logger.warn(`Analytics refresh failed: ${String(e)}`))
        .finally(() => (this.running = undefined));
    }, interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * Queues a refresh ANALYTICS_REFRESH_DEBOUNCE_MS from now, unless one is already queued (its
   * time stays: changes arriving without pause still get a refresh every debounce period).
   */
  async requestRefresh(): Promise<void> {
    await this.dataSource.query(REQUEST_REFRESH_SQL, [REFRESH_TASK, this.config.analytics.refreshDebounceMs]);
  }

  /** Refreshes every view; undefined when another instance is refreshing right now. */
  async refresh(trigger: RefreshTrigger): Promise<RefreshOutcome | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const started = performance.now();
    try {
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const [lock] = (await runner.query(REFRESH_LOCK_SQL)) as { acquired: boolean; at: Date }[];
      if (!lock?.acquired) {
        await runner.query('ROLLBACK');
        return undefined;
      }
      await runner.query(`SET LOCAL statement_timeout = '${REFRESH_STATEMENT_TIMEOUT}'`);
      for (const view of ANALYTICS_VIEWS) {
        await runner.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${view}`);
      }
      const durationMs = Math.round(performance.now() - started);
      await runner.query(RECORD_REFRESH_SQL, [lock.at, durationMs, trigger]);
      await runner.query(PRUNE_REFRESHES_SQL);
      await runner.query('COMMIT');
      this.logger.debug(`Analytics views refreshed (${trigger}) in ${durationMs} ms`);
      return { refreshedAt: lock.at, durationMs };
    } catch (e) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await runner.release();
    }
  }

  /** When the views' data were taken: the newest refresh. */
  async refreshedAt(): Promise<Date> {
    const [row] = await this.dataSource.query<{ refreshed_at: Date }[]>(LATEST_REFRESH_SQL);
    // The migration records the views' first population, so a row always exists.
    return row?.refreshed_at ?? new Date(0);
  }
}
