import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { ServiceNowRecord } from './servicenow-client';
import type { FieldWriters } from './servicenow-field-map';

/** One incident's link to its ServiceNow record (servicenow_links). */
export interface SyncLink {
  readonly incidentId: string;
  readonly sysId: string | null;
  readonly number: string | null;
  readonly modCount: number | null;
  /** `YYYY-MM-DD HH:MM:SS`, as ServiceNow writes it. */
  readonly updatedOn: string | null;
  readonly status: 'synced' | 'pending' | 'failed';
  readonly lastError: string | null;
  readonly lastSyncedAt: Date | null;
  readonly writers: FieldWriters;
}

interface LinkRow {
  incident_id: string;
  sys_id: string | null;
  number: string | null;
  sys_mod_count: number | null;
  sys_updated_on: string | null;
  status: SyncLink['status'];
  last_error: string | null;
  last_synced_at: Date | null;
  field_writers: FieldWriters;
}

const LINK_COLUMNS = `incident_id, sys_id, number, sys_mod_count,
  to_char(sys_updated_on, 'YYYY-MM-DD HH24:MI:SS') AS sys_updated_on, status, last_error, last_synced_at, field_writers`;

const linkOf = (r: LinkRow): SyncLink => ({
  incidentId: r.incident_id,
  sysId: r.sys_id,
  number: r.number,
  modCount: r.sys_mod_count,
  updatedOn: r.sys_updated_on,
  status: r.status,
  lastError: r.last_error,
  lastSyncedAt: r.last_synced_at,
  writers: r.field_writers,
});

/** A pending link for an incident whose record is being created (no-op when it has one). */
const ENSURE_LINK_SQL = `
  INSERT INTO servicenow_links (incident_id, status) VALUES ($1, 'pending')
  ON CONFLICT (incident_id) DO NOTHING`;

/**
 * The record as just read or written: its identity, and its version unless an older one than
 * held (GREATEST: a late answer never moves the version back); synced; writers merged.
 */
/**
 * Whether a record version may become the link's watermark: any newer one read from the instance;
 * for the answer to our own write, only the version right after the one we hold. A higher count
 * means someone changed the record between (their webhook may still be on its way): the
 * watermark stays, so that change is applied when its webhook or the reconciliation brings it,
 * instead of being taken for older than what we hold.
 */
const NEXT_VERSION = `(NOT $7::boolean OR servicenow_links.sys_mod_count IS NULL
    OR EXCLUDED.sys_mod_count = servicenow_links.sys_mod_count + 1)`;

const RECORD_SQL = `
  INSERT INTO servicenow_links
    (incident_id, sys_id, number, sys_mod_count, sys_updated_on, last_synced_at, status, field_writers)
  VALUES ($1, $2, $3, $4, $5::timestamp, now(), 'synced', $6::jsonb)
  ON CONFLICT (incident_id) DO UPDATE
     SET sys_id = EXCLUDED.sys_id, number = EXCLUDED.number,
         sys_mod_count = CASE WHEN ${NEXT_VERSION}
           THEN GREATEST(servicenow_links.sys_mod_count, EXCLUDED.sys_mod_count)
           ELSE servicenow_links.sys_mod_count END,
         sys_updated_on = CASE WHEN ${NEXT_VERSION}
           THEN GREATEST(servicenow_links.sys_updated_on, EXCLUDED.sys_updated_on)
           ELSE servicenow_links.sys_updated_on END,
         last_synced_at = now(), status = 'synced', last_error = NULL, retryable = true,
         field_writers = servicenow_links.field_writers || EXCLUDED.field_writers,
         updated_at = now()`;

const FAILURE_SQL = `
  INSERT INTO servicenow_links (incident_id, status, last_error, last_error_at, retryable)
  VALUES ($1, $2, $3, now(), $4)
  ON CONFLICT (incident_id) DO UPDATE
     SET status = EXCLUDED.status, last_error = EXCLUDED.last_error, last_error_at = now(),
         retryable = EXCLUDED.retryable, updated_at = now()`;

/**
 * The sync's storage: links, journal links and the reconciliation state. Every method takes the
 * manager of the caller's transaction (the inbox handler's, or the outbound consumer's).
 */
