import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first connection's import of open incidents, as the Integrations page shows it
 * (docs/servicenow.md, "Reconciliation"): on the sync state's one row, so it survives restarts
 * and every instance of the app reads the same figures. `pending` until a run starts it;
 * `running` while one instance (under the reconciliation's advisory lock) pages through;
 * `done` or `failed` with the instance's error. Total is the instance's X-Total-Count.
 */
export class ServiceNowFirstImport1764806130000 implements MigrationInterface {
  name = 'ServiceNowFirstImport1764806130000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE servicenow_sync_state
        ADD COLUMN first_import_state text NOT NULL DEFAULT 'pending'
          CHECK (first_import_state IN ('pending', 'running', 'done', 'failed')),
        ADD COLUMN first_import_imported integer NOT NULL DEFAULT 0,
        ADD COLUMN first_import_total integer,
        ADD COLUMN first_import_started_at timestamptz,
        ADD COLUMN first_import_finished_at timestamptz,
        ADD COLUMN first_import_error text`);
    // An installation that already reconciled (a watermark) has had its first import.
    await q.query(`
      UPDATE servicenow_sync_state
         SET first_import_state = 'done', first_import_finished_at = last_success_at
       WHERE watermark_updated_on IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE servicenow_sync_state
        DROP COLUMN first_import_state,
        DROP COLUMN first_import_imported,
        DROP COLUMN first_import_total,
        DROP COLUMN first_import_started_at,
        DROP COLUMN first_import_finished_at,
        DROP COLUMN first_import_error`);
  }
}
