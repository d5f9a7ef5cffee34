import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import type { CloseCode, IncidentState } from '../../../shared/incident-rules/priority';

// HAND-WRITTEN (issue 13): the ServiceNow connection API as /work/coord/issue-13.md specifies it,
// written before the backend routes exist. Once they are in the OpenAPI document (`npm run
// api:types`), each interface below becomes an alias, e.g.
// `export type ServiceNowConnectionView = ApiSchema<'ServiceNowConnectionView'>`. Checked against
// the DTOs on the i13/client and i13/sync branches (ServiceNowConnectionView, UpdateServiceNow-
// ConnectionDto, ServiceNowTestView, ServiceNowHealthView, ConflictPolicyView).

export type ServiceNowGrant = 'password' | 'client_credentials';
/** Who set the connection: the server's environment (read-only here) or an admin in the console. */
export type ServiceNowConnectionSource = 'environment' | 'console';

/** Our impact and urgency levels (1 high … 3 low) as the mapping's keys. */
export type MappedLevel = '1' | '2' | '3';

/**
 * How our values are written to the instance (raw Table API values): each of our states → a
 * ServiceNow `state` code (`"1"` New … `"8"` Canceled), each of our close codes → a `close_code`
 * value, our impact and urgency → ServiceNow's (priority is never written: the instance derives it).
 */
export interface ServiceNowMapping {
  readonly states: Readonly<Record<IncidentState, string>>;
  readonly closeCodes: Readonly<Record<CloseCode, string>>;
  readonly impact: Readonly<Record<MappedLevel, string>>;
  readonly urgency: Readonly<Record<MappedLevel, string>>;
}

/** `GET /api/integrations/servicenow`: secrets are never returned, only whether each is set. */
export interface ServiceNowConnectionView {
  readonly configured: boolean;
  readonly source: ServiceNowConnectionSource | null;
  readonly instanceUrl: string | null;
  readonly grant: ServiceNowGrant;
  readonly clientId: string | null;
  readonly username: string | null;
  readonly hasClientSecret: boolean;
  readonly hasPassword: boolean;
  readonly hasWebhookSecret: boolean;
  readonly defaultAssignmentGroup: string | null;
  readonly mapping: ServiceNowMapping;
  readonly enabled: boolean;
  readonly updatedAt: string | null;
  /** Who saved it last (the contract leaves the shape open: a name is assumed). */
  readonly updatedBy: string | null;
}

/**
 * `PUT /api/integrations/servicenow`: what is left out keeps its value. Secrets are write-only:
 * left out they stay, `null` removes them; `instanceUrl: null` disconnects. The console sends
 * every setting and only the secrets that were typed.
 */
export interface ServiceNowConnectionUpdate {
  readonly instanceUrl?: string | null;
  readonly grant?: ServiceNowGrant;
  readonly clientId?: string;
  readonly username?: string | null;
  readonly clientSecret?: string | null;
  readonly password?: string | null;
  /** 16 to 256 characters. */
  readonly webhookSecret?: string | null;
  readonly defaultAssignmentGroup?: string | null;
  readonly mapping?: ServiceNowMapping;
  readonly enabled?: boolean;
}

export type ServiceNowTestStepName = 'token' | 'read' | 'write' | 'webhook_secret';

/** One step of "Test connection"; `detail` carries the instance's own error text when it failed. */
export interface ServiceNowTestStep {
  readonly step: ServiceNowTestStepName;
  readonly ok: boolean;
  readonly detail: string;
  readonly durationMs: number;
}

/** `POST /api/integrations/servicenow/test`. */
export interface ServiceNowTestResult {
  readonly ok: boolean;
  readonly steps: readonly ServiceNowTestStep[];
}

export type ServiceNowCircuitState = 'closed' | 'open' | 'half_open';

/** Calls to the instance per operation (e.g. `incident.create`), over the recorded window. */
export interface ServiceNowCallStatsView {
  readonly operation: string;
  readonly count: number;
  readonly errors: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
}

export interface ServiceNowRecentError {
  readonly at: string | null;
  readonly operation: string;
  /** HTTP status of the instance's answer; null for a timeout, a network error or an open circuit. */
  readonly status: number | null;
  readonly message: string;
}

/** `GET /api/integrations/servicenow/health`. */
export interface ServiceNowHealthView {
  readonly calls: readonly ServiceNowCallStatsView[];
  readonly circuit: ServiceNowCircuitState;
  readonly tokenExpiresAt: string | null;
  readonly refreshTokenExpiresAt: string | null;
  readonly lastWebhookAt: string | null;
  readonly lastReconciliationAt: string | null;
  readonly reconciliationLagSeconds: number | null;
  readonly pendingSyncs: number | null;
  readonly failedSyncs: number | null;
  readonly recentErrors: readonly ServiceNowRecentError[];
}

export type ServiceNowFieldOwner = 'servicenow' | 'nexecute' | 'last_writer';

/** One mapped field and which side wins when both changed it. */
export interface ServiceNowConflictPolicyField {
  readonly ours: string;
  readonly theirs: string;
  readonly owner: ServiceNowFieldOwner;
}

/** `GET /api/integrations/servicenow/conflict-policy`. */
export interface ServiceNowConflictPolicyView {
  readonly fields: readonly ServiceNowConflictPolicyField[];
}

/** Problem codes the Integrations page branches on. */
export const INTEGRATION_MANAGED_BY_ENVIRONMENT = 'INTEGRATION_MANAGED_BY_ENVIRONMENT';
export const VALIDATION_FAILED = 'VALIDATION_FAILED';
/** 422: a setting the grant needs is missing (e.g. no client secret for a new connection). */
export const SERVICENOW_SETTINGS_INCOMPLETE = 'SERVICENOW_SETTINGS_INCOMPLETE';

export const SERVICENOW_URL = '/api/integrations/servicenow';

/**
 * The ServiceNow connection, for admins: the only place that knows the
 * `/api/integrations/servicenow` URLs. Reads are resources (call them in an injection context),
 * writes observables.
 */
@Injectable({ providedIn: 'root' })
export class ServiceNowApi {
  private readonly http = inject(HttpClient);

  connection(): HttpResourceRef<ServiceNowConnectionView | undefined> {
    return httpResource<ServiceNowConnectionView>(() => SERVICENOW_URL);
  }

  /** 409 `INTEGRATION_MANAGED_BY_ENVIRONMENT` when the server's environment sets the connection. */
  save(update: ServiceNowConnectionUpdate): Observable<ServiceNowConnectionView> {
    return this.http.put<ServiceNowConnectionView>(SERVICENOW_URL, update);
  }

  /** Tests the saved connection step by step (token, read, write permission, webhook secret). */
  test(): Observable<ServiceNowTestResult> {
    return this.http.post<ServiceNowTestResult>(`${SERVICENOW_URL}/test`, {});
  }

  health(): HttpResourceRef<ServiceNowHealthView | undefined> {
    return httpResource<ServiceNowHealthView>(() => `${SERVICENOW_URL}/health`);
  }

  conflictPolicy(): HttpResourceRef<ServiceNowConflictPolicyView | undefined> {
    return httpResource<ServiceNowConflictPolicyView>(() => `${SERVICENOW_URL}/conflict-policy`);
  }
}