@Injectable()
export class ServiceNowSyncStore {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Serialises work on one key until the transaction of `m` ends. */
  async lock(m: EntityManager, key: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`servicenow:${key}`]);
  }

  async linkOfIncident(m: EntityManager, incidentId: string): Promise<SyncLink | null> {
    const [row] = await m.query<LinkRow[]>(
      `SELECT ${LINK_COLUMNS} FROM servicenow_links WHERE incident_id = $1`,
      [incidentId],
    );
    return row ? linkOf(row) : null;
  }

  async linkOfRecord(m: EntityManager, sysId: string): Promise<SyncLink | null> {
    const [row] = await m.query<LinkRow[]>(`SELECT ${LINK_COLUMNS} FROM servicenow_links WHERE sys_id = $1`, [
      sysId,
    ]);
    return row ? linkOf(row) : null;
  }

  /** Links that are not synced, oldest first (the reconciler retries them). */
  async unsynced(limit: number, quietForMs: number): Promise<SyncLink[]> {
    const rows = await this.manager.query<LinkRow[]>(
      `SELECT ${LINK_COLUMNS} FROM servicenow_links
        WHERE status <> 'synced' AND retryable AND updated_at < now() - $2::int * interval '1 millisecond'
        ORDER BY updated_at LIMIT $1`,
      [limit, quietForMs],
    );
    return rows.map(linkOf);
  }

  async ensureLink(m: EntityManager, incidentId: string): Promise<void> {
    await m.query(ENSURE_LINK_SQL, [incidentId]);
  }

  async recordRecord(
    m: EntityManager,
    incidentId: string,
    record: ServiceNowRecord,
    writers: FieldWriters,
    /** The instance's answer to our own write (POST/PATCH), not a record read or received. */
    ourWrite = false,
  ): Promise<void> {
    const modCount = Number.parseInt(record.sys_mod_count, 10);
    await m.query(RECORD_SQL, [
      incidentId,
      record.sys_id,
      record.number || null,
      Number.isFinite(modCount) ? modCount : null,
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(record.sys_updated_on) ? record.sys_updated_on : null,
      JSON.stringify(writers),
      ourWrite,
    ]);
  }

  /** Outside any transaction: a failure must stay recorded when the attempt's work rolls back. */
  async recordFailure(
    incidentId: string,
    status: 'pending' | 'failed',
    message: string,
    retryable: boolean,
  ): Promise<void> {
    await this.manager.query(FAILURE_SQL, [incidentId, status, message.slice(0, 2000), retryable]);
  }

  /** Something of ours is not on the instance yet: the reconciler writes the incident again. */
  async markPending(m: EntityManager, incidentId: string, reason: string): Promise<void> {
    await m.query(
      `UPDATE servicenow_links SET status = 'pending', last_error = $2, last_error_at = now(), updated_at = now()
        WHERE incident_id = $1`,
      [incidentId, reason],
    );
  }

  // Journal links

  async journalLinkOfEntry(m: EntityManager, entryId: string): Promise<boolean> {
    const rows = await m.query<unknown[]>(
      'SELECT 1 FROM servicenow_journal_links WHERE timeline_entry_id = $1',
      [entryId],
    );
    return rows.length > 0;
  }

  async journalLinkOfRecord(m: EntityManager, journalSysId: string): Promise<boolean> {
    const rows = await m.query<unknown[]>(
      'SELECT 1 FROM servicenow_journal_links WHERE journal_sys_id = $1',
      [journalSysId],
    );
    return rows.length > 0;
  }

  async addJournalLink(
    m: EntityManager,
    link: {
      incidentId: string;
      entryId: string | null;
      journalSysId: string | null;
      element: 'comments' | 'work_notes';
      direction: 'outbound' | 'inbound';
      value: string;
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO servicenow_journal_links (incident_id, timeline_entry_id, journal_sys_id, element, direction, value)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [link.incidentId, link.entryId, link.journalSysId, link.element, link.direction, link.value],
    );
  }

  /** Our outbound entry with this text, seen on the instance as `journalSysId`: true if one was waiting. */
  async claimOutboundJournal(
    m: EntityManager,
    incidentId: string,
    element: string,
    value: string,
    journalSysId: string,
  ): Promise<boolean> {
    const rows = await m.query<{ id: string }[]>(
      // WITH … SELECT: TypeORM answers a bare UPDATE with [rows, count]
      `WITH claimed AS (
         UPDATE servicenow_journal_links SET journal_sys_id = $4
          WHERE id = (SELECT id FROM servicenow_journal_links
                       WHERE incident_id = $1 AND element = $2 AND value = $3 AND journal_sys_id IS NULL
                       ORDER BY id LIMIT 1)
         RETURNING id)
       SELECT id FROM claimed`,
      [incidentId, element, value, journalSysId],
    );
    return rows.length > 0;
  }
}
