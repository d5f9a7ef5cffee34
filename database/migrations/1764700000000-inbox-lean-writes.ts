import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The request path of every inbound event is one INSERT into inbound_events, so what that insert
 * maintains is what ingest costs (bench/ingest). Two things it paid for per event without need:
 * - the foreign key to event_sources: its check share-locks the source's row, and fifty requests
 *   of one source at once turn that lock into a MultiXact per insert. Deleting a source now clears
 *   its events' source_id itself (EventSourcesService.remove), as ON DELETE SET NULL did;
 * - a B-tree on received_at, read only by the hourly retention sweep: rows arrive in time order,
 *   so a BRIN index (a summary per block range, almost free to keep) finds the old ones as well.
 */
export class InboxLeanWrites1764700000000 implements MigrationInterface {
  name = 'InboxLeanWrites1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE inbound_events DROP CONSTRAINT IF EXISTS inbound_events_source_id_fkey`);
    await q.query(`DROP INDEX IF EXISTS inbound_events_received`);
    await q.query(`CREATE INDEX inbound_events_received ON inbound_events USING brin (received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS inbound_events_received`);
    await q.query(`CREATE INDEX inbound_events_received ON inbound_events (received_at)`);
    await q.query(`UPDATE inbound_events e SET source_id = NULL
                    WHERE source_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM event_sources s WHERE s.id = e.source_id)`);
    await q.query(`
      ALTER TABLE inbound_events ADD CONSTRAINT inbound_events_source_id_fkey
        FOREIGN KEY (source_id) REFERENCES event_sources (id) ON DELETE SET NULL`);
  }
}
