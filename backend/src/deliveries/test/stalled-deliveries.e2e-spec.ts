import { signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import type { DeliveryPageView, DeliveryView } from '../dto/delivery.view';
import { anEvent, eventually, ledger, publish, whenStatus } from './delivery-fixtures';
import { DeliveryProbeModule, probeAll } from './delivery-probe.module';

const HEARTBEAT_MS = 200;
const STALE_AFTER_MS = 1000;

function deliveriesOf(t: TestApp, admin: SignedIn, query: string): Promise<DeliveryView[]> {
  return t.http
    .get(`/api/deliveries?${query}`)
    .set('authorization', admin.bearer)
    .expect(200)
    .then((res) => (res.body as DeliveryPageView).items);
}

describe('a delivery running on a live worker', () => {
  let t: TestApp;
  let admin: SignedIn;
  beforeAll(async () => {
    t = await startTestApp({
      imports: [DeliveryProbeModule],
      env: {
        DELIVERY_WORKER_HEARTBEAT_MS: String(HEARTBEAT_MS),
        DELIVERY_WORKER_STALE_AFTER_MS: String(STALE_AFTER_MS),
      },
    });
    admin = await signInAsAdmin(t);
  });
  afterAll(() => t.close());

  it('is never stalled however long it runs, is not swept, and cannot be replayed (409)', async () => {
    const event = anEvent();
    const held = probeAll.hold(event.aggregateId);
    try {
      const eventId = await publish(t, event);
      await held.entered;
      const [pool] = await t.dataSource.query<{ pool_id: string; pid: number }[]>(
        'SELECT pool_id, pid FROM delivery_worker_pools',
      );
      expect(pool?.pid).toBe(process.pid);
      const lockedBy = () =>
        t.dataSource
          .query<{ locked_by: string | null }[]>(
            'SELECT locked_by FROM graphile_worker.jobs WHERE key = $1',
            [`probe-all:${eventId}`],
          )
          .then((rows) => rows[0]?.locked_by);
      expect(await lockedBy()).toBe(pool?.pool_id);
      // long past the staleness, with several sweeps in between
      await eventually(async () => {
        const [age] = await t.dataSource.query<{ old: boolean }[]>(
          `SELECT locked_at < now() - $2::int * interval '1 millisecond' AS old
             FROM graphile_worker.jobs WHERE key = $1`,
          [`probe-all:${eventId}`, STALE_AFTER_MS + 3 * HEARTBEAT_MS],
        );
        return age?.old ? true : undefined;
      });

      expect(await deliveriesOf(t, admin, `incidentId=${event.aggregateId}&stalled=true`)).toEqual([]);
      const [running] = await deliveriesOf(t, admin, `incidentId=${event.aggregateId}&consumer=probe-all`);
      expect(running).toMatchObject({ status: 'pending', stalled: false });
      const refused = await t.http
        .post(`/api/deliveries/${running!.id}/replay`)
        .set('authorization', admin.bearer)
        .expect(409);
      expect(refused.body).toMatchObject({ code: 'DELIVERY_NOT_REPLAYABLE', deliveryStatus: 'pending' });
      expect(await lockedBy()).toBe(pool?.pool_id);

      held.release();
      expect(await whenStatus(t, eventId, 'probe-all', 'delivered')).toMatchObject({
        attempts: 1,
        last_error: null,
      });
      expect(probeAll.receivedFor(event.aggregateId)).toHaveLength(1);
    } finally {
      held.release();
    }
  });
});

describe('deliveries no worker takes', () => {
  const STALLED_AFTER_MS = 2000;
  let t: TestApp;
  let admin: SignedIn;
  beforeAll(async () => {
    t = await startTestApp({
      imports: [DeliveryProbeModule],
      env: { DELIVERY_WORKER_ENABLED: 'false', DELIVERY_STALLED_AFTER_MS: String(STALLED_AFTER_MS) },
    });
    admin = await signInAsAdmin(t);
  });
  afterAll(() => t.close());

  it('are stalled once due for DELIVERY_STALLED_AFTER_MS, or at once without a job, and replayable', async () => {
    const waiting = anEvent();
    const jobless = anEvent();
    const waitingId = await publish(t, waiting);
    const joblessId = await publish(t, jobless);
    expect(await deliveriesOf(t, admin, `incidentId=${waiting.aggregateId}&consumer=probe-all`)).toEqual([
      expect.objectContaining({ status: 'pending', stalled: false }),
    ]);
    await t.dataSource.query('SELECT graphile_worker.remove_job($1)', [`probe-all:${joblessId}`]);
    expect(await deliveriesOf(t, admin, `incidentId=${jobless.aggregateId}&stalled=true`)).toEqual([
      expect.objectContaining({ consumer: 'probe-all', status: 'pending', stalled: true }),
    ]);

    const stalled = await eventually(async () => {
      const [found] = await deliveriesOf(
        t,
        admin,
        `incidentId=${waiting.aggregateId}&consumer=probe-all&stalled=true`,
      );
      return found;
    });
    expect(stalled).toMatchObject({ status: 'pending', stalled: true });

    for (const [eventId, delivery] of [
      [waitingId, stalled],
      [joblessId, (await ledger(t, joblessId, 'probe-all'))!],
    ] as const) {
      const replayed = await t.http
        .post(`/api/deliveries/${delivery.id}/replay`)
        .set('authorization', admin.bearer)
        .expect(200);
      expect(replayed.body).toMatchObject({ status: 'pending', attempts: 0, stalled: false });
      const jobs = await t.dataSource.query<{ attempts: number }[]>(
        'SELECT attempts FROM graphile_worker.jobs WHERE key = $1',
        [`probe-all:${eventId}`],
      );
      expect(jobs).toEqual([{ attempts: 0 }]);
    }
  });

  it('GET /api/deliveries refuses a stalled filter other than true or false (400)', async () => {
    const res = await t.http
      .get('/api/deliveries?stalled=maybe')
      .set('authorization', admin.bearer)
      .expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
