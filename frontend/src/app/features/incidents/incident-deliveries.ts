import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';

import { DeliveryStatusPill } from '../../shared/deliveries/delivery-status-pill';
import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import { IncidentsApi } from './incidents-api';

/** Side effects of this incident's changes (ServiceNow, Slack, …): one row per consumer and event. */
@Component({
  selector: 'nx-incident-deliveries',
  imports: [DatePipe, DeliveryStatusPill, ProblemNotice],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (deliveries.error(); as error) {
      <nx-problem-notice [error]="error" />
    } @else if (deliveries.hasValue()) {
      @if (deliveries.value().items.length) {
        <div class="table-scroll">
          <table class="deliveries" aria-label="Deliveries">
            <thead>
              <tr>
                <th scope="col">Consumer</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Next try</th>
              </tr>
            </thead>
            <tbody>
              @for (delivery of deliveries.value().items; track delivery.id) {
                <tr [attr.data-delivery-id]="delivery.id">
                  <td>{{ delivery.consumer }}</td>
                  <td>
                    <code>{{ delivery.eventType }}</code>
                  </td>
                  <td><nx-delivery-status-pill [status]="delivery.status" /></td>
                  <td>{{ delivery.attempts }} / {{ delivery.maxAttempts }}</td>
                  <td class="error">{{ delivery.lastError ?? '—' }}</td>
                  <td class="nowrap">
                    {{ delivery.nextAttemptAt ? (delivery.nextAttemptAt | date: 'medium') : '—' }}
                  </td>
                </tr>
              }
            </tbody>
          </table>
        </div>
      } @else {
        <p class="muted">Nothing to deliver for this incident.</p>
      }
    } @else if (deliveries.isLoading()) {
      <p class="muted">Loading deliveries…</p>
    }
  `,
  styles: `
    .deliveries {
      width: 100%;
      border-collapse: collapse;
      font: var(--mat-sys-body-medium);
    }
    th,
    td {
      padding: 6px 8px;
      text-align: start;
      border-bottom: 1px solid var(--mat-sys-outline-variant);
      vertical-align: top;
    }
    th {
      font: var(--mat-sys-title-small);
    }
    .error {
      overflow-wrap: anywhere;
      max-width: 24rem;
    }
    .nowrap {
      white-space: nowrap;
    }
    .muted {
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class IncidentDeliveries {
  private readonly api = inject(IncidentsApi);
  readonly incidentId = input.required<string>();
  /** Bump it to reload (after an action: each change enqueues new deliveries). */
  readonly revision = input(0);

  protected readonly deliveries = this.api.deliveries(() => {
    this.revision(); // a new revision loads them again
    return this.incidentId();
  });
}
