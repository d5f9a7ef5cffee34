import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { DeliveryStatus, DeliveryView } from '../../incidents/incident';

export interface DeliveryQuery {
  readonly status: DeliveryStatus | '';
  readonly consumer: string;
  readonly incidentId: string;
  /** Only the stalled ones. */
  readonly stalled: boolean;
  readonly cursor?: string;
}

/**
 * A delivery as the ledger lists it. `stalled`: pending or failed, and nothing will attempt it
 * soon (its worker stopped mid-attempt, or no worker has taken it for a while); an admin may
 * replay it (docs/deliveries.md, "Stalled deliveries").
 */
export interface LedgerDelivery extends DeliveryView {
  readonly stalled: boolean;
}

export interface DeliveryPage {
  readonly items: readonly LedgerDelivery[];
  readonly nextCursor: string | null;
}

export interface ConsumerSummary {
  readonly consumer: string;
  readonly pending: number;
  readonly failed: number;
  readonly dead: number;
  readonly delivered: number;
  /** Of the pending and failed ones. */
  readonly stalled: number;
}

export interface DeliverySummary {
  readonly byConsumer: readonly ConsumerSummary[];
}

export const DELIVERY_PAGE_SIZE = 50;

/** The outbox's deliveries, for admins: the only place that knows the `/api/deliveries` URLs. */
@Injectable({ providedIn: 'root' })
export class DeliveriesApi {
  private readonly http = inject(HttpClient);

  list(query: DeliveryQuery): Observable<DeliveryPage> {
    const params: Record<string, string | number> = { limit: DELIVERY_PAGE_SIZE };
    if (query.status) params['status'] = query.status;
    if (query.consumer) params['consumer'] = query.consumer;
    if (query.incidentId.trim()) params['incidentId'] = query.incidentId.trim();
    if (query.stalled) params['stalled'] = 'true';
    if (query.cursor) params['cursor'] = query.cursor;
    return this.http.get<DeliveryPage>('/api/deliveries', { params });
  }

  summary(): Observable<DeliverySummary> {
    return this.http.get<DeliverySummary>('/api/deliveries/summary');
  }

  /** A dead, failed or stalled delivery goes back to pending with its attempts reset. */
  replay(id: string): Observable<LedgerDelivery> {
    return this.http.post<LedgerDelivery>(`/api/deliveries/${encodeURIComponent(id)}/replay`, {});
  }
}
