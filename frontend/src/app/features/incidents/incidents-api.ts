import { HttpClient, HttpHeaders, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { EMPTY, expand, Observable, reduce } from 'rxjs';

import { ApiSchema } from '../../core/api/api-schema';
import { InboundEventList } from '../../shared/inbound-events/inbound-event';
import {
  CommentKind,
  IncidentPage,
  IncidentServiceNowView,
  IncidentPatch,
  IncidentQuery,
  IncidentView,
  NewIncident,
  Resolution,
  TimelineEntryView,
  TimelinePage,
} from './incident';

export type IncidentDeliveries = ApiSchema<'DeliveryListView'>;

export const INCIDENT_PAGE_SIZE = 50;
export const TIMELINE_PAGE_SIZE = 100;
/** A resync reads at most RESYNC_PAGE_SIZE × RESYNC_MAX_PAGES changed incidents. */
export const RESYNC_PAGE_SIZE = 100;
export const RESYNC_MAX_PAGES = 5;

/**
 * Incidents: the only place that knows the `/api/incidents` URLs. Reads are resources (call them
 * in an injection context; they reload when their arguments change), writes are observables.
 * Every write that changes the incident takes the version the user saw, so a change made
 * meanwhile by someone else is refused with `409 INCIDENT_STALE_VERSION` instead of being
 * overwritten.
 */
@Injectable({ providedIn: 'root' })
export class IncidentsApi {
  private readonly http = inject(HttpClient);

  /** The first page for the current filters. */
  firstPage(query: () => IncidentQuery): HttpResourceRef<IncidentPage | undefined> {
    return httpResource<IncidentPage>(() => ({ url: '/api/incidents', params: listParams(query()) }));
  }

  /** The page after `cursor` (keyset paging). */
  nextPage(query: IncidentQuery, cursor: string): Observable<IncidentPage> {
    return this.http.get<IncidentPage>('/api/incidents', { params: listParams({ ...query, cursor }) });
  }

  /**
   * Every incident changed at or after `since` (ISO 8601), most recently changed first, paged
   * through up to RESYNC_MAX_PAGES: what the live pages fetch after a reconnect that lost events
   * (docs/live.md, "Reconnect and resync").
   */
  changedSince(since: string): Observable<readonly IncidentView[]> {
    const page = (cursor?: string) =>
      this.http.get<IncidentPage>('/api/incidents', {
        params: {
          sort: '-updatedAt',
          updatedSince: since,
          limit: RESYNC_PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        },
      });
    return page().pipe(
      expand((current, index) =>
        current.nextCursor && index + 1 < RESYNC_MAX_PAGES ? page(current.nextCursor) : EMPTY,
      ),
      reduce<IncidentPage, readonly IncidentView[]>((all, current) => [...all, ...current.items], []),
    );
  }

  /** By id or by number (`INC0001234`); nothing is loaded while `idOrNumber()` is undefined. */
  incident(idOrNumber: () => string | undefined): HttpResourceRef<IncidentView | undefined> {
    return httpResource<IncidentView>(() => {
      const id = idOrNumber();
      return id === undefined ? undefined : this.url(id);
    });
  }

  /** One read, for a page that must compare before it shows (the edit form after a resync). */
  get(idOrNumber: string): Observable<IncidentView> {
    return this.http.get<IncidentView>(this.url(idOrNumber));
  }

  create(incident: NewIncident): Observable<IncidentView> {
    return this.http.post<IncidentView>('/api/incidents', incident);
  }

  /** Sends only the given fields, guarded by `If-Match: "<version>"`. */
  update(id: string, patch: IncidentPatch, version: number): Observable<IncidentView> {
    return this.http.patch<IncidentView>(this.url(id), patch, {
      headers: new HttpHeaders({ 'If-Match': `"${String(version)}"` }),
    });
  }

  acknowledge(id: string, version: number): Observable<IncidentView> {
    return this.act(id, 'acknowledge', { version });
  }

  /** `assigneeId: null` unassigns; `assignmentGroup` is left alone unless given. */
  assign(
    id: string,
    assignment: { readonly assigneeId: string | null; readonly assignmentGroup?: string },
    version: number,
  ): Observable<IncidentView> {
    return this.act(id, 'assign', { ...assignment, version });
  }

  hold(id: string, reason: string, version: number): Observable<IncidentView> {
    return this.act(id, 'hold', { reason, version });
  }

  resolve(id: string, resolution: Resolution, version: number): Observable<IncidentView> {
    return this.act(id, 'resolve', { ...resolution, version });
  }

  close(id: string, version: number): Observable<IncidentView> {
    return this.act(id, 'close', { version });
  }

  cancel(id: string, reason: string, version: number): Observable<IncidentView> {
    return this.act(id, 'cancel', { reason, version });
  }

  reopen(id: string, reason: string, version: number): Observable<IncidentView> {
    return this.act(id, 'reopen', { reason, version });
  }

  resume(id: string, reason: string, version: number): Observable<IncidentView> {
    return this.act(id, 'resume', { reason, version });
  }

  /** Comments are appended to the timeline and never conflict, so they carry no version. */
  comment(id: string, body: string, kind: CommentKind): Observable<TimelineEntryView> {
    return this.http.post<TimelineEntryView>(`${this.url(id)}/comments`, { body, kind });
  }

  /** The oldest entries of `id()`'s timeline. */
  timeline(id: () => string): HttpResourceRef<TimelinePage | undefined> {
    return httpResource<TimelinePage>(() => ({
      url: `${this.url(id())}/timeline`,
      params: { limit: TIMELINE_PAGE_SIZE },
    }));
  }

  /** The timeline entries after `cursor` (a page's `nextCursor`). */
  timelineAfter(id: string, cursor: string): Observable<TimelinePage> {
    return this.http.get<TimelinePage>(`${this.url(id)}/timeline`, {
      params: { limit: TIMELINE_PAGE_SIZE, cursor },
    });
  }

  /** The side effects of `id()`'s changes, one per consumer and event. */
  deliveries(id: () => string): HttpResourceRef<IncidentDeliveries | undefined> {
    return httpResource<IncidentDeliveries>(() => `${this.url(id())}/deliveries`);
  }

  /** The inbound events (webhook producers) that opened, grouped into or acted on `id()`, oldest first. */
  events(id: () => string): HttpResourceRef<InboundEventList | undefined> {
    return httpResource<InboundEventList>(() => `${this.url(id())}/events`);
  }

  /** `id()`'s ServiceNow record (number, link) and sync status. */
  servicenow(id: () => string): HttpResourceRef<IncidentServiceNowView | undefined> {
    return httpResource<IncidentServiceNowView>(() => `${this.url(id())}/servicenow`);
  }

  private act(id: string, action: string, body: object): Observable<IncidentView> {
    return this.http.post<IncidentView>(`${this.url(id)}/${action}`, body);
  }

  private url(id: string): string {
    return `/api/incidents/${encodeURIComponent(id)}`;
  }
}

/** The list query as URL parameters; empty filters are left out, lists are comma-separated. */
export function listParams(query: IncidentQuery): Record<string, string | number> {
  const params: Record<string, string | number> = {
    sort: query.sort,
    limit: query.limit ?? INCIDENT_PAGE_SIZE,
  };
  if (query.state.length) params['state'] = query.state.join(',');
  if (query.priority.length) params['priority'] = query.priority.join(',');
  if (query.assignee) params['assigneeId'] = query.assignee;
  if (query.source) params['source'] = query.source;
  const q = query.q.trim();
  if (q) params['q'] = q;
  if (query.cursor) params['cursor'] = query.cursor;
  return params;
}
