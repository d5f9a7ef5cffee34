import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ServiceNow sync's own state (docs/servicenow.md, "Sync and conflict policy"):
 * - servicenow_links: one row per incident that has (or is getting) a ServiceNow twin: its sys_id
 *   and number, the newest sys_mod_count / sys_updated_on applied (older ones never overwrite
 *   newer data), the sync status, and per field who wrote it last and when (the conflict policy).
 * - servicenow_journal_links: our timeline entry ↔ its sys_journal_field row, so a comment or
 *   work note is never added twice when it echoes back.
 * - servicenow_sync_state: the reconciliation watermark on (sys_updated_on, sys_id), its last run
 *   and lag, and when the last webhook arrived (one row).
 */
export class ServiceNowSync1764800000001 implements MigrationInterface {
  name = 'ServiceNowSync1764800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE servicenow_links (
        incident_id uuid PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
        sys_id text UNIQUE CHECK (length(sys_id) BETWEEN 1 AND 64),
        number text,
        -- the newest record version applied or written here
        sys_mod_count integer,
        sys_updated_on timestamp, -- ServiceNow's UTC wall time, one-second granularity
        last_synced_at timestamptz,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('synced', 'pending', 'failed')),
        last_error text,
        last_error_at timestamptz,
        -- false after a permanent refusal (403, 400): the reconciler does not retry it; a replay or a new change does
        retryable boolean NOT NULL DEFAULT true,
        -- { <our field>: { "by": "servicenow"|"nexecute", "at": ISO time, "version"?: n, "modCount"?: n } }
        field_writers jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX servicenow_links_unsynced ON servicenow_links (status, updated_at) WHERE status <> 'synced'`,
    );
    await q.query(`
      CREATE TABLE servicenow_journal_links (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        timeline_entry_id bigint UNIQUE,
        -- null until our own entry is seen on the instance (its sys_id is not in the PATCH answer)
        journal_sys_id text UNIQUE,
        element text NOT NULL CHECK (element IN ('comments', 'work_notes')),
        direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
        -- the text as written on the instance, to recognise our own entry when it comes back
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX servicenow_journal_links_unmatched ON servicenow_journal_links (incident_id, element) WHERE journal_sys_id IS NULL`,
    );
    await q.query(`
      CREATE TABLE servicenow_sync_state (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        watermark_updated_on timestamp,
        watermark_sys_id text,
        last_run_at timestamptz,
        last_run_ok boolean,
        last_run_error text,
        last_run_records integer,
        last_success_at timestamptz,
        last_webhook_at timestamptz
      )`);
    await q.query(`INSERT INTO servicenow_sync_state (id) VALUES (1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE servicenow_sync_state`);
    await q.query(`DROP TABLE servicenow_journal_links`);
    await q.query(`DROP TABLE servicenow_links`);
  }
}
