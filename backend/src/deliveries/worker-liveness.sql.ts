/*
 * When a delivery worker pool is gone, and when a delivery is stalled: one definition each,
 * shared by the sweep that hands jobs back, the ledger's `stalled` flag and replay.
 * Times are the database's (now()), so instances with skewed clocks agree. Thresholds travel as
 * parameters: each function takes the placeholders (`$2`) that hold them, in milliseconds.
 */

/** The heartbeat table (migration 1764410000000): one row per running worker pool. */
export const WORKER_POOLS_TABLE = 'delivery_worker_pools';

/** The advisory lock that lets one instance at a time sweep. */
export const SWEEP_LOCK_SQL = `SELECT pg_try_advisory_xact_lock(hashtext('nexecute:delivery-worker-sweep')) AS acquired`;

/**
 * True when job `job` (a graphile_worker.jobs row) is locked by a pool that is gone: the lock is
 * older than `staleAfterMs` and no pool holding that id has beaten within `staleAfterMs`.
 * The age condition spares a pool that has just started and not written its first beat yet
 * (it beats within moments of starting), and covers pools that never beat at all: those of a
 * process that crashed before this table existed, or whose row a sweep already removed.
 */
export function orphanedLockSql(job: string, staleAfterMs: string): string {
  return `(${job}.locked_at IS NOT NULL
     AND ${job}.locked_at < now() - ${staleAfterMs}::int * interval '1 millisecond'
     AND NOT EXISTS (
       SELECT 1 FROM ${WORKER_POOLS_TABLE} live
        WHERE live.last_beat_at >= now() - ${staleAfterMs}::int * interval '1 millisecond'
          AND (live.pool_id = ${job}.locked_by OR ${job}.locked_by = ANY (live.worker_ids))))`;
}

/**
 * True when delivery `delivery` (a deliveries row) is stalled: it is `pending` or `failed` and
 * nothing is going to attempt it soon, because its job (`job`, joined on the idempotency key,
 * NULL when there is none)
 *   - is locked by a pool that is gone (orphanedLockSql): its worker crashed mid-attempt; or
 *   - is not locked and has been due for longer than `stalledAfterMs`: no worker takes it (none
 *     runs, or the queue is that far behind); or
 *   - does not exist: nothing would ever deliver it.
 * A delivery running on a live pool, or waiting for a retry that is not due yet, is not stalled.
 */
export function stalledDeliverySql(
  delivery: string,
  job: string,
  staleAfterMs: string,
  stalledAfterMs: string,
): string {
  return `(${delivery}.status IN ('pending', 'failed') AND (
       ${job}.id IS NULL
       OR (${job}.locked_at IS NULL AND ${job}.run_at < now() - ${stalledAfterMs}::int * interval '1 millisecond')
       OR ${orphanedLockSql(job, staleAfterMs)}))`;
}
