// What the database holds of the inbox and the incidents it touched, read directly (around the
// app, its proxy or its corpse) in one snapshot, for the failure-path specs: the counts to quote,
// and every way in which something could be half-written.
import pg from 'pg';
import { DRAIN_INBOUND_TASK } from '../../inbox/inbox-queue.sql';

/** Counts and statuses are of one source's events when a source is given; violations are always of all. */
export interface InboxLedger {
  readonly rows: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** Drain jobs still queued (any source), and how many of them a worker holds. */
  readonly jobs: number;
  readonly lockedJobs: number;
  /** Accepted events whose order key no drain job covers: stored, not yet queued (the sweep's work). */
  readonly uncovered: number;
  /** Incidents opened from events. */
  readonly incidents: number;
  /** Sum of their alertCount. */
  readonly alerts: number;
  /** Ids of the first receipts (not the duplicates' rows) and their statuses. */
  readonly statusOf: ReadonlyMap<string, string>;
  /** Each way of being half-written, with the offending rows (all empty when consistent). */
  readonly violations: Readonly<Record<string, readonly unknown[]>>;
}

const JOBS = `
  SELECT j.id, j.locked_by, j.payload
    FROM graphile_worker._private_jobs j
    JOIN graphile_worker._private_tasks t ON t.id = j.task_id
   WHERE t.identifier = '${DRAIN_INBOUND_TASK}'`;

const UNCOVERED = `
  SELECT count(*)::int AS n FROM inbound_events e
   WHERE e.status = 'accepted'
     AND NOT EXISTS (SELECT 1 FROM (${JOBS}) j, json_array_elements_text(j.payload->'keys') k(key)
                      WHERE k.key = e.order_key)`;

/** Each query lists what it finds wrong; a consistent inbox gives no rows. */
const VIOLATIONS: Record<string, string> = {
  'processed event without its effects': `
    SELECT e.id FROM inbound_events e
     WHERE e.status = 'processed' AND NOT EXISTS (SELECT 1 FROM inbound_event_effects f WHERE f.event_id = e.id)`,
  'effects of an unprocessed event': `
    SELECT DISTINCT f.event_id FROM inbound_event_effects f JOIN inbound_events e ON e.id = f.event_id
     WHERE e.status <> 'processed'`,
  'event incident without its alert group': `
    SELECT i.id FROM incidents i
     WHERE i.source = 'webhook' AND NOT EXISTS (SELECT 1 FROM alert_groups g WHERE g.incident_id = i.id)`,
  'event incident not opened by exactly one event': `
    SELECT i.id, count(f.event_id)::int AS opened FROM incidents i
      LEFT JOIN inbound_event_effects f ON f.incident_id = i.id AND f.outcome = 'opened'
     WHERE i.source = 'webhook' GROUP BY i.id HAVING count(f.event_id) <> 1`,
  // processed exactly once: one alert per trigger that opened or grouped into it, one timeline
  // entry and one incident.alert_grouped event per grouped trigger, one incident.created
  'alertCount differs from the triggers grouped into it': `
    SELECT i.id, i.alert_count, count(f.event_id)::int AS triggers FROM incidents i
      LEFT JOIN inbound_event_effects f ON f.incident_id = i.id AND f.outcome IN ('opened', 'grouped')
     WHERE i.source = 'webhook' GROUP BY i.id HAVING i.alert_count <> count(f.event_id)`,
  'alert timeline entries differ from the grouped triggers': `
    SELECT i.id, tl.entries, fx.grouped FROM incidents i
     CROSS JOIN LATERAL (SELECT count(*)::int AS entries FROM incident_timeline t
                          WHERE t.incident_id = i.id AND t.kind = 'alert') tl
     CROSS JOIN LATERAL (SELECT count(*)::int AS grouped FROM inbound_event_effects f
                          WHERE f.incident_id = i.id AND f.outcome = 'grouped') fx
     WHERE i.source = 'webhook' AND tl.entries <> fx.grouped`,
  'incident.alert_grouped events differ from the grouped triggers': `
    SELECT i.id, ev.published, fx.grouped FROM incidents i
     CROSS JOIN LATERAL (SELECT count(*)::int AS published FROM outbox_events o
                          WHERE o.aggregate_id = i.id AND o.type = 'incident.alert_grouped') ev
     CROSS JOIN LATERAL (SELECT count(*)::int AS grouped FROM inbound_event_effects f
                          WHERE f.incident_id = i.id AND f.outcome = 'grouped') fx
     WHERE i.source = 'webhook' AND ev.published <> fx.grouped`,
  'incident.created events other than one per incident': `
    SELECT i.id, count(o.id)::int AS created FROM incidents i
      LEFT JOIN outbox_events o ON o.aggregate_id = i.id AND o.type = 'incident.created'
     WHERE i.source = 'webhook' GROUP BY i.id HAVING count(o.id) <> 1`,
  // every trigger here has no resolve after it: one dedup key, one incident
  'dedup key with more than one incident': `
    SELECT f.dedup_key, count(DISTINCT f.incident_id)::int AS incidents FROM inbound_event_effects f
     WHERE f.incident_id IS NOT NULL GROUP BY f.dedup_key HAVING count(DISTINCT f.incident_id) > 1`,
};

