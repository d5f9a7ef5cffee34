import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { DeliveryStatus } from '../delivery.entity';
import type { DeliveredEvent, EventSubject } from '../domain-event';
import type { PublishedEvent } from '../event-catalogue';
import { Outbox } from '../outbox';
import { PROBE_EVENTS, type ProbeEventPayloads, type ProbeEventType } from './delivery-probe.module';
import { eventually } from '../../../test/support/wait-for';

export type ProbeEvent = PublishedEvent<ProbeEventPayloads>;

/** A probe event about a fresh incident id (probe-all and probe-changes both take it). */
export function anEvent(
  overrides: Partial<EventSubject> & { readonly type?: ProbeEventType } = {},
): ProbeEvent {
  return {
    type: 'probe.changed',
    aggregateType: 'incident',
    aggregateId: randomUUID(),
    aggregateVersion: 1,
    payloads: { 1: { title: 'Checkout API returns 502', state: 'new' } },
    actor: { type: 'user', id: randomUUID(), label: 'alice@example.com' },
    ...overrides,
  };
}

/** How a consumer receives `event` (a probe event has one version), without its id and time. */
export function asDelivered(event: ProbeEvent): Omit<DeliveredEvent, 'id' | 'occurredAt'> {
  const { payloads, ...subject } = event;
  return { ...subject, schemaVersion: 1, payload: payloads[1] };
}

export interface WithDatabase {
  readonly dataSource: DataSource;
}

/** A running app (a TestApp, or a worker process's own). */
export interface AppWithDatabase extends WithDatabase {
  readonly app: { get(type: typeof Outbox): Outbox };
}

/** Publishes in a transaction of its own, as a feature module does with its change; the event id. */
export function publish(t: AppWithDatabase, event: ProbeEvent): Promise<string> {
  return t.dataSource.transaction((m) => t.app.get(Outbox).publish(m, PROBE_EVENTS, event));
}

export { eventually };

export interface LedgerRow {
  id: string;
  consumer: string;
  status: DeliveryStatus;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  idempotency_key: string;
}

export async function ledger(
  t: WithDatabase,
  eventId: string,
  consumer: string,
): Promise<LedgerRow | undefined> {
  const rows = await t.dataSource.query<LedgerRow[]>(
    'SELECT * FROM deliveries WHERE event_id = $1 AND consumer = $2',
    [eventId, consumer],
  );
  return rows[0];
}

export function whenStatus(
  t: WithDatabase,
  eventId: string,
  consumer: string,
  status: DeliveryStatus,
): Promise<LedgerRow> {
  return eventually(async () => {
    const row = await ledger(t, eventId, consumer);
    return row?.status === status ? row : undefined;
  });
}

export async function jobsWithKey(
  t: WithDatabase,
  key: string,
): Promise<{ attempts: number; last_error: string | null }[]> {
  return t.dataSource.query('SELECT attempts, last_error FROM graphile_worker.jobs WHERE key = $1', [key]);
}
