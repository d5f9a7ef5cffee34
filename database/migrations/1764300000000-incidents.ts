import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incidents and their append-only timeline. Priority is derived from impact × urgency in the
 * database too (a generated column), so no write path can store a priority the matrix disagrees
 * with. Every list filter has an index; full-text search uses a generated tsvector, and partial
 * incident numbers ("1234") use trigrams.
 */
export class Incidents1764300000000 implements MigrationInterface {
  name = 'Incidents1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE incident_number_seq START 1000`);
    await q.query(`
      CREATE TABLE incidents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number text NOT NULL DEFAULT 'INC' || lpad(nextval('incident_number_seq')::text, 7, '0'),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        description text NOT NULL DEFAULT '',
        state text NOT NULL DEFAULT 'new'
          CHECK (state IN ('new', 'in_progress', 'on_hold', 'resolved', 'closed', 'canceled')),
        impact smallint NOT NULL CHECK (impact BETWEEN 1 AND 3),
        urgency smallint NOT NULL CHECK (urgency BETWEEN 1 AND 3),
        -- ServiceNow's default priority matrix (docs/incidents.md).
        priority smallint GENERATED ALWAYS AS (
          CASE impact + urgency WHEN 2 THEN 1 WHEN 3 THEN 2 WHEN 4 THEN 3 WHEN 5 THEN 4 ELSE 5 END
        ) STORED,
        category text,
        assignee_id uuid REFERENCES users (id) ON DELETE SET NULL,
        assignment_group text,
        reporter_id uuid REFERENCES users (id) ON DELETE SET NULL,
        source text NOT NULL CHECK (source IN ('console', 'api', 'slack', 'servicenow', 'webhook')),
        close_code text,
        close_notes text,
        servicenow_sys_id text,
        slack_channel text,
        slack_ts text,
        opened_at timestamptz NOT NULL DEFAULT now(),
        acknowledged_at timestamptz,
        resolved_at timestamptz,
        closed_at timestamptz,
        sla_due_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        search_vector tsvector GENERATED ALWAYS AS (
          to_tsvector('simple', number) || to_tsvector('english', title || ' ' || description)
        ) STORED,
        CONSTRAINT incidents_number_key UNIQUE (number),
        CONSTRAINT incidents_servicenow_sys_id_key UNIQUE (servicenow_sys_id),
        CONSTRAINT incidents_resolved_needs_close_fields
          CHECK (state NOT IN ('resolved', 'closed') OR (close_code IS NOT NULL AND close_notes IS NOT NULL))
      )`);
    // Keyset pages: each sort order with id as the tie-breaker; filters lead where they are selective.
    await q.query(`CREATE INDEX incidents_opened ON incidents (opened_at DESC, id DESC)`);
    await q.query(`CREATE INDEX incidents_updated ON incidents (updated_at DESC, id DESC)`);
    await q.query(`CREATE INDEX incidents_sla_due ON incidents (sla_due_at, id)`);
    await q.query(`CREATE INDEX incidents_priority ON incidents (priority, opened_at DESC, id DESC)`);
    await q.query(`CREATE INDEX incidents_state ON incidents (state, opened_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX incidents_state_priority ON incidents (state, priority, opened_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX incidents_assignee ON incidents (assignee_id, opened_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX incidents_group ON incidents (assignment_group, opened_at DESC, id DESC) WHERE assignment_group IS NOT NULL`,
    );
    await q.query(`CREATE INDEX incidents_source ON incidents (source, opened_at DESC, id DESC)`);
    await q.query(`CREATE INDEX incidents_search ON incidents USING gin (search_vector)`);
    // With the default statistics the planner assumes 0.5% of rows match any word it has not
    // sampled, so a rare word walked the date index for 286 ms at 1M rows instead of 1 ms
    // through the GIN index (bench/incidents).
    await q.query(`ALTER TABLE incidents ALTER COLUMN search_vector SET STATISTICS 1000`);
    await q.query(`CREATE INDEX incidents_number_trgm ON incidents USING gin (number gin_trgm_ops)`);

    await q.query(`
      CREATE TABLE incident_timeline (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        kind text NOT NULL
          CHECK (kind IN ('created', 'state_changed', 'assigned', 'updated', 'comment', 'work_note', 'sync')),
        actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system', 'anonymous')),
        actor_id uuid,
        actor_label text,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        body text,
        changes jsonb
      )`);
    await q.query(`CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, id)`);
    await q.query(`
      CREATE FUNCTION incident_timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'incident_timeline is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    // Rows still go when their incident is deleted (ON DELETE CASCADE runs as a DELETE): only UPDATE is refused.
    await q.query(`
      CREATE TRIGGER incident_timeline_no_update BEFORE UPDATE ON incident_timeline
      FOR EACH ROW EXECUTE FUNCTION incident_timeline_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE incident_timeline');
    await q.query('DROP FUNCTION incident_timeline_append_only()');
    await q.query('DROP TABLE incidents');
    await q.query('DROP SEQUENCE incident_number_seq');
  }
}
