import { DeliveryConsumers, type DeliveryConsumer } from './delivery-consumers';

const consumer = (
  name: string,
  eventTypes: DeliveryConsumer['eventTypes'],
  maxAttempts?: number,
): DeliveryConsumer => ({
  name,
  eventTypes,
  ...(maxAttempts === undefined ? {} : { maxAttempts }),
  handle: () => Promise.resolve(),
});

describe('DeliveryConsumers', () => {
  it('gives each event type the consumers subscribed to it, in registration order', () => {
    const consumers = new DeliveryConsumers();
    consumers.register(consumer('live-feed', '*'));
    consumers.register(consumer('slack', ['incident.created', 'incident.state_changed']));
    consumers.register(consumer('servicenow', ['incident.updated']));
    expect(consumers.subscribedTo('incident.created').map((c) => c.name)).toEqual(['live-feed', 'slack']);
    expect(consumers.subscribedTo('incident.updated').map((c) => c.name)).toEqual([
      'live-feed',
      'servicenow',
    ]);
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
  ])('refuses %s', (_what, list, message) => {
    const consumers = new DeliveryConsumers();
    expect(() => list.forEach((c) => consumers.register(c))).toThrow(message);
  });
});
