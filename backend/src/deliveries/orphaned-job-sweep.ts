import type pg from 'pg';
import { DELIVER_TASK } from './delivery-queue';
import { orphanedLockSql, SWEEP_LOCK_SQL, WORKER_POOLS_TABLE } from './worker-liveness.sql';

/** One gone pool whose jobs a sweep handed back. */
export interface RecoveredPool {
  /** What its jobs' `locked_by` said: the pool's id. */
  readonly lockedBy: string;
  readonly jobs: number;
  /** From its heartbeat row; null when it never beat (e.g. it crashed before this table existed). */
  readonly hostname: string | null;
  readonly pid: number | null;
  readonly lastBeatAt: Date | null;
}

export interface SweepOutcome {
  readonly recovered: readonly RecoveredPool[];
  /** Heartbeat rows removed: their pool stopped beating and holds no job (any more). */
  readonly removedPools: readonly string[];
}

/**
 * Every lock owner with at least one orphaned job, and how many jobs it holds in all (force_unlock
 * frees them all: a gone pool holds nothing legitimately).
 */
const FIND_ORPHANED_SQL = `
  SELECT j.locked_by, count(*)::int AS jobs, p.hostname, p.pid, p.last_beat_at
    FROM graphile_worker.jobs j
    LEFT JOIN ${WORKER_POOLS_TABLE} p ON p.pool_id = j.locked_by OR j.locked_by = ANY (p.worker_ids)
   WHERE j.locked_by IN (SELECT o.locked_by FROM graphile_worker.jobs o WHERE ${orphanedLockSql('o', '$1')})
   GROUP BY j.locked_by, p.hostname, p.pid, p.last_beat_at
   ORDER BY j.locked_by`;

/**
 * The ledger learns what happened to the interrupted attempt: it counts (graphile-worker counted
 * it when the job was taken), and if it was the last one the delivery is dead (its job, with
 * attempts = max_attempts, would never run again) and waits for a replay like any other.
 */
const RECORD_INTERRUPTED_SQL = `
  UPDATE deliveries d
     SET attempts = j.attempts,
         status = CASE WHEN j.attempts >= j.max_attempts THEN 'dead' ELSE d.status END,
         last_error = 'Attempt ' || j.attempts || ' was interrupted: its worker (pool ' || j.locked_by || ') stopped',
         next_attempt_at = CASE WHEN j.attempts >= j.max_attempts THEN NULL ELSE now() END,
         updated_at = now()
    FROM graphile_worker.jobs j
   WHERE j.locked_by = ANY ($1::text[])
     AND j.task_identifier = '${DELIVER_TASK}'
     AND j.key = d.idempotency_key
     AND d.status IN ('pending', 'failed')`;

const COUNT_LOCKED_SQL = `SELECT count(*)::int AS jobs FROM graphile_worker.jobs WHERE locked_by = ANY ($1::text[])`;

const UNLOCK_SQL = `SELECT graphile_worker.force_unlock_workers($1::text[])`;

/** graphile-worker's own wake-up call: idle workers look for jobs now, not at their next poll. */
const NUDGE_WORKERS_SQL = `SELECT pg_notify('jobs:insert', json_build_object('count', $1::int)::text)`;

/** A query on the caller's connection or transaction, answering its rows. */
export type RunQuery = <T>(sql: string, params: readonly unknown[]) => Promise<T[]>;

/**
 * Hands every job locked by these gone lock owners back to the queue, after recording the
 * interrupted attempts in the ledger, and wakes idle workers. Run it in a transaction. Used by the
 * sweep and by a replay of a delivery whose job a gone pool holds.
 */
export async function handBackJobs(query: RunQuery, lockedBy: readonly string[]): Promise<void> {
  const [locked] = await query<{ jobs: number }>(COUNT_LOCKED_SQL, [lockedBy]);
  await query(RECORD_INTERRUPTED_SQL, [lockedBy]);
  await query(UNLOCK_SQL, [lockedBy]);
  await query(NUDGE_WORKERS_SQL, [locked?.jobs ?? 0]);
}

/** Kept while they hold jobs (their locks may be too fresh to take yet), so the log can name them. */
const REMOVE_STALE_POOLS_SQL = `
  DELETE FROM ${WORKER_POOLS_TABLE} p
   WHERE p.last_beat_at < now() - $1::int * interval '1 millisecond'
     AND NOT EXISTS (SELECT 1 FROM graphile_worker.jobs j
                      WHERE j.locked_by = p.pool_id OR j.locked_by = ANY (p.worker_ids))
  RETURNING p.pool_id`;

interface OrphanRow {
  locked_by: string;
  jobs: number;
  hostname: string | null;
  pid: number | null;
  last_beat_at: Date | null;
}

/**
 * Hands the jobs of gone worker pools back to the queue (graphile-worker 0.17 would keep them
 * locked for four hours), records the interrupted attempts in the ledger, and forgets pools that
 * stopped beating. One transaction under an advisory lock: while one instance sweeps, the others
 * skip their turn rather than queue up behind it.
 */
export class OrphanedJobSweep {
  constructor(
    private readonly pool: pg.Pool,
    private readonly staleAfterMs: number,
  ) {}

  /** The outcome, or undefined when another instance holds the sweep lock right now. */
  async run(): Promise<SweepOutcome | undefined> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const { rows: lock } = await client.query<{ acquired: boolean }>(SWEEP_LOCK_SQL);
      if (!lock[0]?.acquired) {
        await client.query('ROLLBACK');
        return undefined;
      }
      const { rows: orphans } = await client.query<OrphanRow>(FIND_ORPHANED_SQL, [this.staleAfterMs]);
      if (orphans.length > 0) {
        const query: RunQuery = async <T>(sql: string, params: readonly unknown[]) =>
          (await client.query<T & pg.QueryResultRow>(sql, [...params])).rows;
        await handBackJobs(
          query,
          orphans.map((o) => o.locked_by),
        );
      }
      const { rows: removed } = await client.query<{ pool_id: string }>(REMOVE_STALE_POOLS_SQL, [
        this.staleAfterMs,
      ]);
      await client.query('COMMIT');
      return {
        recovered: orphans.map((o) => ({
          lockedBy: o.locked_by,
          jobs: o.jobs,
          hostname: o.hostname,
          pid: o.pid,
          lastBeatAt: o.last_beat_at,
        })),
        removedPools: removed.map((r) => r.pool_id),
      };
    } catch (e) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw e;
    } finally {
      client.release(broken); // a connection that cannot even roll back is discarded
    }
  }
}
