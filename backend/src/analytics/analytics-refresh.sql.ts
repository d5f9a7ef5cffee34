/**
 * The materialized views a refresh runs `REFRESH MATERIALIZED VIEW CONCURRENTLY` on, after
 * `analytics_apply_changes()` brought the facts and the bucket tables up to date (they read the
 * facts; inside the refreshing transaction they see its fresh rows). The facts, day, week and
 * source tables are maintained incrementally (migration 1765000000000, docs/metrics.md).
 */
export const ANALYTICS_VIEWS = ['analytics_hourly_priority', 'analytics_backlog', 'analytics_load'] as const;

/**
 * Rewrites the facts of the incidents marked or updated since the last refresh and recomputes
 * the buckets they touch (in every built zone); answers how many facts rows changed.
 */
export const APPLY_CHANGES_SQL = `SELECT analytics_apply_changes() AS changed`;

/** Everything from scratch for exactly these zones (TRUNCATE: an exclusive lock; not for the schedule). */
export const REBUILD_SQL = `SELECT analytics_rebuild($1::text[])`;

/**
 * Marks one incident for the next refresh and queues that refresh, in one statement (the
 * `analytics` delivery consumer; see REQUEST_REFRESH_SQL for the job's debounce).
 */
export const MARK_AND_REQUEST_SQL = `
  WITH mark AS (INSERT INTO analytics_dirty_incidents (incident_id) VALUES ($3::uuid))
  SELECT graphile_worker.add_job(
           $1::text, '{}'::json,
           run_at := now() + $2::int * interval '1 millisecond',
           max_attempts := 3,
           job_key := 'analytics:refresh',
           job_key_mode := 'preserve_run_at')`;

/** Zones whose buckets are kept, built or not. */
export const ZONES_SQL = `SELECT zone, built_at FROM analytics_zones`;

/** A zone no longer configured: its buckets go (they would no longer be kept current). */
export const DROP_ZONE_SQL = `
  WITH a AS (DELETE FROM analytics_daily_priority WHERE zone = $1),
       b AS (DELETE FROM analytics_weekly_priority WHERE zone = $1),
       c AS (DELETE FROM analytics_daily_sources WHERE zone = $1)
  DELETE FROM analytics_zones WHERE zone = $1`;

/** Builds every bucket of a zone (and records it built), under the refresh lock. */
export const BUILD_ZONE_SQL = `SELECT analytics_build_zone($1)`;

/** Blocking form of the refresh lock, for a zone's backfill (it waits for a refresh to end). */
export const REFRESH_LOCK_WAIT_SQL = `SELECT pg_advisory_xact_lock(hashtext('nexecute:analytics-refresh'))`;

/** Transaction-scoped: released by the refresh's COMMIT or ROLLBACK. `at`: the snapshot's time. */
export const REFRESH_LOCK_SQL = `SELECT pg_try_advisory_xact_lock(hashtext('nexecute:analytics-refresh')) AS acquired, now() AS at`;

export const RECORD_REFRESH_SQL = `
  INSERT INTO analytics_refreshes (refreshed_at, duration_ms, trigger) VALUES ($1, $2, $3)`;

/** A week of history is plenty to see how long refreshes take; the newest row always stays. */
export const PRUNE_REFRESHES_SQL = `
  DELETE FROM analytics_refreshes
   WHERE refreshed_at < now() - interval '7 days'
     AND id <> (SELECT max(id) FROM analytics_refreshes)`;

export const LATEST_REFRESH_SQL = `
  SELECT refreshed_at FROM analytics_refreshes ORDER BY refreshed_at DESC, id DESC LIMIT 1`;

/**
 * One queued refresh job at a time (its job_key). `preserve_run_at`: a change while one is queued
 * keeps the queued one's time, so a steady stream of changes still refreshes every debounce period
 * instead of postponing it forever. A job already running is not this one: graphile-worker queues
 * a new one beside it, so changes made during a refresh are not lost.
 */
export const REQUEST_REFRESH_SQL = `
  SELECT graphile_worker.add_job(
           $1::text, '{}'::json,
           run_at := now() + $2::int * interval '1 millisecond',
           max_attempts := 3,
           job_key := 'analytics:refresh',
           job_key_mode := 'preserve_run_at')`;
