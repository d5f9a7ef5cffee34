import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A heartbeat per running delivery worker pool (backend/src/deliveries/worker-pool-liveness.ts).
 * graphile-worker 0.17 marks the jobs a pool runs with the pool's id (`locked_by`) and frees them
 * only after four hours; a pool killed mid-job would hold them that long. With this table a
 * pool that stopped beating is known to be gone, and a sweep hands its jobs back at once.
 */
export class DeliveryWorkerPools1764410000000 implements MigrationInterface {
  name = 'DeliveryWorkerPools1764410000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE delivery_worker_pools (
        -- graphile-worker's WorkerPool.id: what 0.17 writes to graphile_worker.jobs.locked_by
        pool_id text PRIMARY KEY,
        -- the ids of its workers (the lock owner in graphile-worker before 0.17), matched too
        worker_ids text[] NOT NULL DEFAULT '{}',
        hostname text NOT NULL,
        pid integer NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        last_beat_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE delivery_worker_pools');
  }
}
