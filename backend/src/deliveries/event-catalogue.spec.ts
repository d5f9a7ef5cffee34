import { EventCatalogue } from './event-catalogue';
import { ORDER_EVENTS as ORDERS } from './test/order-events';

describe('EventCatalogue', () => {
  it('lists its types and, for each, the versions it is published in, newest first', () => {
    expect(ORDERS.types).toEqual(['order.placed', 'order.canceled']);
    expect(ORDERS.versionsOf('order.placed')).toEqual([2, 1]);
    expect(ORDERS.versionsOf('order.refunded')).toBeUndefined();
  });

  it('stores the newest version as the payload and the older ones beside it', () => {
    expect(
      ORDERS.stored({ type: 'order.placed', payloads: { 1: { total: 12.5 }, 2: { totalCents: 1250 } } }),
    ).toEqual({ schemaVersion: 2, payload: { totalCents: 1250 }, olderPayloads: { 1: { total: 12.5 } } });
    expect(ORDERS.stored({ type: 'order.canceled', payloads: { 1: { reason: 'duplicate' } } })).toEqual({
      schemaVersion: 1,
      payload: { reason: 'duplicate' },
      olderPayloads: null,
    });
  });

  it.each([
    ['a type it does not list', { type: 'order.refunded', payloads: { 1: {} } }, 'not in this catalogue'],
    [
      'a version missing',
      { type: 'order.placed', payloads: { 2: { totalCents: 1 } } },
      'published in versions 2, 1; got 2',
    ],
    [
      'a version it does not publish',
      { type: 'order.canceled', payloads: { 1: { reason: 'x' }, 2: { reason: 'x' } } },
      'published in versions 1; got 1, 2',
    ],
  ])('refuses to store %s', (_what, event, message) => {
    expect(() => ORDERS.stored(event)).toThrow(message);
  });

  it('refuses a type with no version', () => {
    expect(() => new EventCatalogue<{ 'order.placed': { 1: object } }>({ 'order.placed': [] })).toThrow(
      'one or more schema versions',
    );
  });
});
