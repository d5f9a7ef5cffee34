import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import type { ApiSchema } from '../../../core/api/api-schema';

// The ServiceNow connection API (docs/servicenow.md): named aliases of the types generated from
// the OpenAPI document (`npm run api:types`).

export type ServiceNowConnectionView = ApiSchema<'ServiceNowConnectionView'>;
/** `PUT /api/integrations/servicenow`: what is left out keeps its value; secrets are write-only. */
export type ServiceNowConnectionUpdate = ApiSchema<'UpdateServiceNowConnectionDto'>;
export type ServiceNowGrant = ServiceNowConnectionView['grant'];
/** Who set the connection: the server's environment (read-only here) or an admin in the console. */
export type ServiceNowConnectionSource = NonNullable<ServiceNowConnectionView['source']>;
/**
 * How our values are written to the instance (raw Table API values): states → `state` codes,
 * close codes → `close_code` values, impact and urgency → ServiceNow's (priority is never written).
 */
export type ServiceNowMapping = ApiSchema<'ServiceNowMappingView'>;
/** Our impact and urgency levels (1 high … 3 low) as the mapping's keys. */
export type MappedLevel = `${keyof ServiceNowMapping['impact']}`;

export type ServiceNowTestResult = ApiSchema<'ServiceNowTestView'>;
export type ServiceNowTestStep = ApiSchema<'ServiceNowTestStepView'>;
export type ServiceNowTestStepName = ServiceNowTestStep['step'];

export type ServiceNowCallStatsView = ApiSchema<'ServiceNowCallStatsView'>;
export type ServiceNowRecentError = ApiSchema<'ServiceNowRecentErrorView'>;

/** The first connection's import of open incidents (state, counts, times, last error). */
export type FirstImportView = ApiSchema<'FirstImportView'>;

/** `GET /api/integrations/servicenow/health`. */
export type ServiceNowHealthView = ApiSchema<'ServiceNowHealthView'>;
export type ServiceNowCircuitState = ServiceNowHealthView['circuit'];

export type ServiceNowConflictPolicyView = ApiSchema<'ConflictPolicyView'>;
export type ServiceNowConflictPolicyField = ApiSchema<'FieldPolicyView'>;
export type ServiceNowFieldOwner = ServiceNowConflictPolicyField['owner'];

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
