import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';

import { InboundEventStatusPill } from '../../shared/inbound-events/inbound-event-status-pill';
import { actionLabel, channelLabel, outcomeLabel } from '../../shared/inbound-events/inbound-event';
import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import { IncidentsApi } from './incidents-api';

/** The events webhook producers sent that opened, grouped into or acted on this incident, oldest first. */
@Component({
  selector: 'nx-incident-events',
  imports: [DatePipe, InboundEventStatusPill, ProblemNotice],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (events.error(); as error) {
      <nx-problem-notice [error]="error" />
    } @else if (events.hasValue()) {
      @if (events.value().items.length) {
        <div class="table-scroll">
          <table class="events" aria-label="Events">
            <thead>
              <tr>
                <th scope="col">Received</th>
                <th scope="col">Source</th>
                <th scope="col">Action</th>
                <th scope="col">Summary</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              @for (event of events.value().items; track event.id) {
                <tr [attr.data-event-id]="event.id">
                  <td class="nowrap">{{ event.receivedAt | date: 'medium' }}</td>
                  <td>
                    {{ event.sourceLabel }}
                    <span class="channel">{{ channelLabel(event.channel) }}</span>
                  </td>
                  <td>{{ actionLabel(event.action) }}</td>
                  <td class="summary">{{ event.summary ?? '—' }}</td>
                  <td>
                    @if (event.status === 'processed') {
                      {{ outcomeLabel(outcomeFor(event)) }}
                    } @else {
                      <nx-inbound-event-status-pill [status]="event.status" />
                    }
                  </td>
                </tr>
              }
            </tbody>
          </table>
        </div>
      } @else {
        <p class="muted">No events from webhook producers touched this incident.</p>
      }
    } @else if (events.isLoading()) {
      <p class="muted" role="status">Loading events…</p>
    }
  `,
  styles: `
    .events {
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
    .channel {
      display: block;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .summary {
      min-width: 10rem;
      overflow-wrap: anywhere;
    }
    .nowrap {
      white-space: nowrap;
    }
    .muted {
      margin: 0;
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class IncidentEvents {
  private readonly api = inject(IncidentsApi);
  readonly incidentId = input.required<string>();
  /** Bump it to reload (after an action on the page). */
  readonly revision = input(0);

  protected readonly actionLabel = actionLabel;
  protected readonly outcomeLabel = outcomeLabel;
  protected readonly channelLabel = channelLabel;

  protected readonly events = this.api.events(() => {
    this.revision(); // a new revision loads them again
    return this.incidentId();
  });

  /** What the event did to this incident (an Alertmanager group can touch several). */
  protected outcomeFor(event: {
    readonly outcome: string | null;
    readonly effects: readonly { readonly outcome: string; readonly incidentId: string | null }[];
  }): string | null {
    return event.effects.find((effect) => effect.incidentId === this.incidentId())?.outcome ?? event.outcome;
  }
}
