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

const FIELDS_SQL = `SELECT to_char(watermark_updated_on, 'YYYY-MM-DD HH24:MI:SS') AS updated_on, watermark_sys_id AS sys_id
  FROM servicenow_sync_state WHERE id = 1`;

/**
 * Repairs whatever webhooks missed (docs/servicenow.md, "Reconciliation"): every interval, under an
 * advisory lock, pages through the records changed since the watermark, ordered and paged on the
 * pair (sys_updated_on, sys_id) — rest of a second by sys_id, then the following seconds — so a
 * second holding more records than a page is neither skipped nor repeated forever. The run starts
 * again at the watermark's whole second (the overlap: sys_updated_on has one-second granularity)
 * and dedupes by sys_id + sys_mod_count: a record not newer than the version we hold is skipped;
 * the rest go through the inbox like a webhook (idempotency key `reconcile:<sys_id>:<sys_mod_count>`,
 * the record's order key), with the journal entries of each changed record. The first run (no
 * watermark) imports the open incidents. Then it retries our pending and failed outbound links.
 */
@Injectable()
export class ServiceNowReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ServiceNowReconciler.name);
  private timer: NodeJS.Timeout | undefined;
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
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.run()
        .catch((e: unknown) => this.logger.warn(`ServiceNow reconciliation failed: ${String(e)}`))
        .finally(() => (this.running = undefined));
    }, interval);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
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
    const [mark] =
      await this.dataSource.query<{ updated_on: string | null; sys_id: string | null }[]>(FIELDS_SQL);
    let seen = 0;
    let queued = 0;
    // Where the run is: the last record handled (the watermark when it ends).
    const at: { last: { on: string; id: string } | null } = {
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
      if (!at.last) {
        // First run: import what is open (then everything changed after it).
        const first = this.pages(`stateIN1,2,3^ORDERBYsys_updated_on^ORDERBYsys_id`);
        for await (const page of first) await handle(page);
        // Nothing open: start from a few minutes ago by our clock (the integration user runs in GMT).
        at.last ??= { on: serviceNowTime(new Date(Date.now() - 300_000)), id: '' };
      }
      if (at.last) {
        // The watermark's whole second again (the overlap), by sys_id; then the seconds after it.
        let on = at.last.on;
        let afterId = '';
        for (;;) {
          for (;;) {
            const query = `sys_updated_on=${on}${afterId ? `^sys_id>${afterId}` : ''}^ORDERBYsys_id`;
            const { records } = await this.client.listIncidents(query, { limit: this.pageSize });
            await handle(records);
            if (records.length < this.pageSize) break;
            afterId = records.at(-1)!.sys_id;
          }
          const { records } = await this.client.listIncidents(
            `sys_updated_on>${on}^ORDERBYsys_updated_on^ORDERBYsys_id`,
            { limit: this.pageSize },
          );
          await handle(records);
          if (records.length < this.pageSize) break;
          // The page may have cut its last second short: finish it by sys_id, then go on.
          on = records.at(-1)!.sys_updated_on;
          afterId = records.at(-1)!.sys_id;
        }
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
        [
          at.last?.on ?? null,
          at.last?.id ?? null,
          startedAt,
          (e instanceof Error ? e.message : String(e)).slice(0, 2000),
        ],
      );
      throw e;
    }
  }

  /** Pages of one query, following offsets (used once, for the first import). */
  private async *pages(query: string): AsyncGenerator<ServiceNowRecord[]> {
    for (let offset = 0; ; offset += this.pageSize) {
      const { records } = await this.client.listIncidents(query, { limit: this.pageSize, offset });
      if (records.length) yield records;
      if (records.length < this.pageSize) return;
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
