import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiSchema } from '../../core/api/api-schema';

export type FeedIncident = ApiSchema<'IncidentView'>;
export type FeedIncidentPage = ApiSchema<'IncidentPageView'>;

/** How many recently changed incidents the feed starts with. */
export const FEED_SEED_SIZE = 25;
/** One resync asks for at most this many changed incidents (newest first). */
export const FEED_RESYNC_LIMIT = 100;

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

  /** Incidents changed at or after `since` (ISO 8601), newest first. */
  changedSince(since: string): Observable<FeedIncidentPage> {
    return this.http.get<FeedIncidentPage>('/api/incidents', {
      params: { sort: '-updatedAt', updatedSince: since, limit: FEED_RESYNC_LIMIT },
    });
  }

  incident(id: string): Observable<FeedIncident> {
    return this.http.get<FeedIncident>(`/api/incidents/${encodeURIComponent(id)}`);
  }
}
