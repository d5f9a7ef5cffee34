import { DatePipe, DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, linkedSignal, signal } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatProgressBar } from '@angular/material/progress-bar';
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
import { RouterLink } from '@angular/router';
import { filter } from 'rxjs';

import { Problem } from '../../../core/problem';
import { Icon } from '../../../shared/icon/icon';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { EventSourceView } from './event-source';
import { EventSourceDialog, EventSourceDialogResult } from './event-source-dialog';
import { EventSourcesApi } from './event-sources-api';
import { showSourceCredentials } from './source-credentials';
import { SourceCounts } from './source-counts';
import { SourceEnabledToggle } from './source-enabled-toggle';

/** Webhook producers (monitoring, CI, scripts): one row per source, with its last day's events. */
@Component({
  selector: 'nx-event-source-list',
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
    MatButton,
    MatProgressBar,
    Icon,
    ProblemNotice,
    SourceCounts,
    SourceEnabledToggle,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <div class="heading-row">
      <div>
        <h1>Event sources</h1>
        <p class="nx-page-intro">
          Monitoring, CI pipelines and scripts open, acknowledge and resolve incidents by posting events
          (PagerDuty Events API v2 or Alertmanager webhooks). Each source has its own integration key; a
          trigger whose dedup key has an open incident is grouped into it.
        </p>
      </div>
      <button matButton="filled" type="button" (click)="create()">
        <nx-icon name="add" />
        Create event source
      </button>
    </div>

    @if (actionProblem(); as problem) {
      <nx-problem-notice class="problem" [error]="problem" />
    }
    @if (sources.error(); as error) {
      <nx-problem-notice class="problem" [error]="error" />
    }

    <div class="table-frame">
      @if (sources.isLoading()) {
        <mat-progress-bar mode="indeterminate" aria-label="Loading event sources" />
      }
      <div class="table-scroll">
        <table mat-table [dataSource]="rows()" aria-label="Event sources">
          <ng-container matColumnDef="name">
            <th mat-header-cell *matHeaderCellDef>Name</th>
            <td mat-cell *matCellDef="let source">
              <a [routerLink]="[source.id]">{{ source.name }}</a>
            </td>
          </ng-container>
          <ng-container matColumnDef="enabled">
            <th mat-header-cell *matHeaderCellDef>Enabled</th>
            <td mat-cell *matCellDef="let source">
              <nx-source-enabled-toggle
                [source]="source"
                (changed)="replace($event)"
                (failed)="actionProblem.set($event)"
              />
            </td>
          </ng-container>
          <ng-container matColumnDef="key">
            <th mat-header-cell *matHeaderCellDef>Key</th>
            <td mat-cell *matCellDef="let source">
              <code>{{ source.keyPrefix }}…</code>
            </td>
          </ng-container>
          <ng-container matColumnDef="signed">
            <th mat-header-cell *matHeaderCellDef>Signed</th>
            <td mat-cell *matCellDef="let source">{{ source.signed ? 'Yes' : 'No' }}</td>
          </ng-container>
          <ng-container matColumnDef="lastEventAt">
            <th mat-header-cell *matHeaderCellDef>Last event</th>
            <td mat-cell *matCellDef="let source" class="nowrap">
              {{ source.lastEventAt ? (source.lastEventAt | date: 'medium') : 'None yet' }}
            </td>
          </ng-container>
          <ng-container matColumnDef="counts">
            <th mat-header-cell *matHeaderCellDef>Last 24 h</th>
            <td mat-cell *matCellDef="let source"><nx-source-counts [counts]="source.counts" /></td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns"></tr>
          <tr mat-row *matRowDef="let source; columns: columns" [attr.data-source-id]="source.id"></tr>
          <tr class="mat-mdc-row" *matNoDataRow>
            <td class="mat-mdc-cell empty" [attr.colspan]="columns.length">
              @if (sources.hasValue()) {
                No event sources yet. Create one to give a producer its integration key.
              } @else if (sources.isLoading()) {
                Loading event sources…
              }
            </td>
          </tr>
        </table>
      </div>
    </div>
  `,
  styles: `
    .problem {
      display: block;
      margin-bottom: 16px;
    }
    .nowrap {
      white-space: nowrap;
    }
    .empty {
      padding: 24px 16px;
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class EventSourceList {
  private readonly api = inject(EventSourcesApi);
  private readonly dialog = inject(MatDialog);
  private readonly origin = inject(DOCUMENT).location.origin;

  protected readonly columns = ['name', 'enabled', 'key', 'signed', 'lastEventAt', 'counts'];
  protected readonly sources = this.api.list();
  /** Sources changed here, shown as the API returned them until the list is fetched again. */
  private readonly changed = linkedSignal<unknown, ReadonlyMap<string, EventSourceView>>({
    source: () => (this.sources.hasValue() ? this.sources.value() : undefined),
    computation: () => new Map(),
  });
  protected readonly rows = computed<readonly EventSourceView[]>(() => {
    const changed = this.changed();
    return this.sources.hasValue() ? this.sources.value().items.map((s) => changed.get(s.id) ?? s) : [];
  });
  protected readonly actionProblem = signal<Problem | null>(null);

  protected replace(source: EventSourceView): void {
    this.actionProblem.set(null);
    this.changed.update((rows) => new Map(rows).set(source.id, source));
  }

  protected create(): void {
    this.actionProblem.set(null);
    EventSourceDialog.open(this.dialog)
      .pipe(
        filter(
          (result): result is Extract<EventSourceDialogResult, { kind: 'created' }> =>
            result?.kind === 'created',
        ),
      )
      .subscribe(({ created }) => {
        this.sources.reload();
        showSourceCredentials(this.dialog, {
          title: `Event source "${created.source.name}"`,
          source: created.source,
          origin: this.origin,
          integrationKey: created.integrationKey,
          ...(created.signingSecret ? { signingSecret: created.signingSecret } : {}),
        });
      });
  }
}
