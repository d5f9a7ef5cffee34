import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A generic external reference on incidents: the system that holds a twin of the incident
 * (e.g. `servicenow`), its id there and its human number, so the number is searchable from the
 * incident list. Incidents knows no integration: the integration names itself in `external_system`.
 * Timeline actors become text ids: an integration acting as itself (`servicenow`) has no uuid.
 */
export class IncidentExternalReference1764800000002 implements MigrationInterface {
  name = 'IncidentExternalReference1764800000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE incidents
        ADD COLUMN external_system text CHECK (external_system ~ '^[a-z][a-z0-9_-]{0,31}$'),
        ADD COLUMN external_ref text CHECK (length(external_ref) BETWEEN 1 AND 255),
        ADD COLUMN external_number text CHECK (length(external_number) BETWEEN 1 AND 100),
        ADD CONSTRAINT incidents_external_complete
          CHECK ((external_system IS NULL) = (external_ref IS NULL))`);
    await q.query(
      `CREATE UNIQUE INDEX incidents_external_ref ON incidents (external_system, external_ref) WHERE external_ref IS NOT NULL`,
    );
    // The list's `q` matches fragments of the external number as it does our own (trigrams).
    await q.query(
      `CREATE INDEX incidents_external_number_trgm ON incidents USING gin (external_number gin_trgm_ops) WHERE external_number IS NOT NULL`,
    );
    await q.query(`ALTER TABLE incident_timeline ALTER COLUMN actor_id TYPE text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE incident_timeline ALTER COLUMN actor_id TYPE uuid
        USING CASE WHEN actor_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN actor_id::uuid END`);
    await q.query(`DROP INDEX incidents_external_number_trgm`);
    await q.query(`DROP INDEX incidents_external_ref`);
    await q.query(`
      ALTER TABLE incidents
        DROP CONSTRAINT incidents_external_complete,
        DROP COLUMN external_number,
        DROP COLUMN external_ref,
        DROP COLUMN external_system`);
  }
}
