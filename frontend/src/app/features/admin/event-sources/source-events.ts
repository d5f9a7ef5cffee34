import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  linkedSignal,
  output,
  signal,
} from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormField, MatLabel } from '@angular/material/form-field';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatOption, MatSelect } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { ParamMap, Params, RouterLink } from '@angular/router';

import { Problem, problemFrom } from '../../../core/problem';
import { FilterBar } from '../../../shared/filter-bar/filter-bar';
import { InboundEventStatusPill } from '../../../shared/inbound-events/inbound-event-status-pill';
import {
  actionLabel,
  INBOUND_STATUS_LABELS,
  INBOUND_STATUSES,
  InboundEventStatus,
  InboundEventView,
  outcomeLabel,
} from '../../../shared/inbound-events/inbound-event';
import { LaterPages } from '../../../shared/keyset-pages';
import { toastConfig } from '../../../shared/material-config';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { UrlQuery } from '../../../shared/url-query';
import { SourceEventsQuery } from './event-source';
import { EventSourcesApi } from './event-sources-api';
import { InboundEventDialog } from './inbound-event-dialog';

/** How soon the list looks again while an event waits to be processed. */
export const ACCEPTED_POLL_MS = 2000;

interface StatusFilter {
  readonly status: InboundEventStatus | '';
}

/** The status filter as kept in the URL (`?status=failed`); an unknown value is ignored. */
export function statusFromParams(params: ParamMap): StatusFilter {
  const status = params.get('status');
  return { status: INBOUND_STATUSES.find((s) => s === status) ?? '' };
}

function paramsFromStatus({ status }: StatusFilter): Params {
  return status ? { status } : {};
}

/**
 * A source's received events, newest first: status, what each one asked for and what processing
 * did (the incident it opened or touched), attempts and the last error; a failed one can be
 * replayed. Filtered by status (kept in the URL), paged with "Load more".
 */
@Component({
  selector: 'nx-source-events',
  imports: [
    DatePipe,
    RouterLink,
    MatButton,
    MatFormField,
    MatLabel,
    MatSelect,
    MatOption,
    MatProgressBar,
    FilterBar,
    InboundEventStatusPill,
    ProblemNotice,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './source-events.html',
  styleUrl: './source-events.scss',
})
export class SourceEvents {
  private readonly api = inject(EventSourcesApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);

  readonly sourceId = input.required<string>();
  /** A failed event went back to processing (the source's counts change). */
  readonly replayed = output<InboundEventView>();

  protected readonly statuses = INBOUND_STATUSES;
  protected readonly statusLabels = INBOUND_STATUS_LABELS;
  protected readonly actionLabel = actionLabel;
  protected readonly outcomeLabel = outcomeLabel;

  private readonly filters = new UrlQuery(statusFromParams, paramsFromStatus);
  protected readonly status = computed(() => this.filters.value().status);
  protected readonly query = computed<SourceEventsQuery>(
    () => ({ sourceId: this.sourceId(), status: this.status() }),
    { equal: (a, b) => a.sourceId === b.sourceId && a.status === b.status },
  );
  protected readonly firstPage = this.api.events(this.query);
  private readonly first = computed(() => (this.firstPage.hasValue() ? this.firstPage.value() : undefined));
  private readonly more = new LaterPages(this.query, this.first, (query: SourceEventsQuery, cursor: string) =>
    this.api.eventsAfter(query, cursor),
  );
  /** Events replayed here, shown as the API returned them until the list is fetched again. */
  private readonly changed = linkedSignal<unknown, ReadonlyMap<string, InboundEventView>>({
    source: () => [this.query(), this.first()],
    computation: () => new Map(),
  });
  protected readonly events = computed<readonly InboundEventView[]>(() => {
    const changed = this.changed();
    return this.more.items().map((event) => changed.get(event.id) ?? event);
  });
  protected readonly nextCursor = this.more.nextCursor;
  protected readonly loadingMore = this.more.loading;
  private readonly replayProblem = signal<Problem | null>(null);
  protected readonly problem = computed(() => this.replayProblem() ?? this.more.problem());
  /** Ids of the events whose replay is on its way. */
  protected readonly replaying = signal<ReadonlySet<string>>(new Set());

  constructor() {
    // Accepted events are processed within moments: look again until none is waiting, so the
    // outcome (and the incident) shows up without a manual refresh.
    effect((onCleanup) => {
      if (this.firstPage.isLoading() || !this.events().some((event) => event.status === 'accepted')) return;
      const timer = setTimeout(() => {
        this.firstPage.reload();
      }, ACCEPTED_POLL_MS);
      onCleanup(() => {
        clearTimeout(timer);
      });
    });
  }

  protected setStatus(status: InboundEventStatus | ''): void {
    this.filters.set({ status });
  }

  protected loadMore(): void {
    this.replayProblem.set(null);
    this.more.loadMore();
  }

  protected reload(): void {
    this.replayProblem.set(null);
    this.firstPage.reload();
  }

  protected open(event: InboundEventView): void {
    InboundEventDialog.show(this.dialog, event).subscribe((updated) => {
      if (updated) this.applyReplay(updated);
    });
  }

  protected replay(event: InboundEventView): void {
    if (this.replaying().has(event.id)) return;
    this.replayProblem.set(null);
    this.replaying.update((ids) => new Set(ids).add(event.id));
    this.api.replay(event.id).subscribe({
      next: (updated) => {
        this.done(event.id);
        this.applyReplay(updated);
      },
      error: (error: unknown) => {
        this.done(event.id);
        this.replayProblem.set(problemFrom(error));
      },
    });
  }

  private done(id: string): void {
    this.replaying.update((ids) => {
      const rest = new Set(ids);
      rest.delete(id);
      return rest;
    });
  }

  private applyReplay(updated: InboundEventView): void {
    this.changed.update((rows) => new Map(rows).set(updated.id, updated));
    this.replayed.emit(updated);
    this.snackBar.open('Event queued again: it is processed in a moment.', undefined, toastConfig());
  }
}
