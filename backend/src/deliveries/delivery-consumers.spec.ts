import {
  consumerOf,
  DeliveryConsumers,
  versionFor,
  type DeliveryConsumer,
  type Subscription,
} from './delivery-consumers';
import { ORDER_EVENTS as ORDERS, type OrderEvents as Orders } from './test/order-events';

const consumer = (
  name: string,
  events: DeliveryConsumer['events'],
  maxAttempts?: number,
): DeliveryConsumer => ({
  name,
  events,
  ...(maxAttempts === undefined ? {} : { maxAttempts }),
  handle: () => Promise.resolve(),
});

describe('DeliveryConsumers', () => {
  it('gives each event type the consumers subscribed to it, in registration order', () => {
    const consumers = new DeliveryConsumers();
    consumers.register(consumer('live-feed', '*'));
    consumers.register(consumer('slack', { 'incident.created': [1], 'incident.state_changed': [1] }));
    consumers.register(consumer('servicenow', { 'incident.updated': [1, 2] }));
    expect(consumers.subscribedTo('incident.created').map((c) => c.name)).toEqual(['live-feed', 'slack']);
    expect(consumers.subscribedTo('incident.updated').map((c) => c.name)).toEqual([
      'live-feed',
      'servicenow',
    ]);
    expect(consumers.subscribedTo('constructor').map((c) => c.name)).toEqual(['live-feed']);
    expect(consumers.get('slack')?.name).toBe('slack');
    expect(consumers.get('teams')).toBeUndefined();
  });

  it.each([
    [
      'a second consumer with the same name',
      [consumer('slack', '*'), consumer('slack', '*')],
      'already registered',
    ],
    ['a name that cannot be part of a job key', [consumer('Slack Bot', '*')], 'lower-case'],
    ['maxAttempts below 1', [consumer('slack', '*', 0)], 'maxAttempts'],
    ['a fractional maxAttempts', [consumer('slack', '*', 2.5)], 'maxAttempts'],
    ['a type in no version', [consumer('slack', { 'incident.created': [] })], 'schema versions'],
    ['version 0', [consumer('slack', { 'incident.created': [0] })], 'schema versions'],
  ])('refuses %s', (_what, list, message) => {
    const consumers = new DeliveryConsumers();
    expect(() => list.forEach((c) => consumers.register(c))).toThrow(message);
  });
});

describe('versionFor: the version of a stored event a consumer gets', () => {
  const v1Only = consumer('old-release', { 'order.placed': [1] });
  const both = consumer('rolling', { 'order.placed': [1, 2] });
  const v2Only = consumer('new-release', { 'order.placed': [2] });

  it('is the newest stored version the consumer handles', () => {
    expect(versionFor(v1Only, 'order.placed', [2, 1])).toBe(1);
    expect(versionFor(both, 'order.placed', [2, 1])).toBe(2);
    expect(versionFor(both, 'order.placed', [1])).toBe(1);
    expect(versionFor(v2Only, 'order.placed', [2, 1])).toBe(2);
  });

  it('is none when the consumer knows none of the stored versions, or not the type', () => {
    expect(versionFor(v2Only, 'order.placed', [1])).toBeUndefined();
    expect(versionFor(v1Only, 'order.placed', [3])).toBeUndefined();
    expect(versionFor(v1Only, 'order.canceled', [1])).toBeUndefined();
  });

  it('is the newest stored version for a consumer of every type', () => {
    expect(versionFor(consumer('live-feed', '*'), 'order.placed', [2, 1])).toBe(2);
  });
});

describe('consumerOf', () => {
  it('keeps the subscription and hands events to the typed handler', async () => {
    const seen: number[] = [];
    const typed = consumerOf(ORDERS, {
      name: 'billing',
      events: { 'order.placed': [2] },
      handle: (event) => {
        seen.push(event.payload.totalCents);
        return Promise.resolve();
      },
    });
    expect(typed.events).toEqual({ 'order.placed': [2] });
    await typed.handle(
      {
        id: 'e1',
        type: 'order.placed',
        schemaVersion: 2,
        aggregateType: 'order',
        aggregateId: 'o1',
        aggregateVersion: 1,
        payload: { totalCents: 1250 },
        actor: { type: 'system', id: null, label: null },
        occurredAt: new Date(0).toISOString(),
      },
      { idempotencyKey: 'billing:e1', attempt: 1 },
    );
    expect(seen).toEqual([1250]);
  });

  it('refuses, at registration, a type or version its catalogue does not publish', () => {
    const handle = (): Promise<void> => Promise.resolve();
    // The compiler refuses both; a cast stands for a consumer built against another catalogue.
    const unknownType = { 'order.refunded': [1] } as unknown as Subscription<Orders>;
    const unknownVersion = { 'order.canceled': [2] } as unknown as Subscription<Orders>;
    expect(() => consumerOf(ORDERS, { name: 'billing', events: unknownType, handle })).toThrow(
      'order.refunded v1, which its catalogue does not publish',
    );
    expect(() => consumerOf(ORDERS, { name: 'billing', events: unknownVersion, handle })).toThrow(
      'order.canceled v2',
    );
  });
});
