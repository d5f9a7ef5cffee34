import { HttpClient, HttpHeaders } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { catchError, map, Observable, of, throwError } from 'rxjs';

import type { ApiQuery, ApiSchema } from '../../core/api/api-schema';
import { ProblemError } from '../../core/problem';

// The analytics API (docs/metrics.md): named aliases of the types generated from the OpenAPI
// document (`npm run api:types`).

export type SummaryView = ApiSchema<'SummaryView'>;
export type DurationStats = ApiSchema<'DurationStatsView'>;
export type ResponseTimesView = ApiSchema<'ResponseTimesView'>;
export type DurationPoint = ApiSchema<'DurationPointView'>;
export type BacklogView = ApiSchema<'BacklogView'>;
export type BacklogStateRow = ApiSchema<'BacklogStateView'>;
export type BacklogState = BacklogStateRow['state'];
export type SlaView = ApiSchema<'SlaView'>;
export type SourcesView = ApiSchema<'SourcesView'>;
export type AnalyticsSource = ApiSchema<'SourceTotalView'>['source'];
export type Bucket = ResponseTimesView['bucket'];

/** What every series endpoint takes (`from`, `to`, `tz`, `priority`, `bucket`). */
export type SeriesParams = ApiQuery<'AnalyticsController_responseTimes'>;
/** The summary: the series' range without a bucket. */
export type SummaryParams = ApiQuery<'AnalyticsController_summary'>;
/** The backlog is a snapshot: only the priority narrows it. */
export type BacklogParams = ApiQuery<'AnalyticsController_backlog'>;

/** The five answers, by path under `/api/analytics/`. */
export interface AnalyticsViews {
  summary: SummaryView;
  'response-times': ResponseTimesView;
  backlog: BacklogView;
  sla: SlaView;
  sources: SourcesView;
}
export type AnalyticsPath = keyof AnalyticsViews;

/**
 * One read: `view` is the answer, or undefined when the API said 304 (the view we hold is still
 * current); `etag` is what to send back in `If-None-Match` next time.
 */
export interface Fetched<V> {
  readonly view: V | undefined;
  readonly etag: string | null;
}

export const ANALYTICS_URL = '/api/analytics';

/**
 * The only place that knows the `/api/analytics` URLs. Reads go through HttpClient (not
 * `httpResource`) because they carry `If-None-Match` and treat a 304 as "keep what you have".
 */
@Injectable({ providedIn: 'root' })
export class AnalyticsApi {
  private readonly http = inject(HttpClient);

  read<P extends AnalyticsPath>(
    path: P,
    params: Readonly<Record<string, string | number>>,
    etag: string | null,
  ): Observable<Fetched<AnalyticsViews[P]>> {
    // An author-set If-None-Match makes fetch hand the 304 to us instead of answering from the
    // browser's cache; HttpClient counts it as a failure, which the problem interceptor wraps.
    const headers = etag ? new HttpHeaders({ 'If-None-Match': etag }) : undefined;
    return this.http
      .get<AnalyticsViews[P]>(`${ANALYTICS_URL}/${path}`, { params, headers, observe: 'response' })
      .pipe(
        map((response) => ({ view: response.body ?? undefined, etag: response.headers.get('etag') })),
        catchError((error: unknown) =>
          error instanceof ProblemError && error.status === 304
            ? of({ view: undefined, etag })
            : throwError(() => error),
        ),
      );
  }

  /**
   * The same series as CSV (`Accept: text/csv`), through HttpClient so the access token and the
   * problem handling apply. Text, not a Blob, so a problem+json error body is still parsed.
   */
  csv(path: AnalyticsPath, params: Readonly<Record<string, string | number>>): Observable<string> {
    return this.http.get(`${ANALYTICS_URL}/${path}`, {
      params,
      headers: new HttpHeaders({ Accept: 'text/csv' }),
      responseType: 'text',
    });
  }
}
