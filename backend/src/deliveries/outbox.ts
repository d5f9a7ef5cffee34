import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeliveryConsumers } from './delivery-consumers';
import { DEFAULT_MAX_ATTEMPTS, ENQUEUE_DELIVERIES_SQL } from './delivery-queue';
import type { EventCatalogue, EventPayloads, PublishedEvent } from './event-catalogue';

const INSERT_EVENT_SQL = `
  INSERT INTO outbox_events
    (type, schema_version, aggregate_type, aggregate_id, aggregate_version, payload, older_payloads,
     actor_type, actor_id, actor_label)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
  RETURNING id`;

/** One ledger row per subscribed consumer; the idempotency key doubles as the job key. */
const INSERT_DELIVERIES_SQL = `
  INSERT INTO deliveries (event_id, consumer, max_attempts, idempotency_key, next_attempt_at)
  SELECT $1::uuid, c.consumer, c.max_attempts, c.consumer || ':' || $1::text, now()
    FROM unnest($2::text[], $3::int[]) AS c(consumer, max_attempts)
  RETURNING id`;

/**
 * The transactional outbox. `publish` only writes: the event, a deliveries row per subscribed
 * consumer and a graphile-worker job for each, all on the caller's transaction. Consumers are
 * never called here, so a failing consumer can neither fail nor slow the write that published.
 */
@Injectable()
export class Outbox {
  constructor(private readonly consumers: DeliveryConsumers) {}

  /**
   * Call inside the caller's transaction (its EntityManager): stores the event in outbox_events
   * (its newest schema version in `payload`, any older one it is also published in beside it)
   * and, for each registered consumer subscribed to its type, inserts a deliveries row and
   * enqueues a graphile-worker job (job_key `<consumer>:<eventId>`), all in that transaction.
   * The catalogue types the event. Returns the event id.
   */
  async publish<C extends EventPayloads>(
    manager: EntityManager,
    catalogue: EventCatalogue<C>,
    event: PublishedEvent<C>,
  ): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive) {
      // Outside a transaction the event could commit without the change (or the reverse).
      throw new Error('Outbox.publish needs the EntityManager of an open transaction');
    }
    const stored = catalogue.stored(event);
    const [row] = await manager.query<{ id: string }[]>(INSERT_EVENT_SQL, [
      event.type,
      stored.schemaVersion,
      event.aggregateType,
      event.aggregateId,
      event.aggregateVersion,
      stored.payload,
      stored.olderPayloads,
      event.actor.type,
      event.actor.id,
      event.actor.label,
    ]);
    if (!row) throw new Error('outbox_events insert returned no id');
    const subscribers = this.consumers.subscribedTo(event.type);
    if (subscribers.length > 0) {
      const deliveries = await manager.query<{ id: string }[]>(INSERT_DELIVERIES_SQL, [
        row.id,
        subscribers.map((c) => c.name),
        subscribers.map((c) => c.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
      ]);
      await manager.query(ENQUEUE_DELIVERIES_SQL, [deliveries.map((d) => d.id)]);
    }
    return row.id;
  }
}
