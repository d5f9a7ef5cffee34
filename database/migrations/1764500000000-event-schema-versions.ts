import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every stored event carries the schema version of its payload (docs/events.md). Events stored
 * before versioning are version 1, and the default stays 1 so an instance still running the
 * previous release during the rolling deploy (which publishes only version 1) keeps inserting
 * correct rows. `older_payloads` holds the same event in older versions while a breaking change
 * rolls out. Work notes get a type of their own: events stored as `incident.commented` with
 * `kind = 'work_note'` become `incident.work_noted`, so a consumer of comments never sees one.
 */
export class EventSchemaVersions1764500000000 implements MigrationInterface {
  name = 'EventSchemaVersions1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE outbox_events
        ADD COLUMN schema_version integer NOT NULL DEFAULT 1 CHECK (schema_version >= 1),
        ADD COLUMN older_payloads jsonb`);
    await q.query(
      `UPDATE outbox_events SET type = 'incident.work_noted'
        WHERE type = 'incident.commented' AND payload->>'kind' = 'work_note'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE outbox_events SET type = 'incident.commented' WHERE type = 'incident.work_noted'`);
    await q.query('ALTER TABLE outbox_events DROP COLUMN older_payloads, DROP COLUMN schema_version');
  }
}
