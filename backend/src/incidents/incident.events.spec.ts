import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityManager } from 'typeorm';
import { consumerOf, type DeliveryConsumer } from '../deliveries/delivery-consumers';
import type { DeliveredEvent } from '../deliveries/domain-event';
import type { Outbox } from '../deliveries/outbox';
import type { IncidentView } from './dto/incident.view';
import { INCIDENT_EVENTS } from './incident.events';

/*
 * What the compiler checks for a consumer and a publisher of incident events. `npm run typecheck`
 * (tsc, which includes specs) fails if any `@ts-expect-error` below stops being an error, that is,
 * if a consumer could read a field its events do not have, or publish a payload of another type.
 */

const incident = { id: 'b3c1', number: 'INC0001234', title: 'Checkout API returns 502' } as IncidentView;
const subject = {
  aggregateType: 'incident',
  aggregateId: 'b3c1',
  aggregateVersion: 2,
  actor: { type: 'system', id: null, label: 'system' },
} as const;

function delivered(type: string, payload: object): DeliveredEvent {
  return { ...subject, id: 'e1', type, schemaVersion: 1, payload, occurredAt: new Date(0).toISOString() };
}

/** A Slack-like consumer of two incident events; `read` gets what its handler could read. */
function notifier(read: string[]): DeliveryConsumer {
  return consumerOf(INCIDENT_EVENTS, {
    name: 'notifier',
    events: { 'incident.created': [1], 'incident.commented': [1] },
    handle: (event) => {
      // @ts-expect-error a comment has no incident: the union must be narrowed by type first
      void event.payload.incident;
      // @ts-expect-error not subscribed to assignments, so no event can be one
      if (event.type === 'incident.assigned') read.push('assigned');
      // @ts-expect-error version 2 of incident.created does not exist
      if (event.type === 'incident.created' && event.schemaVersion === 2) read.push('v2');
      if (event.type === 'incident.created') {
        read.push(event.payload.incident.number);
        // @ts-expect-error incident.created carries no changes
        void event.payload.changes;
      } else {
        const kind: 'comment' = event.payload.kind;
        read.push(`${kind}: ${event.payload.body}`);
      }
      return Promise.resolve();
    },
  });
}

describe('incident events, as the compiler sees them', () => {
  it('hands a consumer only the payload of the type it narrowed to', async () => {
    const read: string[] = [];
    const consumer = notifier(read);
    const context = { idempotencyKey: 'notifier:e1', attempt: 1 };
    await consumer.handle(delivered('incident.created', { incident }), context);
    await consumer.handle(
      delivered('incident.commented', { number: 'INC0001234', kind: 'comment', body: 'On it', entryId: '7' }),
      context,
    );
    expect(read).toEqual(['INC0001234', 'comment: On it']);
    expect(consumer.events).toEqual({ 'incident.created': [1], 'incident.commented': [1] });
  });

  it('refuses subscriptions to types and versions the catalogue lacks', () => {
    const handle = (): Promise<void> => Promise.resolve();
    const deleted = (): DeliveryConsumer =>
      // @ts-expect-error no such event type
      consumerOf(INCIDENT_EVENTS, { name: 'x', events: { 'incident.deleted': [1] }, handle });
    const updatedV2 = (): DeliveryConsumer =>
      // @ts-expect-error incident.updated has no version 2 (yet)
      consumerOf(INCIDENT_EVENTS, { name: 'x', events: { 'incident.updated': [2] }, handle });
    expect(deleted).toThrow('incident.deleted v1');
    expect(updatedV2).toThrow('incident.updated v2');
  });

  it('lists every incident event, each in version 1', () => {
    expect(INCIDENT_EVENTS.types).toEqual([
      'incident.created',
      'incident.updated',
      'incident.state_changed',
      'incident.assigned',
      'incident.alert_grouped',
      'incident.commented',
      'incident.work_noted',
      'incident.sla_warning',
    ]);
    expect(INCIDENT_EVENTS.types.map((type) => INCIDENT_EVENTS.versionsOf(type))).toEqual(
      INCIDENT_EVENTS.types.map(() => [1]),
    );
  });

  it('documents every type and version in docs/events.md', () => {
    const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'events.md'), 'utf8');
    const rows = INCIDENT_EVENTS.types.flatMap((type) =>
      (INCIDENT_EVENTS.versionsOf(type) ?? []).map((version) => `${type} v${version}`),
    );
    const documented = [...doc.matchAll(/^\| `([a-z_.]+)` +\| (\d+) +\|/gm)].map(([, t, v]) => `${t} v${v}`);
    expect(documented).toEqual(rows);
  });
});

/** Never called: the publishing side's checks, for the compiler only. */
export function publishingChecks(outbox: Outbox, m: EntityManager): void {
  const changes = { state: { from: 'new', to: 'in_progress' } } as const;
  void outbox.publish(m, INCIDENT_EVENTS, {
    ...subject,
    type: 'incident.state_changed',
    payloads: { 1: { incident, changes } },
  });
  void outbox.publish(m, INCIDENT_EVENTS, {
    ...subject,
    type: 'incident.commented',
    // @ts-expect-error a comment's payload is no incident view
    payloads: { 1: { incident, changes } },
  });
  const kind = Math.random() < 0.5 ? 'incident.commented' : 'incident.work_noted';
  // @ts-expect-error a type chosen at run time must still match its payload (a work note is not a comment)
  void outbox.publish(m, INCIDENT_EVENTS, {
    ...subject,
    type: kind,
    payloads: { 1: { number: 'INC0001234', kind: 'comment', body: 'x', entryId: '7' } },
  });
  void outbox.publish(m, INCIDENT_EVENTS, {
    ...subject,
    type: 'incident.created',
    // @ts-expect-error incident.created is published in version 1 only
    payloads: { 1: { incident }, 2: { incident } },
  });
}
