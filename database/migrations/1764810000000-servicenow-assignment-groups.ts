import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The assignment groups the sync maps both ways: our group name → the instance's sys_user_group
 * sys_id. Inbound, a record's group sys_id becomes our name only through this map, so it is
 * part of the connection (set in the console or by SERVICENOW_ASSIGNMENT_GROUPS).
 */
export class ServiceNowAssignmentGroups1764810000000 implements MigrationInterface {
  name = 'ServiceNowAssignmentGroups1764810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE servicenow_connection
        ADD COLUMN assignment_groups jsonb NOT NULL DEFAULT '{}'::jsonb
          CHECK (jsonb_typeof(assignment_groups) = 'object')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE servicenow_connection DROP COLUMN assignment_groups`);
  }
}
