import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';

import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import { ServiceNowSyncStatus } from './incident';
import { IncidentsApi } from './incidents-api';

const STATUS_LABELS: Record<ServiceNowSyncStatus, string> = {
  synced: 'Synced',
  pending: 'Sync pending',
  failed: 'Sync failed',
  not_linked: 'Not linked',
};

/** The incident's ServiceNow record: its number (a link to the instance), last sync and any failure. */
@Component({
  selector: 'nx-incident-servicenow',
  imports: [DatePipe, ProblemNotice],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (record.error(); as error) {
      <nx-problem-notice [error]="error" />
    } @else if (record.hasValue()) {
      @let r = record.value();
      @if (r.linked && r.status !== 'not_linked') {
        <dl>
          <dt>Record</dt>
          <dd>
            @if (r.url) {
              <a class="record" [href]="r.url" target="_blank" rel="noopener noreferrer"
                >{{ r.number ?? r.sysId
                }}<span class="visually-hidden"> (opens ServiceNow in a new tab)</span></a
              >
            } @else {
              <span class="record">{{ r.number ?? r.sysId }}</span>
            }
          </dd>
          <dt>Status</dt>
          <dd>
            <span class="status" [attr.data-status]="r.status">{{ labels[r.status] }}</span>
          </dd>
          <dt>Last sync</dt>
          <dd>{{ r.lastSyncedAt ? (r.lastSyncedAt | date: 'medium') : 'Never' }}</dd>
          @if (r.lastError) {
            <dt>Last error</dt>
            <dd class="error">{{ r.lastError }}</dd>
          }
        </dl>
      } @else {
        <p class="muted not-linked">Not linked to a ServiceNow record.</p>
      }
    } @else if (record.isLoading()) {
      <p class="muted">Loading…</p>
    }
  `,
  styles: `
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 6px 12px;
      margin: 0;
    }
    dt {
      color: var(--mat-sys-on-surface-variant);
    }
    dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    .status {
      display: inline-block;
      padding: 2px 8px;
      border-radius: var(--mat-sys-corner-full);
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
      font: var(--mat-sys-label-medium);
    }
    .status[data-status='failed'] {
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
    }
    .status[data-status='synced'] {
      background: transparent;
      padding-inline: 0;
      color: var(--nx-status-ok);
    }
    .error {
      color: var(--mat-sys-error);
    }
    .muted {
      margin: 0;
      color: var(--mat-sys-on-surface-variant);
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
  `,
})
export class IncidentServiceNow {
  private readonly api = inject(IncidentsApi);
  readonly incidentId = input.required<string>();
  /** Bump it to reload (after an action: each change queues a sync). */
  readonly revision = input(0);

  protected readonly labels = STATUS_LABELS;
  protected readonly record = this.api.servicenow(() => {
    this.revision(); // a new revision loads it again
    return this.incidentId();
  });
}
