import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { signInAsAdmin } from '../../../test/sign-in';
import { CONSOLE_FIXTURE, startTestApp, TEST_ADMIN, type TestApp } from '../../../test/test-app';
import { freshDatabase, type TestDatabase } from '../../../test/test-database';
import type { DeliveryPageView, DeliverySummaryView, DeliveryView } from '../dto/delivery.view';
import { eventually, whenStatus } from './delivery-fixtures';
import { DeliveryProbeModule, probeAll, probeChanges } from './delivery-probe.module';

const HEARTBEAT_MS = 200;
const STALE_AFTER_MS = 1000;
/** Short beats and a short staleness, so a crashed pool is known to be gone within ~1 s. */
const LIVENESS_ENV = {
  DELIVERY_WORKER_HEARTBEAT_MS: String(HEARTBEAT_MS),
  DELIVERY_WORKER_STALE_AFTER_MS: String(STALE_AFTER_MS),
  DELIVERY_WORKER_POLL_INTERVAL_MS: '100',
} as const;
/** What a loaded CI machine may add to the mechanism's own bound. */
const SLACK_MS = 5000;

const support = join(__dirname, '../../../test/support');

interface CrashedWorker {
  readonly poolId: string;
  readonly eventIds: readonly string[];
}

/**
 * Runs a real worker process (delivery-worker-process.ts) on `database` until its consumers hold
 * the probe-all and probe-changes deliveries of `events` new events, then kills it with SIGKILL:
 * no shutdown hook runs, its heartbeat row and its job locks stay behind.
 */
async function crashWorkerHolding(database: TestDatabase, events: number): Promise<CrashedWorker> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(support, 'register-typescript.cjs'),
      join(__dirname, 'delivery-worker-process.ts'),
      'hold',
      String(events),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: database.url,
        CONSOLE_DIR: CONSOLE_FIXTURE,
        JWT_SECRET: 'crashed-worker-spec-jwt-secret-0123456789abcdef',
        ENCRYPTION_KEYS: `test:${Buffer.alloc(32, 7).toString('base64')}`,
        // the same first admin as the test app's, which then finds it already there
        ADMIN_EMAIL: TEST_ADMIN.email,
        ADMIN_PASSWORD: TEST_ADMIN.password,
        PASSWORD_HASH_MEMORY_KIB: '1024',
        PASSWORD_HASH_ITERATIONS: '1',
        // room for every held delivery and the live feed's
        DELIVERY_WORKER_CONCURRENCY: String(2 * events + 2),
        ...LIVENESS_ENV,
      },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve())); // stdio closed too
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const holding = await new Promise<CrashedWorker>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (c: Buffer) => {
      buffer += c.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.startsWith('{'))) {
        const result = (JSON.parse(line) as { result?: CrashedWorker }).result;
        if (result) resolve(result);
      }
    });
    child.once('exit', (code) => reject(new Error(`the worker process exited (${code}) early: ${stderr}`)));
    setTimeout(
      () => reject(new Error(`the worker process did not report within 60 s: ${stderr}`)),
      60_000,
    ).unref();
  }).catch(async (e: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw e;
  });
  child.kill('SIGKILL');
  await exited;
  return holding;
}

async function jobsLockedBy(t: { dataSource: TestApp['dataSource'] }, poolId: string): Promise<string[]> {
  const rows = await t.dataSource.query<{ key: string }[]>(
    'SELECT key FROM graphile_worker.jobs WHERE locked_by = $1 ORDER BY key',
    [poolId],
  );
  return rows.map((r) => r.key);
}

function heldKeys(crashed: CrashedWorker): string[] {
  return crashed.eventIds.flatMap((id) => [`probe-all:${id}`, `probe-changes:${id}`]).sort();
}

