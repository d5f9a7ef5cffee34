import type { ServiceNowRecentError } from './servicenow-call-stats';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { IncidentQueries } from '../incidents/incident-queries';
import { SERVICENOW_SETTINGS, type ServiceNowSettingsSource } from './servicenow-sync-settings';
import type { FirstImportView, IncidentSyncView, SyncSummaryView } from './dto/servicenow-sync.view';

const SUMMARY_SQL = `
  SELECT s.last_webhook_at, s.last_run_at, s.last_success_at, s.last_run_ok, s.last_run_error,
         extract(epoch FROM now() - s.last_success_at)::int AS lag_seconds,
         s.first_import_state, s.first_import_imported, s.first_import_total,
         s.first_import_started_at, s.first_import_finished_at, s.first_import_error,
         (SELECT count(*) FROM servicenow_links WHERE status = 'pending')::int AS pending,
         (SELECT count(*) FROM servicenow_links WHERE status = 'failed')::int AS failed
    FROM servicenow_sync_state s WHERE s.id = 1`;

const RECENT_ERRORS_SQL = `
  SELECT l.last_error_at AS at, l.last_error AS message, i.number
    FROM servicenow_links l JOIN incidents i ON i.id = l.incident_id
   WHERE l.status = 'failed' AND l.last_error IS NOT NULL
   ORDER BY l.last_error_at DESC NULLS LAST
   LIMIT 10`;

/** The number in "ServiceNow refused the change (403): …", for the errors list. */
const STATUS_IN_MESSAGE = /\((\d{3})\)/;

/**
 * What the sync shows of itself: for the Integrations page's health (H2's health endpoint calls
 * `summary()`), and per incident (GET /api/incidents/:id/servicenow).
 */
@Injectable()
export class ServiceNowSyncStatus {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queries: IncidentQueries,
    @Inject(SERVICENOW_SETTINGS) private readonly settings: ServiceNowSettingsSource,
  ) {}

  async summary(): Promise<SyncSummaryView> {
    const [row] = await this.dataSource.query<
      {
        last_webhook_at: Date | null;
        last_run_at: Date | null;
        last_success_at: Date | null;
        last_run_ok: boolean | null;
        last_run_error: string | null;
        lag_seconds: number | null;
        pending: number;
        failed: number;
        first_import_state: FirstImportView['state'];
        first_import_imported: number;
        first_import_total: number | null;
        first_import_started_at: Date | null;
        first_import_finished_at: Date | null;
        first_import_error: string | null;
      }[]
    >(SUMMARY_SQL);
    const errors =
      await this.dataSource.query<{ at: Date | null; message: string; number: string }[]>(RECENT_ERRORS_SQL);
    const recentErrors = errors.map((e) => ({
      at: e.at?.toISOString() ?? null,
      operation: `sync ${e.number}`,
      status: Number(STATUS_IN_MESSAGE.exec(e.message)?.[1] ?? '') || null,
      message: e.message,
    }));
    if (row?.last_run_ok === false && row.last_run_error) {
      recentErrors.unshift({
        at: row.last_run_at?.toISOString() ?? null,
        operation: 'reconciliation',
        status: null,
        message: row.last_run_error,
      });
    }
    return {
      lastWebhookAt: row?.last_webhook_at?.toISOString() ?? null,
      lastReconciliationAt: row?.last_success_at?.toISOString() ?? null,
      reconciliationLagSeconds: row?.lag_seconds ?? null,
      pendingSyncs: row?.pending ?? 0,
      failedSyncs: row?.failed ?? 0,
      firstImport: {
        state: row?.first_import_state ?? 'pending',
        imported: row?.first_import_imported ?? 0,
        total: row?.first_import_total ?? null,
        startedAt: row?.first_import_started_at?.toISOString() ?? null,
        finishedAt: row?.first_import_finished_at?.toISOString() ?? null,
        lastError: row?.first_import_error ?? null,
      },
      recentErrors,
    };
  }

  /** One incident's sync (404 INCIDENT_NOT_FOUND for an unknown id or number). */
  async ofIncident(idOrNumber: string): Promise<IncidentSyncView> {
    const incident = await this.queries.get(idOrNumber);
    const [link] = await this.dataSource.query<
      {
        sys_id: string | null;
        number: string | null;
        last_synced_at: Date | null;
        status: 'synced' | 'pending' | 'failed';
        last_error: string | null;
      }[]
    >(
      'SELECT sys_id, number, last_synced_at, status, last_error FROM servicenow_links WHERE incident_id = $1',
      [incident.id],
    );
    const { instanceUrl } = await this.settings.read();
    return {
      linked: Boolean(link?.sys_id),
      sysId: link?.sys_id ?? null,
      number: link?.number ?? null,
      url:
        link?.sys_id && instanceUrl
          ? `${instanceUrl}/nav_to.do?uri=${encodeURIComponent(`incident.do?sys_id=${link.sys_id}`)}`
          : null,
      lastSyncedAt: link?.last_synced_at?.toISOString() ?? null,
      status: link ? link.status : 'not_linked',
      lastError: link?.last_error ?? null,
    };
  }
}

/** What the sync side reports on the Integrations page (webhooks, reconciliation, the outbox). */
export interface ServiceNowSyncSummary {
  readonly lastWebhookAt: string | null;
  readonly lastReconciliationAt: string | null;
  readonly reconciliationLagSeconds: number | null;
  readonly pendingSyncs: number;
  readonly failedSyncs: number;
  /** The first connection's import of open incidents. */
  readonly firstImport: FirstImportView;
  /** Sync failures to list next to the client's call errors (merged newest first). */
  readonly recentErrors?: readonly ServiceNowRecentError[];
}

/**
 * Implemented by the sync side (its ServiceNowSyncStatus) and provided under
 * SERVICENOW_SYNC_STATUS in ServiceNowModule: `{ provide: SERVICENOW_SYNC_STATUS, useExisting: ServiceNowSyncStatus }`.
 * Without a provider the health view shows nulls for those parts.
 */
export interface SyncStatusSource {
  summary(): Promise<ServiceNowSyncSummary>;
}

export const SERVICENOW_SYNC_STATUS = Symbol('SERVICENOW_SYNC_STATUS');
