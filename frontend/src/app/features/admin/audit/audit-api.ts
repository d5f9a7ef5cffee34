import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiSchema } from '../../../core/api/api-schema';

/** One recorded event (`AuditEventView` in docs/auth.md). */
export type AuditEvent = ApiSchema<'AuditEventView'>;
export type AuditOutcome = AuditEvent['outcome'];
/** `nextCursor`: pass it back as `cursor` for the next (older) page; null on the last page. */
export type AuditPage = ApiSchema<'AuditPageView'>;
export type AuditActions = ApiSchema<'AuditActionsView'>;

/**
 * Filters as the API takes them; empty ones are left out. `action` is an exact action or a
 * prefix ending in "." (`auth.` = every auth event); `from`/`to` are ISO 8601 instants.
 */
export interface AuditQuery {
  readonly action: string;
  readonly outcome: AuditOutcome | '';
  readonly from: string;
  readonly to: string;
}

export const AUDIT_PAGE_SIZE = 50;

/** The audit log: the only place that knows the `/api/audit` URLs. */
@Injectable({ providedIn: 'root' })
export class AuditApi {
  private readonly http = inject(HttpClient);

  /** The newest page for the current filters. Call in an injection context. */
  firstPage(query: () => AuditQuery): HttpResourceRef<AuditPage | undefined> {
    return httpResource<AuditPage>(() => ({ url: '/api/audit', params: paramsOf(query()) }));
  }

  /** The page after `cursor` (keyset paging: older events). */
  nextPage(query: AuditQuery, cursor: string): Observable<AuditPage> {
    return this.http.get<AuditPage>('/api/audit', { params: { ...paramsOf(query), cursor } });
  }

  /** Every action the product records, for the action filter. Call in an injection context. */
  actions(): HttpResourceRef<AuditActions | undefined> {
    return httpResource<AuditActions>(() => '/api/audit/actions');
  }
}

function paramsOf(query: AuditQuery): Record<string, string | number> {
  const params: Record<string, string | number> = { limit: AUDIT_PAGE_SIZE };
  if (query.action) params['action'] = query.action;
  if (query.outcome) params['outcome'] = query.outcome;
  if (query.from) params['from'] = query.from;
  if (query.to) params['to'] = query.to;
  return params;
}
