import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButton } from '@angular/material/button';
import {
  MAT_DIALOG_DATA,
  MatDialog,
  MatDialogActions,
  MatDialogClose,
  MatDialogContent,
  MatDialogRef,
  MatDialogTitle,
} from '@angular/material/dialog';
import { RouterLink } from '@angular/router';
import { Observable } from 'rxjs';

import { Problem, problemFrom } from '../../../core/problem';
import { InboundEventStatusPill } from '../../../shared/inbound-events/inbound-event-status-pill';
import {
  actionLabel,
  channelLabel,
  InboundEventView,
  outcomeLabel,
} from '../../../shared/inbound-events/inbound-event';
import { dialogConfig } from '../../../shared/material-config';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { EventSourcesApi } from './event-sources-api';

/** The body as received; JSON is indented for reading, anything else shown as it came. */
export function readableBody(raw: string, contentType: string): string {
  if (!/json/i.test(contentType) && !/^\s*[[{]/.test(raw)) return raw;
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

/**
 * One received event in full (`GET /api/inbox/:id`): what it was, what processing did, and the
 * raw body. A failed event can be replayed from here; the dialog then closes with it as updated.
 */
@Component({
  selector: 'nx-inbound-event-dialog',
  imports: [
    DatePipe,
    RouterLink,
    MatDialogTitle,
    MatDialogContent,
    MatDialogActions,
    MatDialogClose,
    MatButton,
    InboundEventStatusPill,
    ProblemNotice,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>Event {{ summary.receivedAt | date: 'medium' }}</h2>
    <mat-dialog-content>
      @if (problem(); as p) {
        <nx-problem-notice class="problem" [error]="p" />
      }
      @let e = current();
      <dl>
        <dt>Status</dt>
        <dd><nx-inbound-event-status-pill [status]="e.status" /></dd>
        <dt>Source</dt>
        <dd>{{ e.sourceLabel }} · {{ channelLabel(e.channel) }}</dd>
        <dt>Action</dt>
        <dd>{{ actionLabel(e.action) }}</dd>
        <dt>Dedup key</dt>
        <dd>
          @if (e.dedupKey) {
            <code>{{ e.dedupKey }}</code>
          } @else {
            —
          }
        </dd>
        <dt>Summary</dt>
        <dd>{{ e.summary ?? '—' }}</dd>
        <dt>Outcome</dt>
        <dd>
          @for (effect of e.effects; track $index) {
            <span class="effect">
              {{ outcomeLabel(effect.outcome) }}
              @if (effect.incidentId) {
                ·
                <a [routerLink]="['/incidents', effect.incidentId]" mat-dialog-close>{{
                  effect.incidentNumber ?? 'Incident'
                }}</a>
              }
            </span>
          } @empty {
            {{ outcomeLabel(e.outcome) }}
          }
        </dd>
        <dt>Received</dt>
        <dd>{{ e.receivedAt | date: 'medium' }}</dd>
        <dt>Processed</dt>
        <dd>{{ e.processedAt ? (e.processedAt | date: 'medium') : '—' }}</dd>
        <dt>Attempts</dt>
        <dd>
          {{ e.attempts }} / {{ e.maxAttempts }}
          @if (e.nextAttemptAt) {
            · next try {{ e.nextAttemptAt | date: 'medium' }}
          }
        </dd>
        @if (e.lastError) {
          <dt>Last error</dt>
          <dd class="error">{{ e.lastError }}</dd>
        }
        @if (e.duplicateOf) {
          <dt>Duplicate of</dt>
          <dd>
            <code>{{ e.duplicateOf }}</code>
          </dd>
        }
      </dl>
      <h3 id="raw-body-heading">Body as received</h3>
      @if (detail.hasValue()) {
        <p class="content-type">{{ detail.value().contentType }}</p>
        <pre class="body" tabindex="0" aria-labelledby="raw-body-heading">{{ body() }}</pre>
      } @else if (detail.error(); as error) {
        <nx-problem-notice [error]="error" />
      } @else {
        <p class="muted" role="status">Loading the body…</p>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button matButton type="button" mat-dialog-close>Close</button>
      @if (current().status === 'failed') {
        <button matButton="filled" type="button" [disabled]="busy()" (click)="replay()">
          {{ busy() ? 'Replaying…' : 'Replay' }}
        </button>
      }
    </mat-dialog-actions>
  `,
  styles: `
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 6px 12px;
      margin: 0 0 8px;
    }
    dt {
      color: var(--mat-sys-on-surface-variant);
    }
    dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    .error {
      color: var(--mat-sys-error);
    }
    .effect {
      display: block;
    }
    h3 {
      margin: 12px 0 4px;
      font: var(--mat-sys-title-small);
    }
    .content-type {
      margin: 0 0 4px;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .body {
      max-height: 40vh;
      margin: 0;
      padding: 8px 12px;
      overflow: auto;
      border-radius: var(--mat-sys-corner-small);
      background: var(--mat-sys-surface-container-high);
      font:
        0.8125rem/1.4 ui-monospace,
        'SFMono-Regular',
        Menlo,
        Consolas,
        monospace;
    }
    .problem {
      display: block;
      margin-bottom: 8px;
    }
    .muted {
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class InboundEventDialog {
  private readonly api = inject(EventSourcesApi);
  private readonly dialogRef = inject<MatDialogRef<InboundEventDialog, InboundEventView>>(MatDialogRef);
  /** The row that was clicked: shown at once, then completed by the detail. */
  protected readonly summary = inject<InboundEventView>(MAT_DIALOG_DATA);
  protected readonly actionLabel = actionLabel;
  protected readonly outcomeLabel = outcomeLabel;
  protected readonly channelLabel = channelLabel;

  protected readonly detail = this.api.event(() => this.summary.id);
  protected readonly current = computed<InboundEventView>(() =>
    this.detail.hasValue() ? this.detail.value() : this.summary,
  );
  protected readonly body = computed(() =>
    this.detail.hasValue() ? readableBody(this.detail.value().rawBody, this.detail.value().contentType) : '',
  );
  protected readonly busy = signal(false);
  protected readonly problem = signal<Problem | null>(null);

  protected replay(): void {
    if (this.busy()) return;
    this.busy.set(true);
    this.problem.set(null);
    this.api.replay(this.summary.id).subscribe({
      next: (updated) => {
        this.busy.set(false);
        this.dialogRef.close(updated);
      },
      error: (error: unknown) => {
        this.busy.set(false);
        this.problem.set(problemFrom(error));
      },
    });
  }

  /** Emits the event as replayed, or undefined when closed without a replay. */
  static show(dialog: MatDialog, event: InboundEventView): Observable<InboundEventView | undefined> {
    return dialog
      .open<InboundEventDialog, InboundEventView, InboundEventView>(
        InboundEventDialog,
        dialogConfig({ data: event, width: '720px' }),
      )
      .afterClosed();
  }
}
