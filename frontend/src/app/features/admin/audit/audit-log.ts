import { DatePipe, JsonPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButton, MatIconButton } from '@angular/material/button';
import { MatFormField, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatOptgroup, MatOption, MatSelect } from '@angular/material/select';
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

import { FilterBar } from '../../../shared/filter-bar/filter-bar';
import { Icon } from '../../../shared/icon/icon';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { AuditApi, AuditEvent, AuditOutcome, AuditQuery } from './audit-api';
import { LaterPages } from '../../../shared/keyset-pages';

/** Local midnight at the start of a `YYYY-MM-DD` day, as an ISO instant ('' if not a date). */
export function startOfDay(day: string): string {
  return isoOrEmpty(day, 'T00:00:00');
}

/** The last millisecond of a `YYYY-MM-DD` day in local time, so "to" includes that whole day. */
export function endOfDay(day: string): string {
  return isoOrEmpty(day, 'T23:59:59.999');
}

function isoOrEmpty(day: string, time: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
    return '';
  }
  const date = new Date(`${day}${time}`);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** Who did what to whom, newest first, with keyset "Load more" paging. */
@Component({
  selector: 'nx-audit-log',
  imports: [
    DatePipe,
    JsonPipe,
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
    MatOptgroup,
    MatButton,
    MatIconButton,
    MatProgressBar,
    FilterBar,
    Icon,
    ProblemNotice,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  templateUrl: './audit-log.html',
  styleUrl: './audit-log.scss',
})
export class AuditLog {
  private readonly api = inject(AuditApi);

  protected readonly columns = ['toggle', 'occurredAt', 'actor', 'action', 'outcome', 'target', 'ip'];

  protected readonly action = signal('');
  protected readonly outcome = signal<AuditOutcome | ''>('');
  protected readonly fromDate = signal('');
  protected readonly toDate = signal('');
  private readonly query = computed<AuditQuery>(() => ({
    action: this.action(),
    outcome: this.outcome(),
    from: startOfDay(this.fromDate()),
    to: endOfDay(this.toDate()),
  }));

  private readonly actionList = this.api.actions();
  /** Every action, plus "every X event" prefixes (`auth.`) the API accepts too. */
  protected readonly actionGroups = computed(() => {
    const actions = this.actionList.hasValue() ? this.actionList.value().items : [];
    const prefixes = [...new Set(actions.map((a) => a.split('.')[0] ?? a))].map((p) => `${p}.`);
    return { prefixes, actions };
  });

  protected readonly firstPage = this.api.firstPage(this.query);
  private readonly more = new LaterPages(
    this.query,
    computed(() => (this.firstPage.hasValue() ? this.firstPage.value() : undefined)),
    (query: AuditQuery, cursor: string) => this.api.nextPage(query, cursor),
  );
  protected readonly events = this.more.items;
  protected readonly nextCursor = this.more.nextCursor;
  protected readonly loadingMore = this.more.loading;
  protected readonly moreProblem = this.more.problem;

  protected readonly expanded = signal<ReadonlySet<string>>(new Set());
  protected readonly hasFilters = computed(
    () => !!(this.action() || this.outcome() || this.fromDate() || this.toDate()),
  );

  protected toggle(event: AuditEvent): void {
    this.expanded.update((ids) => {
      const next = new Set(ids);
      if (!next.delete(event.id)) {
        next.add(event.id);
      }
      return next;
    });
  }

  protected clearFilters(): void {
    this.action.set('');
    this.outcome.set('');
    this.fromDate.set('');
    this.toDate.set('');
  }

  protected loadMore(): void {
    this.more.loadMore();
  }

  protected targetLabel(event: AuditEvent): string {
    const target = event.target;
    if (!target) {
      return '—';
    }
    return `${target.label ?? target.id} (${target.type})`;
  }

  protected actorLabel(event: AuditEvent): string {
    return event.actor.label ?? (event.actor.type === 'anonymous' ? 'Anonymous' : event.actor.type);
  }
}
