import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  linkedSignal,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { MatButton } from '@angular/material/button';
import { MatFormField, MatLabel } from '@angular/material/form-field';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatOption, MatSelect } from '@angular/material/select';
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
import { Params, ParamMap, RouterLink } from '@angular/router';
import { debounceTime, distinctUntilChanged } from 'rxjs';

import { Session } from '../../core/session/session';
import { ChoiceFilter } from '../../shared/filter-bar/choice-filter';
import { FilterBar } from '../../shared/filter-bar/filter-bar';
import { Icon } from '../../shared/icon/icon';
import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import {
  AssigneeFilter,
  DEFAULT_SORT,
  INCIDENT_SORTS,
  INCIDENT_STATES,
  IncidentQuery,
  IncidentSort,
  IncidentSource,
  IncidentView,
  IncidentState,
  Priority,
  PRIORITIES,
  PRIORITY_CHOICES,
  SORT_LABELS,
  SOURCE_LABELS,
  SOURCES,
  STATE_CHOICES,
} from './incident';
import { IncidentMetadata } from '../../shared/incident-rules/incident-metadata';
import { IncidentsApi } from './incidents-api';
import { LiveIncidentRows } from './live-incident-rows';
import { PriorityBadge } from '../../shared/incident-rules/priority-badge';
import { SlaDue } from './sla-due';
import { StateChip } from '../../shared/incident-rules/state-chip';
import { LaterPages } from '../../shared/keyset-pages';
import { UrlQuery } from '../../shared/url-query';

/** Typing in the search box queries the API once the user pauses this long. */
export const SEARCH_DEBOUNCE_MS = 300;

/** The list filters as they are kept in the URL (`?state=new,in_progress&priority=1&q=…`). */
export function queryFromParams(params: ParamMap): IncidentQuery {
  const list = (name: string) =>
    params
      .getAll(name)
      .flatMap((value) => value.split(','))
      .map((value) => value.trim())
      .filter(Boolean);
  const assignee = params.get('assignee');
  const source = params.get('source');
  const sort = params.get('sort');
  return {
    state: INCIDENT_STATES.filter((state) => list('state').includes(state)),
    priority: PRIORITIES.filter((priority) => list('priority').includes(String(priority))),
    assignee: assignee === 'me' || assignee === 'none' ? assignee : '',
    source: SOURCES.find((s) => s === source) ?? '',
    q: params.get('q')?.trim() ?? '',
    sort: INCIDENT_SORTS.find((s) => s === sort) ?? DEFAULT_SORT,
  };
}

/** The inverse of `queryFromParams`: only what differs from the defaults ends up in the URL. */
export function paramsFromQuery(query: IncidentQuery): Params {
  const params: Params = {};
  if (query.state.length) params['state'] = query.state.join(',');
  if (query.priority.length) params['priority'] = query.priority.join(',');
  if (query.assignee) params['assignee'] = query.assignee;
  if (query.source) params['source'] = query.source;
  if (query.q.trim()) params['q'] = query.q.trim();
  if (query.sort !== DEFAULT_SORT) params['sort'] = query.sort;
  return params;
}

/**
 * Every incident the caller may see, filtered and sorted on the server, with keyset "Load more"
 * paging. The filters live in the URL, so a reload or a bookmark shows the same list.
 */
@Component({
  selector: 'nx-incident-list',
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
    MatSelect,
    MatOption,
    MatButton,
    MatProgressBar,
    ChoiceFilter,
    FilterBar,
    Icon,
    ProblemNotice,
    PriorityBadge,
    StateChip,
    SlaDue,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  templateUrl: './incident-list.html',
  styleUrl: './incident-list.scss',
})
export class IncidentList {
  private readonly api = inject(IncidentsApi);
  private readonly session = inject(Session);
  /** Whose states are still open decides each row's SLA column. */
  protected readonly metadata = inject(IncidentMetadata);

  protected readonly stateChoices = STATE_CHOICES;
  protected readonly priorityChoices = PRIORITY_CHOICES;
  protected readonly sources = SOURCES;
  protected readonly sourceLabels = SOURCE_LABELS;
  protected readonly sorts = INCIDENT_SORTS;
  protected readonly sortLabels = SORT_LABELS;
  protected readonly columns = ['number', 'priority', 'title', 'state', 'assignee', 'sla', 'openedAt'];

  /** Viewers read; responders and admins open incidents (the API enforces it too). */
  protected readonly canCreate = computed(() => this.session.hasRole('responder', 'admin'));

  private readonly filters = new UrlQuery(queryFromParams, paramsFromQuery);
  protected readonly query = this.filters.value;

  /** What is in the search box; the URL's `q` follows it once typing pauses. */
  protected readonly searchText = linkedSignal(() => this.query().q);

  protected readonly firstPage = this.api.firstPage(this.query);
  private readonly more = new LaterPages(
    this.query,
    computed(() => (this.firstPage.hasValue() ? this.firstPage.value() : undefined)),
    (query: IncidentQuery, cursor: string) => this.api.nextPage(query, cursor),
  );
  /** The loaded rows, kept current by the live connection. */
  private readonly liveRows = new LiveIncidentRows(this.more.items, this.query);
  protected readonly incidents = this.liveRows.rows;
  protected readonly highlighted = this.liveRows.highlighted;
  protected readonly trackById = (_: number, incident: IncidentView) => incident.id;
  protected readonly nextCursor = this.more.nextCursor;
  protected readonly loadingMore = this.more.loading;
  protected readonly moreProblem = this.more.problem;
  protected readonly hasFilters = computed(() => Object.keys(paramsFromQuery(this.query())).length > 0);

  constructor() {
    toObservable(this.searchText)
      .pipe(debounceTime(SEARCH_DEBOUNCE_MS), distinctUntilChanged(), takeUntilDestroyed(inject(DestroyRef)))
      .subscribe((text) => {
        if (text.trim() !== this.query().q) {
          this.setFilters({ q: text.trim() }, true);
        }
      });
  }

  protected setStates(states: readonly IncidentState[]): void {
    this.setFilters({ state: states });
  }

  protected setPriorities(priorities: readonly Priority[]): void {
    this.setFilters({ priority: priorities });
  }

  protected setAssignee(assignee: AssigneeFilter): void {
    this.setFilters({ assignee });
  }

  protected setSource(source: IncidentSource | ''): void {
    this.setFilters({ source });
  }

  protected setSort(sort: IncidentSort): void {
    this.setFilters({ sort });
  }

  protected clearFilters(): void {
    this.searchText.set('');
    this.filters.clear();
  }

  protected loadMore(): void {
    this.more.loadMore();
  }

  /** Filters go into the URL; the list follows the URL. Typing replaces the entry, choices push one. */
  private setFilters(change: Partial<IncidentQuery>, replaceUrl = false): void {
    this.filters.set(change, replaceUrl);
  }
}
