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
import { AnalyticsFreshness } from './analytics-freshness';
import {
  ANALYTICS_VIEWS,
  APPLY_CHANGES_SQL,
  BUILD_ZONE_SQL,
  DROP_ZONE_SQL,
  LATEST_REFRESH_SQL,
  MARK_AND_REQUEST_SQL,
  PRUNE_REFRESHES_SQL,
  REBUILD_SQL,
  RECORD_REFRESH_SQL,
  REFRESH_LOCK_SQL,
  REFRESH_LOCK_WAIT_SQL,
  REQUEST_REFRESH_SQL,
  ZONES_SQL,
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
/** A zone's backfill reads every incident once per grain. */
const BUILD_STATEMENT_TIMEOUT = '60min';

/**
 * Keeps the analytics figures fresh: every ANALYTICS_REFRESH_INTERVAL_MS, and after incident
 * changes. The `analytics` delivery consumer of the incident events (in the worker, off the
 * request path) marks each changed incident in analytics_dirty_incidents and asks for a refresh
 * job whose job_key makes a burst of changes one refresh, ANALYTICS_REFRESH_DEBOUNCE_MS after the
 * first. A refresh, in one repeatable-read transaction: `analytics_apply_changes()` rewrites the
 * facts of the marked incidents (and of any updated since the watermark, which covers a write made
 * without an event) and recomputes only the day and week buckets and source slots they touch, then
 * the small materialized views (hourly, backlog, load) are refreshed CONCURRENTLY. Readers never
 * wait (plain row writes and concurrent refreshes block no SELECT) and see one snapshot; an
 * advisory lock taken in that transaction makes it one instance at a time (the others skip their
 * turn). Each refresh is recorded in analytics_refreshes: the newest row is every `refreshedAt`.
 *
 * The zones of ANALYTICS_TIME_ZONES are kept in analytics_zones: at start-up, a zone added is
 * backfilled in the background (under the refresh lock, one zone per transaction; until then its
 * figures come from the facts) and a zone removed is dropped.
 */
@Injectable()
export class AnalyticsRefresher implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AnalyticsRefresher.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private zonesReady: Promise<void> | undefined;
  private zonesSynced = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly consumers: DeliveryConsumers,
    private readonly tasks: WorkerTasks,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly freshness: AnalyticsFreshness,
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
        handle: (event) => this.markChanged(event.aggregateId),
      }),
    );
  }

  onApplicationBootstrap(): void {
    this.startZoneSync();
    const interval = this.config.analytics.refreshIntervalMs;
    if (interval === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      // A start-up backfill that failed (the database was away) is tried again on schedule.
      if (!this.zonesSynced) this.startZoneSync();
      this.running = this.refresh('schedule')
        .catch((e: unknown) => this.logger.warn(`Analytics refresh failed: ${String(e)}`))
        .finally(() => (this.running = undefined));
    }, interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.zonesReady;
  }

  private startZoneSync(): void {
    this.zonesReady = this.syncZones()
      .then(() => void (this.zonesSynced = true))
      .catch((e: unknown) => this.logger.warn(`Analytics time zones not backfilled: ${String(e)}`));
  }

  /** Resolves when the start-up backfill of configured zones has ended (tests, the bench). */
  zonesBuilt(): Promise<void> {
    return this.zonesReady ?? Promise.resolve();
  }

  /** Marks an incident for the next refresh and queues that refresh (one statement). */
  async markChanged(incidentId: string): Promise<void> {
    await this.dataSource.query(MARK_AND_REQUEST_SQL, [
      REFRESH_TASK,
      this.config.analytics.refreshDebounceMs,
      incidentId,
    ]);
  }

  /**
   * Makes analytics_zones match ANALYTICS_TIME_ZONES: drops zones no longer configured, builds
   * each missing one in its own READ COMMITTED transaction after waiting for the refresh lock
   * (so no refresh changes the facts meanwhile, and each statement sees the latest refresh).
   */
  async syncZones(): Promise<void> {
    const wanted = this.config.analytics.timeZones;
    const rows = await this.dataSource.query<{ zone: string; built_at: Date | null }[]>(ZONES_SQL);
    const built = new Set(rows.filter((r) => r.built_at).map((r) => r.zone));
    const stale = rows.map((r) => r.zone).filter((z) => !wanted.includes(z));
    const missing = wanted.filter((z) => !built.has(z));
    for (const zone of [...stale, ...missing]) {
      const started = performance.now();
      await this.dataSource.transaction('READ COMMITTED', async (m) => {
        await m.query(REFRESH_LOCK_WAIT_SQL);
        await m.query(`SET LOCAL statement_timeout = '${BUILD_STATEMENT_TIMEOUT}'`);
        if (stale.includes(zone)) {
          await m.query(DROP_ZONE_SQL, [zone]);
          return;
        }
        // Another instance may have built it while this one waited for the lock.
        const [row] = await m.query<{ built_at: Date | null }[]>(
          `SELECT built_at FROM analytics_zones WHERE zone = $1`,
          [zone],
        );
        if (!row?.built_at) await m.query(BUILD_ZONE_SQL, [zone]);
      });
      this.logger.log(
        `Analytics zone ${zone} ${stale.includes(zone) ? 'dropped' : 'built'} in ${Math.round(performance.now() - started)} ms`,
      );
    }
  }

  /**
   * Recomputes everything from the incidents for the configured zones (a repair; the bench).
   * TRUNCATE inside: readers wait while it runs. Recorded as a manual refresh.
   */
  async rebuild(): Promise<RefreshOutcome> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const started = performance.now();
    try {
      await runner.query('BEGIN');
      await runner.query(REFRESH_LOCK_WAIT_SQL);
      const [{ at }] = (await runner.query('SELECT now() AS at')) as [{ at: Date }];
      await runner.query(`SET LOCAL statement_timeout = '${BUILD_STATEMENT_TIMEOUT}'`);
      await runner.query(REBUILD_SQL, [this.config.analytics.timeZones]);
      const durationMs = Math.round(performance.now() - started);
      await runner.query(RECORD_REFRESH_SQL, [at, durationMs, 'manual']);
      await runner.query('COMMIT');
      this.freshness.saw(at);
      return { refreshedAt: at, durationMs };
    } catch (e) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await runner.release();
    }
  }

  /**
   * Queues a refresh ANALYTICS_REFRESH_DEBOUNCE_MS from now, unless one is already queued (its
   * time stays: changes arriving without pause still get a refresh every debounce period).
   */
  async requestRefresh(): Promise<void> {
    await this.dataSource.query(REQUEST_REFRESH_SQL, [REFRESH_TASK, this.config.analytics.refreshDebounceMs]);
  }

  /** Brings every figure up to date; undefined when another instance is refreshing right now. */
  async refresh(trigger: RefreshTrigger): Promise<RefreshOutcome | undefined> {
    // This instance's own backfill holds the lock: wait for it rather than skip the turn.
    await this.zonesReady;
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
      // Small index range scans with large estimates: JIT compiling would cost more than it saves.
      await runner.query('SET LOCAL jit = off');
      await runner.query(APPLY_CHANGES_SQL);
      for (const view of ANALYTICS_VIEWS) {
        await runner.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${view}`);
      }
      const durationMs = Math.round(performance.now() - started);
      await runner.query(RECORD_REFRESH_SQL, [lock.at, durationMs, trigger]);
      await runner.query(PRUNE_REFRESHES_SQL);
      await runner.query('COMMIT');
      // This instance's readers see it at once; the others when the database's signal arrives.
      this.freshness.saw(lock.at);
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
