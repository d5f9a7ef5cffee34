import { DatePipe, KeyValuePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, linkedSignal } from '@angular/core';
import { MatButton } from '@angular/material/button';

import { Icon, IconName } from '../../shared/icon/icon';
import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import { IncidentState, LEVEL_LABELS, Level, STATE_LABELS, TimelineKind, TimelinePage } from './incident';
import { IncidentsApi } from './incidents-api';
import { LaterPages } from '../../shared/keyset-pages';

const KIND_ICONS: Record<TimelineKind, IconName> = {
  created: 'add',
  state_changed: 'progress-activity',
  assigned: 'person',
  updated: 'edit',
  comment: 'chat',
  work_note: 'lock',
  sync: 'sync',
  alert: 'warning',
};

export const KIND_LABELS: Record<TimelineKind, string> = {
  created: 'Opened',
  state_changed: 'State changed',
  assigned: 'Assigned',
  updated: 'Updated',
  comment: 'Comment',
  work_note: 'Work note',
  sync: 'Synchronised',
  alert: 'Alert',
};

/** A field value from `changes` as people read it: labels for states and levels, names for people. */
export function changeValue(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  if (field === 'state' && typeof value === 'string' && value in STATE_LABELS) {
    return STATE_LABELS[value as IncidentState];
  }
  if ((field === 'impact' || field === 'urgency') && typeof value === 'number' && value in LEVEL_LABELS) {
    return LEVEL_LABELS[value as Level];
  }
  if (field.endsWith('At') && typeof value === 'string' && !Number.isNaN(Date.parse(value))) {
    return new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' }).format(
      new Date(value),
    );
  }
  if (field === 'priority' && typeof value === 'number') {
    return `P${String(value)}`;
  }
  if (typeof value === 'object') {
    const named = value as { name?: unknown; label?: unknown };
    if (typeof named.name === 'string') return named.name;
    if (typeof named.label === 'string') return named.label;
    return JSON.stringify(value);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The incident's history, oldest first; reloads whenever `revision` changes. */
@Component({
  selector: 'nx-incident-timeline',
  imports: [DatePipe, KeyValuePipe, MatButton, Icon, ProblemNotice],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (firstPage.error(); as error) {
      <nx-problem-notice [error]="error" />
    }
    @if (entries().length) {
      <ol class="timeline" aria-label="Timeline">
        @for (entry of entries(); track entry.id) {
          <li class="entry" [attr.data-kind]="entry.kind">
            <nx-icon class="kind-icon" [name]="icons[entry.kind]" />
            <div class="entry-body">
              <p class="entry-head">
                <span class="kind">{{ labels[entry.kind] }}</span>
                <span class="actor">{{ entry.actor.label ?? entry.actor.type }}</span>
                <time [attr.datetime]="entry.at">{{ entry.at | date: 'medium' }}</time>
              </p>
              @if (entry.body) {
                <p class="text">{{ entry.body }}</p>
              }
              @if (entry.changes) {
                <ul class="changes">
                  @for (change of entry.changes | keyvalue; track change.key) {
                    <li>
                      <span class="field">{{ change.key }}</span>:
                      {{ display(change.key, change.value.from) }} →
                      {{ display(change.key, change.value.to) }}
                    </li>
                  }
                </ul>
              }
            </div>
          </li>
        }
      </ol>
    } @else if (firstPage.isLoading()) {
      <p class="muted">Loading the timeline…</p>
    }
    @if (moreProblem(); as problem) {
      <nx-problem-notice [error]="problem" />
    }
    @if (nextCursor()) {
      <button matButton="outlined" type="button" [disabled]="loadingMore()" (click)="loadMore()">
        {{ loadingMore() ? 'Loading…' : 'Show later entries' }}
      </button>
    }
  `,
  styles: `
    .timeline {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    .entry {
      display: flex;
      gap: 12px;
      padding: 8px 0;
      border-bottom: 1px solid var(--mat-sys-outline-variant);
    }
    .kind-icon {
      --nx-icon-size: 20px;
      margin-top: 2px;
      color: var(--mat-sys-on-surface-variant);
    }
    .entry[data-kind='work_note'] {
      background: var(--mat-sys-surface-container);
    }
    .entry-body {
      min-width: 0;
      flex: 1;
    }
    .entry-head {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 12px;
      margin: 0;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .kind,
    .actor {
      font-weight: 600;
      color: var(--mat-sys-on-surface);
    }
    .text {
      margin: 4px 0 0;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
    .changes {
      margin: 4px 0 0;
      padding-inline-start: 20px;
      font: var(--mat-sys-body-medium);
    }
    .field {
      font-weight: 600;
    }
    .muted {
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class IncidentTimeline {
  private readonly api = inject(IncidentsApi);
  readonly incidentId = input.required<string>();
  /** Bump it to reload (after an action or a comment). */
  readonly revision = input(0);

  protected readonly icons = KIND_ICONS;
  protected readonly labels = KIND_LABELS;

  private readonly params = computed(() => ({ id: this.incidentId(), revision: this.revision() }));
  // Read through `params`, so a new revision loads the first page again.
  protected readonly firstPage = this.api.timeline(() => this.params().id);
  /** Kept on screen while a reload is under way, so the page does not jump. */
  private readonly shownFirst = linkedSignal<TimelinePage | undefined, TimelinePage | undefined>({
    source: () => (this.firstPage.hasValue() ? this.firstPage.value() : undefined),
    computation: (next, previous) => next ?? previous?.value,
  });
  private readonly more = new LaterPages(this.params, this.shownFirst, (params, cursor) =>
    this.api.timelineAfter(params.id, cursor),
  );
  protected readonly entries = this.more.items;
  protected readonly nextCursor = this.more.nextCursor;
  protected readonly loadingMore = this.more.loading;
  protected readonly moreProblem = this.more.problem;

  protected display(field: string, value: unknown): string {
    return changeValue(field, value);
  }

  protected loadMore(): void {
    this.more.loadMore();
  }
}
