import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox and the delivery ledger (backend/src/deliveries/). An event row is
 * written in the same transaction as the change it describes; one deliveries row per consumer
 * tracks getting it there. The queue itself is graphile-worker's own schema (graphile_worker),
 * installed by graphile-worker's migrations, not here.
 */
export class OutboxAndDeliveries1764300000001 implements MigrationInterface {
  name = 'OutboxAndDeliveries1764300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type text NOT NULL,
        aggregate_type text NOT NULL,
        aggregate_id uuid NOT NULL,
        aggregate_version integer NOT NULL,
        payload jsonb NOT NULL,
        actor_type text NOT NULL,
        -- text, not uuid: actors from Slack or ServiceNow carry their own ids
        actor_id text,
        actor_label text,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(
      `CREATE INDEX outbox_events_aggregate ON outbox_events (aggregate_type, aggregate_id, occurred_at)`,
    );
    await q.query(`
      CREATE TABLE deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL REFERENCES outbox_events (id) ON DELETE CASCADE,
        consumer text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'dead')),
        attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        max_attempts integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 32767),
        last_error text,
        next_attempt_at timestamptz,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        idempotency_key text NOT NULL,
        CONSTRAINT deliveries_idempotency_key UNIQUE (idempotency_key)
      )`);
    // The admin list pages newest first on (created_at, id) under each filter.
    await q.query(`CREATE INDEX deliveries_created ON deliveries (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX deliveries_status ON deliveries (status, created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX deliveries_consumer ON deliveries (consumer, status, created_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX deliveries_event ON deliveries (event_id)`);
    // "Deliveries behind" per incident reads only the unfinished rows, which stay few.
    await q.query(`CREATE INDEX deliveries_unfinished ON deliveries (event_id) WHERE status <> 'delivered'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE deliveries');
    await q.query('DROP TABLE outbox_events');
  }
}
