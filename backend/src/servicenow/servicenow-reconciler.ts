import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Inbox } from '../inbox/inbox';
import { ServiceNowClient, type ServiceNowRecord } from './servicenow-client';
import { ServiceNowOutbound } from './servicenow-outbound';
import { SERVICENOW_SETTINGS, type ServiceNowSettingsSource } from './servicenow-sync-settings';
import { orderKeyOf, SERVICENOW_CHANNEL, type ServiceNowEvent } from './servicenow-sync-event';
import { ServiceNowSyncStore } from './servicenow-sync-store';

/** Outbound links retried per run. */
const RETRY_BATCH = 50;
/** Session-level, on the run's own connection: one instance reconciles at a time. */
const LOCK_KEY = 'nexecute:servicenow-reconcile';

export interface ReconciliationResult {
  /** false: another instance holds the lock, or ServiceNow is not configured. */
  readonly ran: boolean;
  /** Records read (the overlapped second included). */
  readonly seen: number;
  /** Changes stored for processing: newer than the version we hold. */
  readonly queued: number;
  readonly retried: number;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, as the Table API writes times. */
function serviceNowTime(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

const STATE_SQL = `SELECT to_char(watermark_updated_on, 'YYYY-MM-DD HH24:MI:SS') AS updated_on, watermark_sys_id AS sys_id,
         first_import_state, first_import_imported, first_import_total
    FROM servicenow_sync_state WHERE id = 1`;

/** The open incidents the first connection imports (New, In Progress, On Hold). */
const OPEN_FILTER = 'stateIN1,2,3';
/** The first run waits this long after start-up (or the interval, if shorter). */
const FIRST_RUN_DELAY_MS = 5000;

interface Position {
  on: string;
  id: string;
}

interface StateRow {
  updated_on: string | null;
  sys_id: string | null;
  first_import_state: 'pending' | 'running' | 'done' | 'failed';
  first_import_imported: number;
  first_import_total: number | null;
}

function messageOf(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 2000);
}

/**
 * Repairs whatever webhooks missed (docs/servicenow.md, "Reconciliation"): every interval, under an
 * advisory lock, pages through the records changed since the watermark, ordered and paged on the
 * pair (sys_updated_on, sys_id) — rest of a second by sys_id, then the following seconds — so a
 * second holding more records than a page is neither skipped nor repeated forever. The run starts
 * again at the watermark's whole second (the overlap: sys_updated_on has one-second granularity)
 * and dedupes by sys_id + sys_mod_count: a record not newer than the version we hold is skipped;
 * the rest go through the inbox like a webhook (idempotency key `reconcile:<sys_id>:<sys_mod_count>`,
 * the record's order key), with the journal entries of each changed record. The first run (no
 * watermark) imports the open incidents, paged the same way (keyset on the pair, open states only),
 * and records its progress on the sync state's row (`first_import_*`: state, imported, the
 * instance's X-Total-Count, times, last error) after every page, with the watermark, for the
 * Integrations page; a failed or interrupted import resumes where that watermark says. Then it
 * retries our pending and failed outbound links.
 */
@Injectable()
export class ServiceNowReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ServiceNowReconciler.name);
  private timer: NodeJS.Timeout | undefined;
  private firstRun: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  /** Records read per Table API call (a spec makes it small to page through one second). */
  pageSize = 100;
  /** A link untouched this long is retried (not one whose delivery is being retried right now). */
  retryQuietMs = 5000;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly client: ServiceNowClient,
    private readonly inbox: Inbox,
    private readonly store: ServiceNowSyncStore,
    private readonly outbound: ServiceNowOutbound,
    @Inject(SERVICENOW_SETTINGS) private readonly settings: ServiceNowSettingsSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.config.servicenowSync.reconcileIntervalMs;
    if (!this.config.deliveries.workerEnabled || interval === 0) return;
    const tick = (): void => {
      if (this.running) return;
      this.running = this.run()
        .catch((e: unknown) => this.logger.warn(`ServiceNow reconciliation failed: ${String(e)}`))
        .finally(() => (this.running = undefined));
    };
    // Soon after start-up, not a whole interval later: a new connection's first import (and a
    // restarted instance's catching up) should not wait five minutes.
    this.firstRun = setTimeout(tick, Math.min(interval, FIRST_RUN_DELAY_MS));
    this.firstRun.unref();
    this.timer = setInterval(tick, interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.firstRun);
    clearInterval(this.timer);
    await this.running;
  }

  /** One run; skipped (ran: false) while another instance runs one. */
  async run(): Promise<ReconciliationResult> {
    const settings = await this.settings.read();
    if (!settings.instanceUrl || !settings.enabled) return { ran: false, seen: 0, queued: 0, retried: 0 };
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [lock] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS acquired', [
        LOCK_KEY,
      ])) as { acquired: boolean }[];
      if (!lock?.acquired) return { ran: false, seen: 0, queued: 0, retried: 0 };
      try {
        return await this.reconcile();
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  }

  private async reconcile(): Promise<ReconciliationResult> {
    const startedAt = new Date();
    const [mark] = await this.dataSource.query<StateRow[]>(STATE_SQL);
    let seen = 0;
    let queued = 0;
    // Where the run is: the last record handled (the watermark when it ends).
    const at: { last: Position | null } = {
      last: mark?.updated_on ? { on: mark.updated_on, id: mark.sys_id ?? '' } : null,
    };
    try {
      const handle = async (records: readonly ServiceNowRecord[]): Promise<void> => {
        for (const record of records) {
          seen++;
          if (await this.enqueue(record)) queued++;
          at.last = { on: record.sys_updated_on, id: record.sys_id };
        }
      };
      if (mark && mark.first_import_state !== 'done') await this.firstImport(mark, at, handle);
      if (at.last) {
        // The watermark's whole second again (the overlap), by sys_id; then the seconds after it.
        for await (const { records } of this.keyset('', { on: at.last.on, id: '' })) await handle(records);
      }
      const retried = await this.retryOutbound();
      await this.dataSource.query(
        `UPDATE servicenow_sync_state
            SET watermark_updated_on = COALESCE($1::timestamp, watermark_updated_on),
                watermark_sys_id = COALESCE($2, watermark_sys_id),
                last_run_at = $3, last_success_at = $3, last_run_ok = true, last_run_error = NULL,
                last_run_records = $4
          WHERE id = 1`,
        [at.last?.on ?? null, at.last?.id ?? null, startedAt, seen],
      );
      return { ran: true, seen, queued, retried };
    } catch (e) {
      // Progress so far is kept: what was stored is processed, and the next run resumes from it.
      await this.dataSource.query(
        `UPDATE servicenow_sync_state
            SET watermark_updated_on = COALESCE($1::timestamp, watermark_updated_on),
                watermark_sys_id = COALESCE($2, watermark_sys_id),
                last_run_at = $3, last_run_ok = false, last_run_error = $4
          WHERE id = 1`,
        [at.last?.on ?? null, at.last?.id ?? null, startedAt, messageOf(e)],
      );
      throw e;
    }
  }

  /**
   * The first connection's import of the open incidents, or the rest of one that failed or was
   * interrupted (resumed after the watermark it had reached). Progress is written after every
   * page, with the watermark, so another instance's health answer sees it.
   */
  private async firstImport(
    mark: StateRow,
    at: { last: Position | null },
    handle: (records: readonly ServiceNowRecord[]) => Promise<void>,
  ): Promise<void> {
    const resumed = at.last !== null;
    let imported = resumed ? mark.first_import_imported : 0;
    let total = resumed ? mark.first_import_total : null;
    await this.dataSource.query(
      `UPDATE servicenow_sync_state
          SET first_import_state = 'running', first_import_imported = $1, first_import_total = $2,
              first_import_started_at = CASE WHEN $3 AND first_import_started_at IS NOT NULL
                                             THEN first_import_started_at ELSE now() END,
              first_import_finished_at = NULL, first_import_error = NULL
        WHERE id = 1`,
      [imported, total, resumed],
    );
    try {
      for await (const page of this.keyset(`${OPEN_FILTER}^`, at.last)) {
        // The instance's count of what is open, from the import's first query.
        if (!resumed && page.first) total = page.total;
        await handle(page.records);
        imported += page.records.length;
        await this.dataSource.query(
          `UPDATE servicenow_sync_state
              SET first_import_imported = $1, first_import_total = $2,
                  watermark_updated_on = $3::timestamp, watermark_sys_id = $4
            WHERE id = 1`,
          [imported, total, at.last?.on ?? null, at.last?.id ?? null],
        );
      }
    } catch (e) {
      await this.dataSource.query(
        `UPDATE servicenow_sync_state
            SET first_import_state = 'failed', first_import_finished_at = now(), first_import_error = $1
          WHERE id = 1`,
        [messageOf(e)],
      );
      throw e;
    }
    // Nothing open: start from a few minutes ago by our clock (the integration user runs in GMT).
    at.last ??= { on: serviceNowTime(new Date(Date.now() - 300_000)), id: '' };
    // Incidents opened while it ran can make the count grow past the instance's first answer.
    await this.dataSource.query(
      `UPDATE servicenow_sync_state
          SET first_import_state = 'done', first_import_finished_at = now(),
              first_import_total = GREATEST(COALESCE(first_import_total, 0), first_import_imported),
              watermark_updated_on = $1::timestamp, watermark_sys_id = $2
        WHERE id = 1`,
      [at.last.on, at.last.id],
    );
  }

  /**
   * Pages of `filter` (empty, or ending in `^`) in (sys_updated_on, sys_id) order after `from`:
   * the rest of from's second by sys_id, then the seconds after it; a page that cuts a second
   * short is finished by sys_id before going on. No `from`: from the beginning.
   */
  private async *keyset(
    filter: string,
    from: Position | null,
  ): AsyncGenerator<{ records: ServiceNowRecord[]; total: number | null; first: boolean }> {
    let first = true;
    let on: string;
    let afterId: string;
    if (from === null) {
      const page = await this.client.listIncidents(`${filter}ORDERBYsys_updated_on^ORDERBYsys_id`, {
        limit: this.pageSize,
      });
      yield { records: page.records, total: page.total, first };
      first = false;
      if (page.records.length < this.pageSize) return;
      on = page.records.at(-1)!.sys_updated_on;
      afterId = page.records.at(-1)!.sys_id;
    } else {
      on = from.on;
      afterId = from.id;
    }
    for (;;) {
      for (;;) {
        const query = `${filter}sys_updated_on=${on}${afterId ? `^sys_id>${afterId}` : ''}^ORDERBYsys_id`;
        const page = await this.client.listIncidents(query, { limit: this.pageSize });
        yield { records: page.records, total: page.total, first };
        first = false;
        if (page.records.length < this.pageSize) break;
        afterId = page.records.at(-1)!.sys_id;
      }
      const page = await this.client.listIncidents(
        `${filter}sys_updated_on>${on}^ORDERBYsys_updated_on^ORDERBYsys_id`,
        { limit: this.pageSize },
      );
      yield { records: page.records, total: page.total, first };
      first = false;
      if (page.records.length < this.pageSize) return;
      on = page.records.at(-1)!.sys_updated_on;
      afterId = page.records.at(-1)!.sys_id;
    }
  }

  /** Stores a change newer than what we hold (and its journal), as a webhook would; true if stored. */
  private async enqueue(record: ServiceNowRecord): Promise<boolean> {
    const link = await this.store.linkOfRecord(this.dataSource.manager, record.sys_id);
    const modCount = Number.parseInt(record.sys_mod_count, 10);
    if (link && link.modCount !== null && Number.isFinite(modCount) && modCount <= link.modCount) {
      return false;
    }
    const event: ServiceNowEvent = {
      event_id: `reconcile:${record.sys_id}:${record.sys_mod_count}`,
      event: 'incident.updated',
      record,
    };
    const title = typeof record['short_description'] === 'string' ? record['short_description'] : '';
    await this.receive(event, `${record.number} ${title}`);
    if (link) {
      const entries = await this.client.listJournal(record.sys_id, link.updatedOn ?? undefined);
      for (const entry of entries) {
        await this.receive({
          event_id: `reconcile:journal:${entry.sys_id}`,
          event: 'journal.added',
          record: { ...entry, element_id: record.sys_id },
          journal: { ...entry, element_id: record.sys_id },
        });
      }
    }
    return true;
  }

  private async receive(event: ServiceNowEvent, summary?: string): Promise<void> {
    const body = { event_id: event.event_id, event: event.event, record: event.record };
    await this.inbox.receive({
      channel: SERVICENOW_CHANNEL,
      scope: SERVICENOW_CHANNEL,
      sourceId: null,
      sourceLabel: 'ServiceNow (reconciliation)',
      idempotencyKey: event.event_id,
      orderKey: orderKeyOf(event),
      dedupKey: event.journal?.element_id ?? event.record.sys_id,
      action: event.event,
      summary: summary?.trim().slice(0, 500) || null,
      contentType: 'application/json',
      rawBody: Buffer.from(JSON.stringify(body)),
    });
  }

  private async retryOutbound(): Promise<number> {
    const links = await this.store.unsynced(RETRY_BATCH, this.retryQuietMs);
    let retried = 0;
    for (const link of links) {
      try {
        await this.outbound.resync(link.incidentId);
        retried++;
      } catch (e) {
        this.logger.warn(`Retrying the sync of incident ${link.incidentId} failed: ${String(e)}`);
      }
    }
    return retried;
  }
}
