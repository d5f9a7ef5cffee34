import type { ServiceNowRecentError } from './servicenow-call-stats';

/** What the sync side reports on the Integrations page (webhooks, reconciliation, the outbox). */
export interface ServiceNowSyncSummary {
  readonly lastWebhookAt: string | null;
  readonly lastReconciliationAt: string | null;
  readonly reconciliationLagSeconds: number | null;
  readonly pendingSyncs: number;
  readonly failedSyncs: number;
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
