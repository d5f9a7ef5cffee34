/**
 * The views the analytics migration creates, in refresh order: the facts first, since the others
 * are computed from them (inside the refreshing transaction they see its fresh contents).
 */
export const ANALYTICS_VIEWS = [
  'analytics_incident_facts',
  'analytics_daily_priority',
  'analytics_hourly_priority',
  'analytics_backlog',
  'analytics_load',
  'analytics_source_counts',
] as const;

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
