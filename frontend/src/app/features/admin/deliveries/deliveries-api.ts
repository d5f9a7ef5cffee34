import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiSchema } from '../../../core/api/api-schema';
import { DeliveryStatus, DeliveryView } from '../../../shared/deliveries/delivery';

export interface DeliveryQuery {
  readonly status: DeliveryStatus | '';
  readonly consumer: string;
  readonly incidentId: string;
  /** Only the stalled ones. */
  readonly stalled: boolean;
}

export type DeliveryPage = ApiSchema<'DeliveryPageView'>;
export type DeliverySummary = ApiSchema<'DeliverySummaryView'>;

export const DELIVERY_PAGE_SIZE = 50;

/** The outbox's deliveries, for admins: the only place that knows the `/api/deliveries` URLs. */
@Injectable({ providedIn: 'root' })
export class DeliveriesApi {
  private readonly http = inject(HttpClient);

  /** The first page for the current filters. Call in an injection context. */
  firstPage(query: () => DeliveryQuery): HttpResourceRef<DeliveryPage | undefined> {
    return httpResource<DeliveryPage>(() => ({ url: '/api/deliveries', params: paramsOf(query()) }));
  }

  /** The page after `cursor` (keyset paging). */
  nextPage(query: DeliveryQuery, cursor: string): Observable<DeliveryPage> {
    return this.http.get<DeliveryPage>('/api/deliveries', { params: { ...paramsOf(query), cursor } });
  }

  /** Counts per consumer. Call in an injection context. */
  summary(): HttpResourceRef<DeliverySummary | undefined> {
    return httpResource<DeliverySummary>(() => '/api/deliveries/summary');
  }

  /** A dead, failed or stalled delivery goes back to pending with its attempts reset. */
  replay(id: string): Observable<DeliveryView> {
    return this.http.post<DeliveryView>(`/api/deliveries/${encodeURIComponent(id)}/replay`, {});
  }
}

function paramsOf(query: DeliveryQuery): Record<string, string | number> {
  const params: Record<string, string | number> = { limit: DELIVERY_PAGE_SIZE };
  if (query.status) params['status'] = query.status;
  if (query.consumer) params['consumer'] = query.consumer;
  if (query.incidentId.trim()) params['incidentId'] = query.incidentId.trim();
  if (query.stalled) params['stalled'] = 'true';
  return params;
}
