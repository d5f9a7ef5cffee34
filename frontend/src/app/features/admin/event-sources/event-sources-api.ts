import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { InboundEventView } from '../../../shared/inbound-events/inbound-event';
import {
  CreatedEventSource,
  EventSourceList,
  EventSourcePatch,
  EventSourceView,
  InboundEventDetail,
  InboundEventPage,
  NewEventSource,
  RotatedKey,
  RotatedSecret,
  SourceEventsQuery,
} from './event-source';

export const INBOX_PAGE_SIZE = 50;

/**
 * Event sources and their inbox, for admins: the only place that knows the `/api/event-sources`
 * and `/api/inbox` URLs. Reads are resources (call them in an injection context), writes observables.
 */
@Injectable({ providedIn: 'root' })
export class EventSourcesApi {
  private readonly http = inject(HttpClient);

  list(): HttpResourceRef<EventSourceList | undefined> {
    return httpResource<EventSourceList>(() => '/api/event-sources');
  }

  source(id: () => string): HttpResourceRef<EventSourceView | undefined> {
    return httpResource<EventSourceView>(() => this.url(id()));
  }

  create(source: NewEventSource): Observable<CreatedEventSource> {
    return this.http.post<CreatedEventSource>('/api/event-sources', source);
  }

  update(id: string, patch: EventSourcePatch): Observable<EventSourceView> {
    return this.http.patch<EventSourceView>(this.url(id), patch);
  }

  /** A new integration key, shown once; the previous one stops working at once. */
  rotateKey(id: string): Observable<RotatedKey> {
    return this.http.post<RotatedKey>(`${this.url(id)}/rotate-key`, {});
  }

  /** A new signing secret: the one given, or a generated one (returned once). */
  rotateSecret(id: string, signingSecret?: string): Observable<RotatedSecret> {
    return this.http.post<RotatedSecret>(
      `${this.url(id)}/rotate-secret`,
      signingSecret ? { signingSecret } : {},
    );
  }

  /** Its received events stay in the inbox, under the source's name. */
  remove(id: string): Observable<unknown> {
    return this.http.delete(this.url(id));
  }

  /** The newest events of a source, for the current filters. */
  events(query: () => SourceEventsQuery): HttpResourceRef<InboundEventPage | undefined> {
    return httpResource<InboundEventPage>(() => ({ url: '/api/inbox', params: inboxParams(query()) }));
  }

  /** The (older) events after `cursor` (keyset paging). */
  eventsAfter(query: SourceEventsQuery, cursor: string): Observable<InboundEventPage> {
    return this.http.get<InboundEventPage>('/api/inbox', { params: { ...inboxParams(query), cursor } });
  }

  /** One event with its raw body; nothing is loaded while `id()` is undefined. */
  event(id: () => string | undefined): HttpResourceRef<InboundEventDetail | undefined> {
    return httpResource<InboundEventDetail>(() => {
      const eventId = id();
      return eventId === undefined ? undefined : `/api/inbox/${encodeURIComponent(eventId)}`;
    });
  }

  /** A failed event goes back to accepted and is processed again. */
  replay(id: string): Observable<InboundEventView> {
    return this.http.post<InboundEventView>(`/api/inbox/${encodeURIComponent(id)}/replay`, {});
  }

  private url(id: string): string {
    return `/api/event-sources/${encodeURIComponent(id)}`;
  }
}

function inboxParams(query: SourceEventsQuery): Record<string, string | number> {
  const params: Record<string, string | number> = { sourceId: query.sourceId, limit: INBOX_PAGE_SIZE };
  if (query.status) params['status'] = query.status;
  return params;
}
