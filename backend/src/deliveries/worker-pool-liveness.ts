import type { Logger } from '@nestjs/common';
import { hostname } from 'node:os';
import type pg from 'pg';
import { OrphanedJobSweep, type SweepOutcome } from './orphaned-job-sweep';
import { WORKER_POOLS_TABLE } from './worker-liveness.sql';

/** The ids graphile-worker writes to `locked_by` for the jobs this process runs. */
export interface WorkerPoolIdentity {
  readonly poolId: string;
  readonly workerIds: readonly string[];
}

export interface LivenessSettings {
  readonly heartbeatMs: number;
  readonly staleAfterMs: number;
}

const BEAT_SQL = `
  INSERT INTO ${WORKER_POOLS_TABLE} (pool_id, worker_ids, hostname, pid)
  VALUES ($1, $2::text[], $3, $4)
  ON CONFLICT (pool_id) DO UPDATE SET worker_ids = EXCLUDED.worker_ids, last_beat_at = now()`;

const REMOVE_SQL = `DELETE FROM ${WORKER_POOLS_TABLE} WHERE pool_id = $1`;

function describe(outcome: SweepOutcome): string {
  const jobs = outcome.recovered.reduce((sum, p) => sum + p.jobs, 0);
  const pools = outcome.recovered.map(
    (p) =>
      `${p.lockedBy} (${p.jobs} job${p.jobs === 1 ? '' : 's'}` +
      (p.hostname ? `; ${p.hostname} pid ${String(p.pid)}, last beat ${p.lastBeatAt?.toISOString()}` : '') +
      ')',
  );
  const gone = outcome.removedPools.filter((id) => !outcome.recovered.some((p) => p.lockedBy === id));
  return (
    `Recovered ${jobs} delivery job${jobs === 1 ? '' : 's'} from stopped worker pools` +
    (pools.length ? `: ${pools.join(', ')}` : '') +
    (gone.length ? `; forgot idle stopped pools: ${gone.join(', ')}` : '')
  );
}

/**
 * Keeps this process's worker pool known to be alive and hands back the jobs of pools that are
 * not. Every heartbeatMs: a beat (its row in delivery_worker_pools, written through the worker's
 * own pool, so a worker that cannot reach the database stops beating too), then a sweep
 * (OrphanedJobSweep). A pool silent for staleAfterMs is gone and its jobs run elsewhere, so a
 * crashed worker's deliveries resume within about staleAfterMs + heartbeatMs of a healthy
 * worker running. stop() removes the row: a clean shutdown leaves nothing to sweep.
 */
export class WorkerPoolLiveness {
  private readonly sweep: OrphanedJobSweep;
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly identity: WorkerPoolIdentity,
    private readonly settings: LivenessSettings,
    private readonly logger: Logger,
  ) {
    this.sweep = new OrphanedJobSweep(pool, settings.staleAfterMs);
  }

  /** The first beat and sweep (jobs of pools that died long ago resume at once), then the timer. */
  start(): Promise<void> {
    return this.beatThenSweep();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
    await this.pool
      .query(REMOVE_SQL, [this.identity.poolId])
      .catch((e: unknown) =>
        this.logger.warn(`Could not remove worker pool ${this.identity.poolId}'s heartbeat: ${String(e)}`),
      );
  }

  private beatThenSweep(): Promise<void> {
    this.tick = (async () => {
      try {
        await this.pool.query(BEAT_SQL, [
          this.identity.poolId,
          this.identity.workerIds,
          hostname(),
          process.pid,
        ]);
      } catch (e) {
        this.logger.warn(`Worker heartbeat failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      try {
        const outcome = await this.sweep.run();
        if (outcome && (outcome.recovered.length > 0 || outcome.removedPools.length > 0)) {
          this.logger.warn({
            msg: describe(outcome),
            recoveredJobs: outcome.recovered.reduce((sum, p) => sum + p.jobs, 0),
            recoveredPools: outcome.recovered.map((p) => p.lockedBy),
            removedPools: outcome.removedPools,
          });
        }
      } catch (e) {
        this.logger.warn(
          `Sweep for stopped worker pools failed: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.beatThenSweep(), this.settings.heartbeatMs);
        this.timer.unref();
      }
    })();
    return this.tick;
  }
}