describe('a delivery worker killed mid-delivery (SIGKILL)', () => {
  it('hands its jobs to a healthy worker within stale-after plus a heartbeat, and the ledger shows them delivered', async () => {
    const database = await freshDatabase();
    let t: TestApp | undefined;
    try {
      const crashed = await crashWorkerHolding(database, 2);
      t = await startTestApp({ imports: [DeliveryProbeModule], env: LIVENESS_ENV, database });
      const started = Date.now();
      const app = t;

      for (const eventId of crashed.eventIds) await whenStatus(app, eventId, 'probe-all', 'delivered');
      const recoveryMs = Date.now() - started;
      expect(recoveryMs).toBeLessThan(STALE_AFTER_MS + 2 * HEARTBEAT_MS + SLACK_MS);
      expect(await jobsLockedBy(app, crashed.poolId)).toEqual([]);

      const admin = await signInAsAdmin(app);
      for (const eventId of crashed.eventIds) {
        const page = (
          await app.http
            .get(`/api/deliveries?consumer=probe-all&stalled=false`)
            .set('authorization', admin.bearer)
            .expect(200)
        ).body as DeliveryPageView;
        const delivery = page.items.find((d) => d.eventId === eventId);
        expect(delivery).toMatchObject({
          status: 'delivered',
          attempts: 2, // the interrupted attempt counts
          lastError: `Attempt 1 was interrupted: its worker (pool ${crashed.poolId}) stopped`,
          idempotencyKey: `probe-all:${eventId}`,
          stalled: false,
        } satisfies Partial<DeliveryView>);
        const received = probeAll.received.filter((r) => r.event.id === eventId);
        expect(received.map((r) => [r.attempt, r.idempotencyKey])).toEqual([[2, `probe-all:${eventId}`]]);
      }

      // probe-changes allowed one attempt, and the crash took it: dead, and a replay sends it
      const [first] = crashed.eventIds;
      const dead = await whenStatus(app, first!, 'probe-changes', 'dead');
      expect(dead).toMatchObject({
        attempts: 1,
        last_error: `Attempt 1 was interrupted: its worker (pool ${crashed.poolId}) stopped`,
      });
      await app.http.post(`/api/deliveries/${dead.id}/replay`).set('authorization', admin.bearer).expect(200);
      await whenStatus(app, first!, 'probe-changes', 'delivered');
      expect(probeChanges.received.filter((r) => r.event.id === first).map((r) => r.attempt)).toEqual([1]);

      const recovered = app
        .logs()
        .find(
          (l) =>
            l.level === 'warn' && (l['recoveredPools'] as string[] | undefined)?.includes(crashed.poolId),
        );
      expect(recovered).toMatchObject({ recoveredJobs: 4, removedPools: [crashed.poolId] });
      expect(recovered?.msg).toContain(
        `Recovered 4 delivery jobs from stopped worker pools: ${crashed.poolId}`,
      );
      const pools = await app.dataSource.query<{ pool_id: string }[]>(
        'SELECT pool_id FROM delivery_worker_pools',
      );
      expect(pools.map((p) => p.pool_id)).not.toContain(crashed.poolId);
    } finally {
      await t?.close();
      await database.drop();
    }
  });

  it('shows its deliveries as stalled while no worker runs, and lets an admin replay one', async () => {
    const database = await freshDatabase();
    let t: TestApp | undefined;
    try {
      const crashed = await crashWorkerHolding(database, 1);
      const [eventId] = crashed.eventIds;
      // an instance that serves the API but runs no worker: nothing sweeps
      t = await startTestApp({ env: { ...LIVENESS_ENV, DELIVERY_WORKER_ENABLED: 'false' }, database });
      const app = t;
      const admin = await signInAsAdmin(app);
      expect(await jobsLockedBy(app, crashed.poolId)).toEqual(heldKeys(crashed));

      const stalled = await eventually(async () => {
        const page = (
          await app.http.get('/api/deliveries?stalled=true').set('authorization', admin.bearer).expect(200)
        ).body as DeliveryPageView;
        return page.items.length === 2 ? page.items : undefined;
      });
      expect(stalled.map((d) => [d.consumer, d.status, d.stalled]).sort()).toEqual([
        ['probe-all', 'pending', true],
        ['probe-changes', 'pending', true],
      ]);
      const others = (
        await app.http.get('/api/deliveries?stalled=false').set('authorization', admin.bearer).expect(200)
      ).body as DeliveryPageView;
      expect(others.items.map((d) => [d.consumer, d.status, d.stalled])).toEqual([]);

      const summary = (
        await app.http.get('/api/deliveries/summary').set('authorization', admin.bearer).expect(200)
      ).body as DeliverySummaryView;
      expect(summary.byConsumer).toEqual([
        { consumer: 'probe-all', pending: 1, failed: 0, dead: 0, delivered: 0, stalled: 1 },
        { consumer: 'probe-changes', pending: 1, failed: 0, dead: 0, delivered: 0, stalled: 1 },
      ]);

      const probeAllDelivery = stalled.find((d) => d.consumer === 'probe-all')!;
      const replayed = await app.http
        .post(`/api/deliveries/${probeAllDelivery.id}/replay`)
        .set('authorization', admin.bearer)
        .expect(200);
      expect(replayed.body).toMatchObject({
        status: 'pending',
        attempts: 0,
        idempotencyKey: `probe-all:${eventId}`,
        stalled: false,
      } satisfies Partial<DeliveryView>);
      // the same job, freed and reset (no second job beside a locked one); the dead pool's other
      // job was handed back with it, its interrupted last attempt recorded
      const jobs = await app.dataSource.query<{ key: string; attempts: number; locked_by: string | null }[]>(
        'SELECT key, attempts, locked_by FROM graphile_worker.jobs ORDER BY key',
      );
      expect(jobs).toEqual([
        { key: `probe-all:${eventId}`, attempts: 0, locked_by: null },
        { key: `probe-changes:${eventId}`, attempts: 1, locked_by: null },
      ]);
      expect(await whenStatus(app, eventId!, 'probe-changes', 'dead')).toMatchObject({
        last_error: `Attempt 1 was interrupted: its worker (pool ${crashed.poolId}) stopped`,
      });

      const audit = await app.http
        .get(`/api/audit?action=delivery.replayed&targetId=${probeAllDelivery.id}`)
        .set('authorization', admin.bearer)
        .expect(200);
      expect((audit.body as { items: unknown[] }).items).toEqual([
        expect.objectContaining({
          action: 'delivery.replayed',
          before: { status: 'pending', attempts: 0 },
          after: { status: 'pending', attempts: 0 },
          details: { consumer: 'probe-all', eventId, stalled: true },
        }),
      ]);
    } finally {
      await t?.close();
      await database.drop();
    }
  });
});
