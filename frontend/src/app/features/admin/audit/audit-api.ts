import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

export type AuditOutcome = 'success' | 'failure';

/** One recorded event (`AuditEventView` in docs/auth.md). */
export interface AuditEvent {
  readonly id: string;
  readonly occurredAt: string;
  readonly actor: {
    readonly type: 'user' | 'api_key' | 'system' | 'anonymous';
    readonly id: string | null;
    readonly label: string | null;
  };
  readonly action: string;
  readonly outcome: AuditOutcome;
  readonly target: {
    readonly type: string;
    readonly id: string | null;
    readonly label: string | null;
  } | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly details: unknown;
}

export interface AuditPage {
  readonly items: readonly AuditEvent[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

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
  actions(): HttpResourceRef<{ readonly items: readonly string[] } | undefined> {
    return httpResource<{ readonly items: readonly string[] }>(() => '/api/audit/actions');
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
