import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail. Rows keep labels (email, key name) as they were, and no foreign keys, so
 * deleting a user never rewrites history. Append-only is enforced by the database itself.
 */
export class AuditLog1764200000001 implements MigrationInterface {
  name = 'AuditLog1764200000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system', 'anonymous')),
        actor_id uuid,
        actor_label text,
        action text NOT NULL,
        outcome text NOT NULL DEFAULT 'success' CHECK (outcome IN ('success', 'failure')),
        target_type text,
        target_id text,
        target_label text,
        ip inet,
        user_agent text,
        request_id text,
        before jsonb,
        after jsonb,
        details jsonb
      )`);
    // Newest first is id order (identity, assigned at insert); keyset pages on id under each filter.
    await q.query(`CREATE INDEX audit_events_occurred ON audit_events (occurred_at)`);
    await q.query(`CREATE INDEX audit_events_action ON audit_events (action text_pattern_ops, id DESC)`);
    await q.query(`CREATE INDEX audit_events_actor ON audit_events (actor_id, id DESC)`);
    await q.query(`CREATE INDEX audit_events_target ON audit_events (target_type, target_id, id DESC)`);
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_events');
    await q.query('DROP FUNCTION audit_events_append_only()');
  }
}
