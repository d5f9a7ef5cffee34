import { Module, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../../../test/test-app';
import {
  consumerOf,
  DeliveryConsumers,
  type DeliveryConsumer,
  type Subscription,
} from '../delivery-consumers';
import { DeliveriesModule } from '../deliveries.module';
import type { DeliveredEvent } from '../domain-event';
import { EventCatalogue, type EventPayloads, type PublishedEvent } from '../event-catalogue';
import { Outbox } from '../outbox';
import { eventually, jobsWithKey, whenStatus } from './delivery-fixtures';

/*
 * A breaking change rolling out (docs/events.md, "Versions"): `probe.versioned` v1 named the field
 * `title`; v2 renames it `headline`. The release before the change publishes v1 only; the release
 * with it publishes v2 with v1 alongside. Consumers of either release run side by side.
 */
interface VersionedV1 {
  readonly title: string;
}
interface VersionedV2 {
  readonly headline: string;
}
type Before = { 'probe.versioned': { 1: VersionedV1 } };
type After = { 'probe.versioned': { 1: VersionedV1; 2: VersionedV2 } };
const BEFORE = new EventCatalogue<Before>({ 'probe.versioned': [1] });
const AFTER = new EventCatalogue<After>({ 'probe.versioned': [2, 1] });

/** A typed consumer that keeps what it received. */
function recorder(
  name: string,
  events: Subscription<After>,
): { consumer: DeliveryConsumer; received: DeliveredEvent[] } {
  const received: DeliveredEvent[] = [];
  const consumer = consumerOf(AFTER, {
    name,
    events,
    handle: (event) => {
      received.push(event);
      return Promise.resolve();
    },
  });
  return { consumer, received };
}

/** A consumer of the release before: it knows v1 only. */
const oldRelease = recorder('probe-v1', { 'probe.versioned': [1] });
/** A consumer during the roll-out: it reads both. */
const rolling = recorder('probe-v1-v2', { 'probe.versioned': [1, 2] });
/** A consumer that already dropped v1. */
const newRelease = recorder('probe-v2', { 'probe.versioned': [2] });

@Module({ imports: [DeliveriesModule] })
class VersionedProbeModule implements OnModuleInit {
  constructor(private readonly consumers: DeliveryConsumers) {}

  onModuleInit(): void {
    for (const { consumer } of [oldRelease, rolling, newRelease]) this.consumers.register(consumer);
  }
}

describe('schema versions: old and new consumers during a rolling deploy', () => {
  let t: TestApp;
  beforeAll(
    async () =>
      (t = await startTestApp({
        imports: [VersionedProbeModule],
        env: { DELIVERY_WORKER_POLL_INTERVAL_MS: '100' },
      })),
  );
  afterAll(() => t.close());

  function publish<C extends EventPayloads>(
    catalogue: EventCatalogue<C>,
    event: PublishedEvent<C>,
  ): Promise<string> {
    return t.dataSource.transaction((m) => t.app.get(Outbox).publish(m, catalogue, event));
  }

  const subject = () => ({
    aggregateType: 'probe',
    aggregateId: randomUUID(),
    aggregateVersion: 1,
    actor: { type: 'system', id: null, label: 'probe' },
  });

  const receivedBy = (r: { received: DeliveredEvent[] }, eventId: string) =>
    r.received.filter((e) => e.id === eventId).map((e) => [e.schemaVersion, e.payload]);

  it('stores an event published in two versions once, its newest version first', async () => {
    const eventId = await publish(AFTER, {
      ...subject(),
      type: 'probe.versioned',
      payloads: { 2: { headline: 'Disk full' }, 1: { title: 'Disk full' } },
    });
    const [row] = await t.dataSource.query<
      { schema_version: number; payload: object; older_payloads: object }[]
    >('SELECT schema_version, payload, older_payloads FROM outbox_events WHERE id = $1', [eventId]);
    expect(row).toEqual({
      schema_version: 2,
      payload: { headline: 'Disk full' },
      older_payloads: { 1: { title: 'Disk full' } },
    });
  });

  it('gives each consumer the newest version it handles of an event published in both', async () => {
    const eventId = await publish(AFTER, {
      ...subject(),
      type: 'probe.versioned',
      payloads: { 2: { headline: 'Checkout down' }, 1: { title: 'Checkout down' } },
    });
    for (const name of ['probe-v1', 'probe-v1-v2', 'probe-v2'])
      await whenStatus(t, eventId, name, 'delivered');
    expect(receivedBy(oldRelease, eventId)).toEqual([[1, { title: 'Checkout down' }]]);
    expect(receivedBy(rolling, eventId)).toEqual([[2, { headline: 'Checkout down' }]]);
    expect(receivedBy(newRelease, eventId)).toEqual([[2, { headline: 'Checkout down' }]]);
  });

  it('fails, and keeps for a retry, the delivery of a version the consumer does not handle', async () => {
    // published by an instance still on the release before the change: v1 only
    const eventId = await publish(BEFORE, {
      ...subject(),
      type: 'probe.versioned',
      payloads: { 1: { title: 'Queue backing up' } },
    });
    await whenStatus(t, eventId, 'probe-v1', 'delivered');
    await whenStatus(t, eventId, 'probe-v1-v2', 'delivered');
    expect(receivedBy(oldRelease, eventId)).toEqual([[1, { title: 'Queue backing up' }]]);
    expect(receivedBy(rolling, eventId)).toEqual([[1, { title: 'Queue backing up' }]]);

    const error =
      'Delivery consumer "probe-v2" in this process handles probe.versioned in v2, not in the stored v1';
    expect(await whenStatus(t, eventId, 'probe-v2', 'failed')).toMatchObject({
      attempts: 1,
      last_error: error,
    });
    // graphile-worker keeps the job and will retry it (an instance that knows v1 may take it)
    const job = await eventually(async () => {
      const [found] = await jobsWithKey(t, `probe-v2:${eventId}`);
      return found?.last_error ? found : undefined;
    });
    expect(job).toEqual({ attempts: 1, last_error: error });
    expect(receivedBy(newRelease, eventId)).toEqual([]);
  });
});
