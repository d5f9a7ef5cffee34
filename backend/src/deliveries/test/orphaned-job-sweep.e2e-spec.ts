import pg from 'pg';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { OrphanedJobSweep, type SweepOutcome } from '../orphaned-job-sweep';
import { SWEEP_LOCK_SQL } from '../worker-liveness.sql';
import { anEvent, ledger, publish } from './delivery-fixtures';
import { DeliveryProbeModule } from './delivery-probe.module';

const STALE_AFTER_MS = 1000;

describe('OrphanedJobSweep', () => {
  let t: TestApp;
  let pool: pg.Pool;
  beforeAll(async () => {
    // no worker of its own: the sweeps here are the only ones
    t = await startTestApp({ imports: [DeliveryProbeModule], env: { DELIVERY_WORKER_ENABLED: 'false' } });
    pool = new pg.Pool({ connectionString: t.database.url, max: 4 });
  });
  afterAll(async () => {
    await pool.end();
    await t.close();
  });

  /** A probe-all job as graphile-worker leaves it when the pool running it dies: locked, attempt taken. */
  async function jobLockedBy(lockedBy: string, lockedAgoMs: number): Promise<string> {
    const eventId = await publish(t, anEvent());
    await t.dataSource.query(
      `UPDATE graphile_worker._private_jobs
          SET locked_by = $2, locked_at = now() - $3::int * interval '1 millisecond', attempts = attempts + 1
        WHERE key = $1`,
      [`probe-all:${eventId}`, lockedBy, lockedAgoMs],
    );
    return eventId;
  }

  async function lockOf(eventId: string): Promise<string | null | undefined> {
    const [job] = await t.dataSource.query<{ locked_by: string | null }[]>(
      'SELECT locked_by FROM graphile_worker.jobs WHERE key = $1',
      [`probe-all:${eventId}`],
    );
    return job?.locked_by;
  }

  async function beat(poolId: string, agoMs: number): Promise<void> {
    await t.dataSource.query(
      `INSERT INTO delivery_worker_pools (pool_id, hostname, pid, last_beat_at)
       VALUES ($1, 'other-host', 4242, now() - $2::int * interval '1 millisecond')`,
      [poolId, agoMs],
    );
  }

  it('frees only the jobs of pools that stopped beating, and only one instance sweeps at a time', async () => {
    await beat('pool-alive', 0);
    await beat('pool-crashed', 60_000);
    await beat('pool-idle-crashed', 60_000);
    const alive = await jobLockedBy('pool-alive', 60_000);
    const crashed = await jobLockedBy('pool-crashed', 60_000);
    const neverBeat = await jobLockedBy('pool-from-before-the-upgrade', 60_000);
    const justTaken = await jobLockedBy('pool-just-started', 0); // its first beat is on its way

    // another instance is sweeping: this one skips its turn
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      expect((await holder.query<{ acquired: boolean }>(SWEEP_LOCK_SQL)).rows).toEqual([{ acquired: true }]);
      expect(await new OrphanedJobSweep(pool, STALE_AFTER_MS).run()).toBeUndefined();
      expect(await lockOf(crashed)).toBe('pool-crashed');
    } finally {
      await holder.query('COMMIT');
      holder.release();
    }

    const outcomes = await Promise.all([
      new OrphanedJobSweep(pool, STALE_AFTER_MS).run(),
      new OrphanedJobSweep(pool, STALE_AFTER_MS).run(),
    ]);
    const recovered = outcomes.flatMap((o: SweepOutcome | undefined) => o?.recovered ?? []);
    expect(recovered.map((r) => [r.lockedBy, r.jobs, r.hostname])).toEqual([
      ['pool-crashed', 1, 'other-host'],
      ['pool-from-before-the-upgrade', 1, null],
    ]);
    expect(outcomes.flatMap((o) => o?.removedPools ?? []).sort()).toEqual([
      'pool-crashed',
      'pool-idle-crashed',
    ]);

    expect(await lockOf(crashed)).toBeNull();
    expect(await lockOf(neverBeat)).toBeNull();
    expect(await lockOf(alive)).toBe('pool-alive');
    expect(await lockOf(justTaken)).toBe('pool-just-started');
    expect(await ledger(t, crashed, 'probe-all')).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'Attempt 1 was interrupted: its worker (pool pool-crashed) stopped',
    });
    const pools = await t.dataSource.query<{ pool_id: string }[]>(
      'SELECT pool_id FROM delivery_worker_pools ORDER BY pool_id',
    );
    expect(pools.map((p) => p.pool_id)).toEqual(['pool-alive']);
  });
});