const OF_SOURCE = `($1::uuid IS NULL OR source_id = $1)`;

/** Reads the ledger of the database at `url` in one REPEATABLE READ snapshot. */
export async function readInboxLedger(url: string, sourceId: string | null = null): Promise<InboxLedger> {
  const client = new pg.Client({ connectionString: url, application_name: 'inbox-ledger-check' });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const statuses = await client.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM inbound_events WHERE ${OF_SOURCE} GROUP BY status ORDER BY status`,
      [sourceId],
    );
    const firsts = await client.query<{ id: string; status: string }>(
      `SELECT id, status FROM inbound_events WHERE status <> 'duplicate' AND ${OF_SOURCE}`,
      [sourceId],
    );
    const [jobs] = (
      await client.query<{ jobs: number; locked: number }>(
        `SELECT count(*)::int AS jobs, count(locked_by)::int AS locked FROM (${JOBS}) j`,
      )
    ).rows;
    const [incidents] = (
      await client.query<{ incidents: number; alerts: number }>(
        `SELECT count(*)::int AS incidents, coalesce(sum(alert_count), 0)::int AS alerts
           FROM incidents i
          WHERE i.source = 'webhook'
            AND EXISTS (SELECT 1 FROM inbound_event_effects f JOIN inbound_events e ON e.id = f.event_id
                         WHERE f.incident_id = i.id AND ($1::uuid IS NULL OR e.source_id = $1))`,
        [sourceId],
      )
    ).rows;
    const [uncovered] = (await client.query<{ n: number }>(UNCOVERED)).rows;
    const violations: Record<string, unknown[]> = {};
    for (const [name, sql] of Object.entries(VIOLATIONS)) violations[name] = (await client.query(sql)).rows;
    await client.query('COMMIT');
    const byStatus = Object.fromEntries(statuses.rows.map((r) => [r.status, r.n]));
    return {
      rows: statuses.rows.reduce((sum, r) => sum + r.n, 0),
      byStatus,
      jobs: jobs?.jobs ?? 0,
      lockedJobs: jobs?.locked ?? 0,
      uncovered: uncovered?.n ?? 0,
      incidents: incidents?.incidents ?? 0,
      alerts: incidents?.alerts ?? 0,
      statusOf: new Map(firsts.rows.map((r) => [r.id, r.status])),
      violations,
    };
  } finally {
    await client.end();
  }
}

/** The violations that have rows: `{}` when nothing is half-written. */
export function halfWritten(ledger: InboxLedger): Record<string, readonly unknown[]> {
  return Object.fromEntries(Object.entries(ledger.violations).filter(([, rows]) => rows.length > 0));
}

/** The acknowledged ids the database lacks, or holds as anything but `status`. */
export function acknowledgedNot(
  ledger: InboxLedger,
  acknowledged: Iterable<string>,
  status?: string,
): string[] {
  return [...acknowledged].filter((id) => {
    const actual = ledger.statusOf.get(id);
    return actual === undefined || (status !== undefined && actual !== status);
  });
}
