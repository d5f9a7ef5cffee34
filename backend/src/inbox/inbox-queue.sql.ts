/** The graphile-worker task that processes the waiting events of some order keys. */
export const DRAIN_INBOUND_TASK = 'inbox.drain';

/** Retries of a drain job that failed as a whole (the database went away mid-drain). */
export const DRAIN_JOB_MAX_ATTEMPTS = 25;

/**
 * Order keys per drain job: a burst spreads over several jobs, so the worker's concurrency
 * processes different keys in parallel, while a lone event is one job of one key.
 */
export const KEYS_PER_DRAIN_JOB = 16;

/**
 * `graphile_worker.add_jobs` for the order keys in the text[] expression `keys`: one drain job per
 * KEYS_PER_DRAIN_JOB keys, all added by one call, so one NOTIFY wakes the workers for the lot (a
 * NOTIFY per event serialised the commits of the request path when each stored event added its
 * own job).
 */
export function drainJobsSql(keys: string): string {
  return `graphile_worker.add_jobs(ARRAY(
      SELECT ROW('${DRAIN_INBOUND_TASK}', json_build_object('keys', array_agg(k.key)), NULL, NULL,
                 ${DRAIN_JOB_MAX_ATTEMPTS}, NULL, NULL, NULL)::graphile_worker.job_spec
        FROM unnest(${keys}) WITH ORDINALITY AS k(key, n)
       GROUP BY (k.n - 1) / ${KEYS_PER_DRAIN_JOB}))`;
}

/**
 * The retry of order key `key` (a text expression) at `runAt`: one pending retry job per key
 * (its job_key), moved to the latest due time when an event of the key fails again.
 */
export function retryJobSql(key: string, runAt: string): string {
  return `graphile_worker.add_job('${DRAIN_INBOUND_TASK}', json_build_object('keys', json_build_array(${key})),
      run_at := ${runAt}, max_attempts := ${DRAIN_JOB_MAX_ATTEMPTS}, job_key := 'inbox-retry:' || ${key})`;
}

/** Serialises the processing of one order key across jobs, workers and instances. */
export const ORDER_KEY_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('nexecute:inbox-order:' || $1))`;
