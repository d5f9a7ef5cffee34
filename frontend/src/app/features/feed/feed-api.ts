import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { EMPTY, expand, Observable, reduce } from 'rxjs';

import { ApiSchema } from '../../core/api/api-schema';

export type FeedIncident = ApiSchema<'IncidentView'>;
export type FeedIncidentPage = ApiSchema<'IncidentPageView'>;

/** How many recently changed incidents the feed starts with. */
export const FEED_SEED_SIZE = 25;
/** A resync reads changed incidents in pages of this size, at most 500 (the feed's length). */
export const FEED_RESYNC_PAGE_SIZE = 100;
export const FEED_RESYNC_MAX_PAGES = 5;

/** The feed's reads over REST: what it starts with, and what it missed while disconnected. */
@Injectable({ providedIn: 'root' })
export class FeedApi {
  private readonly http = inject(HttpClient);

  /** The most recently changed incidents. */
  recent(): Observable<FeedIncidentPage> {
    return this.http.get<FeedIncidentPage>('/api/incidents', {
      params: { sort: '-updatedAt', limit: FEED_SEED_SIZE },
    });
  }

  /**
   * Every incident changed at or after `since` (ISO 8601), newest first, paged through up to as
   * many as the feed keeps (docs/live.md, "Reconnect and resync").
   */
  changedSince(since: string): Observable<readonly FeedIncident[]> {
    const page = (cursor?: string) =>
      this.http.get<FeedIncidentPage>('/api/incidents', {
        params: {
          sort: '-updatedAt',
          updatedSince: since,
          limit: FEED_RESYNC_PAGE_SIZE,
          ...(cursor ? { cursor } : {}),
        },
      });
    return page().pipe(
      expand((current, index) =>
        current.nextCursor && index + 1 < FEED_RESYNC_MAX_PAGES ? page(current.nextCursor) : EMPTY,
      ),
      reduce<FeedIncidentPage, readonly FeedIncident[]>((all, current) => [...all, ...current.items], []),
    );
  }

  incident(id: string): Observable<FeedIncident> {
    return this.http.get<FeedIncident>(`/api/incidents/${encodeURIComponent(id)}`);
  }
}
