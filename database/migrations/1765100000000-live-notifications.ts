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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER analytics_refreshes_live ON analytics_refreshes');
    await q.query('DROP FUNCTION notify_live_analytics()');
    await q.query('DROP TRIGGER outbox_events_live ON outbox_events');
    await q.query('DROP FUNCTION notify_live_outbox()');
  }
}
