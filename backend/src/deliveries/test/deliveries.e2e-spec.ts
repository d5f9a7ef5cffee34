import { randomUUID } from 'node:crypto';
import { givenUser, signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import type { DeliveryStatus } from '../delivery.entity';
import type { DeliveryPageView, DeliverySummaryView, DeliveryView } from '../dto/delivery.view';
import { Outbox } from '../outbox';
import {
  anEvent,
  asDelivered,
  eventually,
  jobsWithKey,
  ledger,
  publish,
  whenStatus,
  type LedgerRow,
  type ProbeEvent,
} from './delivery-fixtures';
import { DeliveryProbeModule, PROBE_EVENTS, probeAll, probeChanges } from './delivery-probe.module';

/** Quick polling, so a retry made due by retryNow() runs within a fraction of a second. */
const WORKER_ENV = { DELIVERY_WORKER_POLL_INTERVAL_MS: '100' } as const;

/** Skips graphile-worker's back-off: makes the (idle) job due now. No-op while it runs. */
async function retryNow(t: TestApp, jobKey: string): Promise<void> {
  await t.dataSource.query(
    `SELECT graphile_worker.reschedule_jobs(
       ARRAY(SELECT id FROM graphile_worker.jobs WHERE key = $1 AND locked_at IS NULL), run_at := now())`,
    [jobKey],
  );
}

/** Waits for `status`, making each retry due at once instead of after the back-off. */
function whenStatusRetrying(
  t: TestApp,
  eventId: string,
  consumer: string,
  status: DeliveryStatus,
): Promise<LedgerRow> {
  return eventually(async () => {
    const row = await ledger(t, eventId, consumer);
    if (row?.status === status) return row;
    await retryNow(t, `${consumer}:${eventId}`);
    return undefined;
  });
}

describe('outbox and deliveries', () => {
  let t: TestApp;
  let admin: SignedIn;
  beforeAll(async () => {
    t = await startTestApp({ imports: [DeliveryProbeModule], env: WORKER_ENV });
    admin = await signInAsAdmin(t);
  });
  afterAll(() => t.close());

  describe('Outbox.publish', () => {
    it('leaves no event, delivery or job when the transaction rolls back', async () => {
      const event = anEvent();
      let eventId: string | undefined;
      await expect(
        t.dataSource.transaction(async (m) => {
          eventId = await t.app.get(Outbox).publish(m, PROBE_EVENTS, event);
          throw new Error('the incident write failed after publishing');
        }),
      ).rejects.toThrow('the incident write failed');
      expect(eventId).toEqual(expect.any(String));
      const counts = await t.dataSource.query<{ events: number; deliveries: number; jobs: number }[]>(
        `SELECT (SELECT count(*) FROM outbox_events WHERE id = $1)::int AS events,
                (SELECT count(*) FROM deliveries WHERE event_id = $1)::int AS deliveries,
                (SELECT count(*) FROM graphile_worker.jobs WHERE key LIKE '%:' || $1)::int AS jobs`,
        [eventId],
      );
      expect(counts).toEqual([{ events: 0, deliveries: 0, jobs: 0 }]);
      await new Promise((r) => setTimeout(r, 300));
      expect(probeAll.receivedFor(event.aggregateId)).toEqual([]);
    });

    it('refuses to publish outside a transaction', async () => {
      await expect(t.app.get(Outbox).publish(t.dataSource.manager, PROBE_EVENTS, anEvent())).rejects.toThrow(
        'open transaction',
      );
    });

    it('stores the event and one delivery per subscribed consumer', async () => {
      const other = anEvent({ type: 'probe.other' });
      const eventId = await publish(t, other);
      const rows = await t.dataSource.query<{ consumer: string }[]>(
        'SELECT consumer FROM deliveries WHERE event_id = $1 ORDER BY consumer',
        [eventId],
      );
      // probe-changes only subscribes to probe.changed
      expect(rows.map((r) => r.consumer)).toEqual(['probe-all']);
    });
  });

  describe('delivery', () => {
    it('reaches a consumer exactly once with its idempotency key and records it delivered', async () => {
      const event = anEvent();
      const eventId = await publish(t, event);
      const row = await whenStatus(t, eventId, 'probe-all', 'delivered');
      expect(row).toMatchObject({
        attempts: 1,
        last_error: null,
        next_attempt_at: null,
        idempotency_key: `probe-all:${eventId}`,
      });
      expect(row.delivered_at).toBeInstanceOf(Date);
      await new Promise((r) => setTimeout(r, 300)); // a second delivery would show by now
      const received = probeAll.receivedFor(event.aggregateId);
      expect(received).toHaveLength(1);
      expect(received[0]).toEqual({
        event: {
          ...asDelivered(event),
          id: eventId,
          occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        },
        idempotencyKey: `probe-all:${eventId}`,
        attempt: 1,
      });
      expect(await jobsWithKey(t, `probe-all:${eventId}`)).toEqual([]); // graphile-worker removed the job
    });

    it('retries a failing consumer with back-off, counting attempts and keeping the last error', async () => {
      const event = anEvent();
      probeAll.failNext(event.aggregateId, 2);
      const eventId = await publish(t, event);

      const failed = await whenStatus(t, eventId, 'probe-all', 'failed');
      expect(failed).toMatchObject({ attempts: 1, last_error: 'probe-all refused attempt 1' });
      // graphile-worker's back-off after attempt 1 is e^1 ≈ 2.7 s
      const wait = failed.next_attempt_at!.getTime() - Date.now();
      expect(wait).toBeGreaterThan(1000);
      expect(wait).toBeLessThan(3000);

      const delivered = await whenStatusRetrying(t, eventId, 'probe-all', 'delivered');
      expect(delivered).toMatchObject({ attempts: 3, last_error: 'probe-all refused attempt 2' });
      expect(probeAll.receivedFor(event.aggregateId).map((r) => [r.attempt, r.idempotencyKey])).toEqual([
        [1, `probe-all:${eventId}`],
        [2, `probe-all:${eventId}`],
        [3, `probe-all:${eventId}`],
      ]);
    });

    it('does not let one failing consumer hold up another', async () => {
      const event = anEvent();
      probeChanges.failNext(event.aggregateId, Infinity);
      const eventId = await publish(t, event);
      await whenStatus(t, eventId, 'probe-all', 'delivered');
      await whenStatus(t, eventId, 'probe-changes', 'failed');
      expect(probeAll.receivedFor(event.aggregateId)).toHaveLength(1);
      probeChanges.recover(event.aggregateId);
    });
  });

  describe('dead deliveries and POST /api/deliveries/:id/replay', () => {
    let eventId: string;
    let event: ProbeEvent;
    let dead: LedgerRow;

    beforeAll(async () => {
      event = anEvent();
      probeChanges.failNext(event.aggregateId, Infinity);
      eventId = await publish(t, event);
      dead = await whenStatusRetrying(t, eventId, 'probe-changes', 'dead');
    });

    it('marks a delivery dead after maxAttempts and keeps its job', async () => {
      expect(dead).toMatchObject({
        attempts: 3,
        max_attempts: 3,
        last_error: 'probe-changes refused attempt 3',
        next_attempt_at: null,
      });
      // graphile-worker records the failure on its job just after the task wrote the ledger row
      const job = await eventually(async () => {
        const [found] = await jobsWithKey(t, `probe-changes:${eventId}`);
        return found?.last_error === 'probe-changes refused attempt 3' ? found : undefined;
      });
      expect(job).toEqual({ attempts: 3, last_error: 'probe-changes refused attempt 3' });
      expect(probeChanges.receivedFor(event.aggregateId)).toHaveLength(3);
    });

    it('refuses a non-admin with 403', async () => {
      const responder = await givenUser(t, 'responder');
      const res = await t.http
        .post(`/api/deliveries/${dead.id}/replay`)
        .set('authorization', responder.bearer)
        .expect(403);
      expect(res.body).toMatchObject({ code: 'AUTH_FORBIDDEN' });
      expect(await ledger(t, eventId, 'probe-changes')).toMatchObject({ status: 'dead' });
    });

    it('re-enqueues with attempts reset and the same idempotency key, audited, and delivers once the consumer recovers', async () => {
      probeChanges.recover(event.aggregateId);
      const res = await t.http
        .post(`/api/deliveries/${dead.id}/replay`)
        .set('authorization', admin.bearer)
        .expect(200);
      expect(res.body).toMatchObject({
        id: dead.id,
        eventId,
        eventType: 'probe.changed',
        incidentId: event.aggregateId,
        consumer: 'probe-changes',
        attempts: 0,
        idempotencyKey: `probe-changes:${eventId}`,
      } satisfies Partial<DeliveryView>);
      expect(['pending', 'delivered']).toContain((res.body as DeliveryView).status);

      const delivered = await whenStatus(t, eventId, 'probe-changes', 'delivered');
      expect(delivered.attempts).toBe(1);
      const attempts = probeChanges.receivedFor(event.aggregateId);
      expect(attempts).toHaveLength(4);
      expect(attempts.at(-1)).toMatchObject({ attempt: 1, idempotencyKey: `probe-changes:${eventId}` });

      const audit = await t.http
        .get(`/api/audit?action=delivery.replayed&targetId=${dead.id}`)
        .set('authorization', admin.bearer)
        .expect(200);
      expect((audit.body as { items: unknown[] }).items).toEqual([
        expect.objectContaining({
          action: 'delivery.replayed',
          actor: expect.objectContaining({ type: 'user', label: admin.user.email }) as unknown,
          target: { type: 'delivery', id: dead.id, label: `probe-changes:${eventId}` },
          before: { status: 'dead', attempts: 3 },
          after: { status: 'pending', attempts: 0 },
        }),
      ]);
    });

    it('refuses to replay a delivered delivery (409) and an unknown one (404)', async () => {
      const conflict = await t.http
        .post(`/api/deliveries/${dead.id}/replay`)
        .set('authorization', admin.bearer)
        .expect(409);
      expect(conflict.body).toMatchObject({ code: 'DELIVERY_NOT_REPLAYABLE', deliveryStatus: 'delivered' });
      const missing = await t.http
        .post(`/api/deliveries/${randomUUID()}/replay`)
        .set('authorization', admin.bearer)
        .expect(404);
      expect(missing.body).toMatchObject({ code: 'DELIVERY_NOT_FOUND' });
    });
  });

  describe('a permanent failure (PermanentDeliveryError)', () => {
    it('makes the delivery dead at its first attempt, with its message, and replay still works', async () => {
      const event = anEvent();
      probeChanges.refusePermanently(event.aggregateId, 'ServiceNow refused: 403 Data policy forbids it');
      const eventId = await publish(t, event);
      const dead = await whenStatus(t, eventId, 'probe-changes', 'dead');
      expect(dead).toMatchObject({
        attempts: 1,
        max_attempts: 3,
        last_error: 'ServiceNow refused: 403 Data policy forbids it',
        next_attempt_at: null,
      });
      // not retried: graphile-worker keeps the job out of attempts
      const job = await eventually(async () => {
        const [found] = await jobsWithKey(t, `probe-changes:${eventId}`);
        return found?.last_error ? found : undefined;
      });
      expect(job).toEqual({ attempts: 1, last_error: 'ServiceNow refused: 403 Data policy forbids it' });
      await new Promise((r) => setTimeout(r, 400));
      expect(probeChanges.receivedFor(event.aggregateId)).toHaveLength(1);

      probeChanges.recover(event.aggregateId);
      await t.http.post(`/api/deliveries/${dead.id}/replay`).set('authorization', admin.bearer).expect(200);
      expect(await whenStatus(t, eventId, 'probe-changes', 'delivered')).toMatchObject({ attempts: 1 });
    });
  });

  describe('GET /api/deliveries and /api/deliveries/summary', () => {
    it('filters by incident, status and consumer and pages newest first with a cursor', async () => {
      const incidentId = randomUUID();
      const eventIds: string[] = [];
      for (let version = 1; version <= 3; version++) {
        eventIds.push(await publish(t, anEvent({ aggregateId: incidentId, aggregateVersion: version })));
      }
      for (const id of eventIds) await whenStatus(t, id, 'probe-all', 'delivered');

      const get = (query: string) =>
        t.http.get(`/api/deliveries?${query}`).set('authorization', admin.bearer).expect(200);
      const all = (await get(`incidentId=${incidentId}&consumer=probe-all`)).body as DeliveryPageView;
      expect(all.items.map((d) => d.eventId)).toEqual([...eventIds].reverse());
      expect(all.nextCursor).toBeNull();

      const pages: string[] = [];
      let cursor: string | null = null;
      do {
        const page = (await get(`aggregateId=${incidentId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`))
          .body as DeliveryPageView;
        pages.push(...page.items.map((d) => d.id));
        cursor = page.nextCursor;
      } while (cursor);
      // probe-all and probe-changes for each of the three events, none twice
      expect(pages).toHaveLength(6);
      expect(new Set(pages).size).toBe(6);

      const delivered = (await get(`incidentId=${incidentId}&status=delivered&consumer=probe-all`))
        .body as DeliveryPageView;
      expect(delivered.items.every((d) => d.status === 'delivered' && d.consumer === 'probe-all')).toBe(true);

      const bad = await t.http
        .get('/api/deliveries?cursor=not-a-cursor')
        .set('authorization', admin.bearer)
        .expect(400);
      expect(bad.body).toMatchObject({ code: 'DELIVERY_CURSOR_INVALID' });
    });

    it('counts deliveries by consumer and status', async () => {
      const res = await t.http.get('/api/deliveries/summary').set('authorization', admin.bearer).expect(200);
      const summary = res.body as DeliverySummaryView;
      expect(summary.byConsumer.map((c) => c.consumer)).toEqual(['probe-all', 'probe-changes']);
      expect(summary.byConsumer.find((c) => c.consumer === 'probe-all')).toMatchObject({
        delivered: expect.any(Number) as unknown,
        pending: expect.any(Number) as unknown,
      });
    });
  });
});

describe('deliveries across a restart', () => {
  it('delivers, after a restart, what was published while no worker ran', async () => {
    const first = await startTestApp({
      imports: [DeliveryProbeModule],
      env: { ...WORKER_ENV, DELIVERY_WORKER_ENABLED: 'false' },
      keepDatabase: true,
    });
    const event = anEvent();
    let eventId: string;
    try {
      eventId = await publish(first, event);
      await new Promise((r) => setTimeout(r, 300));
      expect(await ledger(first, eventId, 'probe-all')).toMatchObject({ status: 'pending', attempts: 0 });
    } finally {
      await first.close();
    }
    expect(probeAll.receivedFor(event.aggregateId)).toEqual([]);

    const second = await startTestApp({
      imports: [DeliveryProbeModule],
      env: WORKER_ENV,
      database: first.database,
    });
    try {
      await whenStatus(second, eventId, 'probe-all', 'delivered');
      await whenStatus(second, eventId, 'probe-changes', 'delivered');
      expect(probeAll.receivedFor(event.aggregateId)).toHaveLength(1);
    } finally {
      await second.close();
      await first.database.drop();
    }
  });

  it('keeps, failing with a clear error, the job of a consumer this process does not have', async () => {
    const first = await startTestApp({
      imports: [DeliveryProbeModule],
      env: { ...WORKER_ENV, DELIVERY_WORKER_ENABLED: 'false' },
      keepDatabase: true,
    });
    let eventId: string;
    try {
      eventId = await publish(first, anEvent());
    } finally {
      await first.close();
    }
    // no DeliveryProbeModule: probe-all is not registered here
    const second = await startTestApp({ env: WORKER_ENV, database: first.database });
    try {
      const failed = await whenStatus(second, eventId, 'probe-all', 'failed');
      expect(failed).toMatchObject({
        attempts: 1,
        last_error: 'No delivery consumer named "probe-all" is registered in this process',
      });
      const job = await eventually(async () => {
        const [found] = await jobsWithKey(second, `probe-all:${eventId}`);
        return found?.last_error ? found : undefined;
      });
      expect(job).toEqual({
        attempts: 1,
        last_error: 'No delivery consumer named "probe-all" is registered in this process',
      });
    } finally {
      await second.close();
      await first.database.drop();
    }
  });

  it('lets a delivery in flight finish when the app closes, then removes its heartbeat', async () => {
    const t = await startTestApp({ imports: [DeliveryProbeModule], env: WORKER_ENV, keepDatabase: true });
    const event = anEvent();
    const held = probeAll.hold(event.aggregateId);
    let eventId: string;
    try {
      eventId = await publish(t, event);
      await held.entered;
      expect(await t.dataSource.query('SELECT pid FROM delivery_worker_pools')).toEqual([
        { pid: process.pid },
      ]);
      let closed = false;
      const closing = t.close().then(() => (closed = true));
      await new Promise((r) => setTimeout(r, 100));
      expect(closed).toBe(false); // waiting for the delivery in flight
      held.release();
      await closing;
    } finally {
      held.release();
    }
    const reopened = await startTestApp({
      env: { DELIVERY_WORKER_ENABLED: 'false' },
      database: t.database,
    });
    try {
      expect(await ledger(reopened, eventId, 'probe-all')).toMatchObject({
        status: 'delivered',
        attempts: 1,
      });
      expect(await jobsWithKey(reopened, `probe-all:${eventId}`)).toEqual([]);
      // a clean shutdown leaves no heartbeat behind for a sweep to take for a crash
      expect(await reopened.dataSource.query('SELECT pool_id FROM delivery_worker_pools')).toEqual([]);
    } finally {
      await reopened.close();
      await t.database.drop();
    }
  });
});
