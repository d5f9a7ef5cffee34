import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbound side (docs/events.md, "Inbound events"): event sources for webhook producers, the
 * inbox every inbound request is stored in before it is acknowledged, what processing each one
 * did to which incident, and the dedup key → incident map that groups alerts. Incidents count
 * the alerts grouped into them.
 */
export class InboundEvents1764600000000 implements MigrationInterface {
  name = 'InboundEvents1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE event_sources (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        enabled boolean NOT NULL DEFAULT true,
        -- The integration key's first 8 characters find the row; the SHA-256 of the whole key proves it.
        key_prefix text NOT NULL CHECK (key_prefix ~ '^[a-z0-9]{8}$'),
        key_hash bytea NOT NULL,
        -- SecretBox token (AES-256-GCM): HMAC needs the secret itself, so it is encrypted, not hashed.
        signing_secret text,
        default_assignment_group text,
        default_category text,
        severity_mapping jsonb NOT NULL,
        resolve_close_code text NOT NULL,
        rate_limit_per_minute integer NOT NULL CHECK (rate_limit_per_minute BETWEEN 1 AND 1000000),
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        key_rotated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT event_sources_key_prefix_key UNIQUE (key_prefix)
      )`);
    await q.query(`CREATE UNIQUE INDEX event_sources_name_key ON event_sources (lower(name))`);

    await q.query(`
      CREATE TABLE inbound_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- Arrival order: processing follows it per order_key, and lists page by it.
        seq bigint GENERATED ALWAYS AS IDENTITY,
        channel text NOT NULL CHECK (channel ~ '^[a-z][a-z0-9_-]{0,31}$'),
        -- Whose idempotency keys these are: 'source:<id>', 'api_key:<id>', 'servicenow', …
        scope text NOT NULL,
        source_id uuid REFERENCES event_sources (id) ON DELETE SET NULL,
        source_label text NOT NULL,
        -- NULL on duplicate rows only: the first receipt owns the key.
        idempotency_key text,
        order_key text NOT NULL,
        dedup_key text,
        action text,
        summary text,
        content_type text NOT NULL,
        raw_body bytea NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        status text NOT NULL DEFAULT 'accepted' CHECK (status IN ('accepted', 'processed', 'failed', 'duplicate')),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL CHECK (max_attempts >= 1),
        last_error text,
        next_attempt_at timestamptz,
        processed_at timestamptz,
        duplicate_of uuid REFERENCES inbound_events (id) ON DELETE CASCADE,
        CONSTRAINT inbound_events_duplicate_shape
          CHECK ((status = 'duplicate') = (duplicate_of IS NOT NULL AND idempotency_key IS NULL))
      )`);
    // The duplicate check: one first receipt per key and scope. Kept as long as the rows are (INBOX_RETENTION_DAYS ≥ 30).
    await q.query(`
      CREATE UNIQUE INDEX inbound_events_idempotency ON inbound_events (scope, idempotency_key)
        WHERE idempotency_key IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX inbound_events_seq ON inbound_events (seq)`);
    // What processing looks for: the unprocessed events of one order key, oldest first.
    await q.query(
      `CREATE INDEX inbound_events_unprocessed ON inbound_events (order_key, seq) WHERE status = 'accepted'`,
    );
    await q.query(`CREATE INDEX inbound_events_source ON inbound_events (source_id, seq)`);
    await q.query(`CREATE INDEX inbound_events_failed ON inbound_events (seq) WHERE status = 'failed'`);
    await q.query(`CREATE INDEX inbound_events_received ON inbound_events (received_at)`);

    await q.query(`
      CREATE TABLE inbound_event_effects (
        event_id uuid NOT NULL REFERENCES inbound_events (id) ON DELETE CASCADE,
        position integer NOT NULL,
        incident_id uuid REFERENCES incidents (id) ON DELETE SET NULL,
        incident_number text,
        outcome text NOT NULL,
        dedup_key text,
        PRIMARY KEY (event_id, position)
      )`);
    await q.query(
      `CREATE INDEX inbound_event_effects_incident ON inbound_event_effects (incident_id) WHERE incident_id IS NOT NULL`,
    );

    // The incident each dedup key groups into now; a trigger after it is resolved opens the next one.
    await q.query(`
      CREATE TABLE alert_groups (
        scope text NOT NULL,
        dedup_key text NOT NULL,
        incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        incident_number text NOT NULL,
        -- Which firing of the alert it is (Alertmanager's startsAt): a repeated notification of the
        -- same firing adds nothing to the incident.
        occurrence text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, dedup_key)
      )`);
    await q.query(`CREATE INDEX alert_groups_incident ON alert_groups (incident_id)`);

    await q.query(`
      ALTER TABLE incidents
        ADD COLUMN alert_count integer NOT NULL DEFAULT 0 CHECK (alert_count >= 0),
        ADD COLUMN last_alert_at timestamptz`);
    await q.query(`ALTER TABLE incident_timeline DROP CONSTRAINT incident_timeline_kind_check`);
    await q.query(`
      ALTER TABLE incident_timeline ADD CONSTRAINT incident_timeline_kind_check
        CHECK (kind IN ('created', 'state_changed', 'assigned', 'updated', 'comment', 'work_note', 'sync', 'alert'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM incident_timeline WHERE kind = 'alert'`);
    await q.query(`ALTER TABLE incident_timeline DROP CONSTRAINT incident_timeline_kind_check`);
    await q.query(`
      ALTER TABLE incident_timeline ADD CONSTRAINT incident_timeline_kind_check
        CHECK (kind IN ('created', 'state_changed', 'assigned', 'updated', 'comment', 'work_note', 'sync'))`);
    await q.query('ALTER TABLE incidents DROP COLUMN last_alert_at, DROP COLUMN alert_count');
    await q.query('DROP TABLE alert_groups');
    await q.query('DROP TABLE inbound_event_effects');
    await q.query('DROP TABLE inbound_events');
    await q.query('DROP TABLE event_sources');
  }
}
