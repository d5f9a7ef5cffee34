import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, linkedSignal, signal } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatCheckbox } from '@angular/material/checkbox';
import { MatDialog } from '@angular/material/dialog';
import { MatFormField, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatOption, MatSelect } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import {
  MatCell,
  MatCellDef,
  MatColumnDef,
  MatHeaderCell,
  MatHeaderCellDef,
  MatHeaderRow,
  MatHeaderRowDef,
  MatNoDataRow,
  MatRow,
  MatRowDef,
  MatTable,
} from '@angular/material/table';
import { ParamMap, Params, RouterLink } from '@angular/router';
import { filter, switchMap } from 'rxjs';

import { Problem, problemFrom } from '../../../core/problem';
import { ConfirmDialog } from '../../../shared/confirm-dialog/confirm-dialog';
import { toastConfig } from '../../../shared/material-config';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import {
  DELIVERY_STATUS_LABELS,
  DELIVERY_STATUSES,
  DeliveryStatus,
  DeliveryView,
} from '../../../shared/deliveries/delivery';
import { DeliveryStatusPill } from '../../../shared/deliveries/delivery-status-pill';
import { FilterBar } from '../../../shared/filter-bar/filter-bar';
import { DeliveriesApi, DeliveryQuery } from './deliveries-api';
import { LaterPages } from '../../../shared/keyset-pages';
import { UrlQuery } from '../../../shared/url-query';

const REPLAYABLE: readonly DeliveryStatus[] = ['dead', 'failed'];

/** The list filters as they are kept in the URL; unknown values are ignored. */
export function deliveryQueryFromParams(params: ParamMap): DeliveryQuery {
  const status = params.get('status');
  return {
    status: DELIVERY_STATUSES.find((s) => s === status) ?? '',
    consumer: params.get('consumer')?.trim() ?? '',
    incidentId: params.get('incidentId')?.trim() ?? '',
    stalled: params.get('stalled') === 'true',
  };
}

/** The inverse of `deliveryQueryFromParams`: only the filters that are set. */
export function paramsFromDeliveryQuery(query: DeliveryQuery): Params {
  const params: Params = {};
  if (query.status) params['status'] = query.status;
  if (query.consumer) params['consumer'] = query.consumer;
  if (query.incidentId) params['incidentId'] = query.incidentId;
  if (query.stalled) params['stalled'] = 'true';
  return params;
}

/** The outbox at a glance: counts per consumer, every delivery, and a replay for the stuck and stalled ones. */
@Component({
  selector: 'nx-delivery-list',
  imports: [
    DatePipe,
    RouterLink,
    MatTable,
    MatColumnDef,
    MatHeaderCell,
    MatHeaderCellDef,
    MatCell,
    MatCellDef,
    MatHeaderRow,
    MatHeaderRowDef,
    MatRow,
    MatRowDef,
    MatNoDataRow,
    MatFormField,
    MatLabel,
    MatInput,
    MatSelect,
    MatOption,
    MatButton,
    MatCheckbox,
    MatProgressBar,
    DeliveryStatusPill,
    FilterBar,
    ProblemNotice,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  templateUrl: './delivery-list.html',
  styleUrl: './delivery-list.scss',
})
export class DeliveryList {
  private readonly api = inject(DeliveriesApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);

  protected readonly statuses = DELIVERY_STATUSES;
  protected readonly statusLabels = DELIVERY_STATUS_LABELS;
  protected readonly columns = [
    'createdAt',
    'consumer',
    'eventType',
    'incident',
    'status',
    'attempts',
    'lastError',
    'nextAttemptAt',
    'actions',
  ];

  /** The filters live in the URL (`?status=dead&consumer=slack&incidentId=…&stalled=true`), so a link or a reload shows the same list. */
  private readonly filters = new UrlQuery(deliveryQueryFromParams, paramsFromDeliveryQuery);
  protected readonly query = this.filters.value;

  protected readonly summary = this.api.summary();
  protected readonly consumers = computed(() =>
    this.summary.hasValue() ? this.summary.value().byConsumer.map((row) => row.consumer) : [],
  );

  protected readonly firstPage = this.api.firstPage(this.query);
  private readonly more = new LaterPages(
    this.query,
    computed(() => (this.firstPage.hasValue() ? this.firstPage.value() : undefined)),
    (query: DeliveryQuery, cursor: string) => this.api.nextPage(query, cursor),
  );
  /** Rows replayed here, shown as the API returned them until the list is fetched again. */
  private readonly replayed = linkedSignal<DeliveryQuery, ReadonlyMap<string, DeliveryView>>({
    source: this.query,
    computation: () => new Map(),
  });
  protected readonly deliveries = computed<readonly DeliveryView[]>(() => {
    const replayed = this.replayed();
    return this.more.items().map((delivery) => replayed.get(delivery.id) ?? delivery);
  });
  protected readonly nextCursor = this.more.nextCursor;
  protected readonly loadingMore = this.more.loading;
  /** Why the last replay or "Load more" failed. */
  protected readonly problem = computed(() => this.replayProblem() ?? this.more.problem());
  private readonly replayProblem = signal<Problem | null>(null);

  protected canReplay(delivery: DeliveryView): boolean {
    return delivery.stalled || REPLAYABLE.includes(delivery.status);
  }

  protected showConsumer(consumer: string): void {
    this.setFilters({ consumer });
  }

  protected showStalled(consumer: string): void {
    this.setFilters({ consumer, stalled: true });
  }

  protected setStalled(stalled: boolean): void {
    this.setFilters({ stalled });
  }

  protected setStatus(status: DeliveryStatus | ''): void {
    this.setFilters({ status });
  }

  protected setConsumer(consumer: string): void {
    this.setFilters({ consumer });
  }

  protected setIncident(incidentId: string): void {
    this.setFilters({ incidentId: incidentId.trim() });
  }

  /** Filters go into the URL; the list follows the URL. */
  private setFilters(change: Partial<DeliveryQuery>): void {
    this.filters.set(change);
  }

  protected replay(delivery: DeliveryView): void {
    this.replayProblem.set(null);
    const why = delivery.stalled
      ? 'It is stalled: its worker stopped during an attempt, or no worker has taken it for a while. '
      : '';
    ConfirmDialog.ask(this.dialog, {
      title: `Replay this ${delivery.eventType} delivery?`,
      message: `${why}It goes back to pending for ${delivery.consumer} with its attempts reset; the consumer receives it again with the same idempotency key (${delivery.idempotencyKey}).`,
      confirmLabel: 'Replay',
    })
      .pipe(
        filter(Boolean),
        switchMap(() => this.api.replay(delivery.id)),
      )
      .subscribe({
        next: (updated) => {
          this.replayed.update((rows) => new Map(rows).set(updated.id, updated));
          this.summary.reload();
          this.snackBar.open('Delivery queued again.', undefined, toastConfig());
        },
        error: (error: unknown) => {
          this.replayProblem.set(problemFrom(error));
        },
      });
  }

  protected loadMore(): void {
    this.replayProblem.set(null);
    this.more.loadMore();
  }
}
