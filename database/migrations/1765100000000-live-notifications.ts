import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tells every listening app instance, on commit, what the /live sockets should hear about
 * (docs/live.md, "From commit to socket"): triggers, so no code path that publishes an event or
 * records a refresh can forget to; NOTIFY, so it is delivered after commit, in commit order, to
 * every instance, and costs the committing transaction one small queue entry instead of a
 * ledger row and a job per instance. Payloads are ids only (NOTIFY caps them at 8000 bytes):
 * the listener reads the rows, a batch at a time.
 *
 * - `live_outbox`: the id of each new outbox_events row.
 * - `live_analytics`: the `refreshed_at` (ISO 8601) of each new analytics_refreshes row.
 * - `live_integration`: `{"integration", "ok", "error"}` when ServiceNow's reconciliation turns
 *   from succeeding to failing or back (servicenow_sync_state.last_run_ok), and when a Slack Web
 *   API call fails (a slack_calls row with ok = false). Neither module signals its health
 *   otherwise; these rows are what their own status pages read.
 */
export class LiveNotifications1765100000000 implements MigrationInterface {
  name = 'LiveNotifications1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION notify_live_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('live_outbox', NEW.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER outbox_events_live AFTER INSERT ON outbox_events
        FOR EACH ROW EXECUTE FUNCTION notify_live_outbox()`);
    await q.query(`
      CREATE FUNCTION notify_live_analytics() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('live_analytics',
          to_char(NEW.refreshed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER analytics_refreshes_live AFTER INSERT ON analytics_refreshes
        FOR EACH ROW EXECUTE FUNCTION notify_live_analytics()`);
    await q.query(`
      CREATE FUNCTION notify_live_integration() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_TABLE_NAME = 'servicenow_sync_state' THEN
          PERFORM pg_notify('live_integration', json_build_object(
            'integration', 'servicenow', 'ok', NEW.last_run_ok, 'error', left(NEW.last_run_error, 500))::text);
        ELSE
          PERFORM pg_notify('live_integration', json_build_object(
            'integration', 'slack', 'ok', NEW.ok, 'error', left(NEW.error, 500))::text);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER servicenow_sync_state_live AFTER UPDATE OF last_run_ok ON servicenow_sync_state
        FOR EACH ROW WHEN (OLD.last_run_ok IS DISTINCT FROM NEW.last_run_ok AND NEW.last_run_ok IS NOT NULL)
        EXECUTE FUNCTION notify_live_integration()`);
    await q.query(`
      CREATE TRIGGER slack_calls_live AFTER INSERT ON slack_calls
        FOR EACH ROW WHEN (NOT NEW.ok) EXECUTE FUNCTION notify_live_integration()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER slack_calls_live ON slack_calls');
    await q.query('DROP TRIGGER servicenow_sync_state_live ON servicenow_sync_state');
    await q.query('DROP FUNCTION notify_live_integration()');
    await q.query('DROP TRIGGER analytics_refreshes_live ON analytics_refreshes');
    await q.query('DROP FUNCTION notify_live_analytics()');
    await q.query('DROP TRIGGER outbox_events_live ON outbox_events');
    await q.query('DROP FUNCTION notify_live_outbox()');
  }
}
