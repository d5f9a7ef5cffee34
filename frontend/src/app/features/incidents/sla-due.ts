import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';

import { Clock } from './clock';
import { IncidentView } from './incident';
import { IncidentMetadata } from '../../shared/incident-rules/incident-metadata';
import { SlaStatus, slaStatus } from './sla';

/** The SLA target relative to now, highlighted once breached; the exact time is in the tooltip. */
@Component({
  selector: 'nx-sla-due',
  imports: [DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-sla-due', '[class.breached]': 'status().breached' },
  template: `
    @let due = incident().slaDueAt;
    @if (due) {
      <time [attr.datetime]="due" [title]="'SLA due ' + (due | date: 'medium')">{{ status().text }}</time>
    } @else {
      {{ status().text }}
    }
  `,
  styles: `
    :host {
      white-space: nowrap;
    }
    :host(.breached) {
      padding: 2px 6px;
      border-radius: var(--mat-sys-corner-small);
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
      font-weight: 600;
    }
  `,
})
export class SlaDue {
  private readonly clock = inject(Clock);
  private readonly metadata = inject(IncidentMetadata);
  readonly incident = input.required<Pick<IncidentView, 'slaDueAt' | 'slaBreached' | 'state'>>();
  /** Nothing until the API's rules say whether the incident's state is still open. */
  protected readonly status = computed<SlaStatus>(() => {
    const incident = this.incident();
    const open = this.metadata.isOpen(incident.state);
    return open === undefined ? { text: '', breached: false } : slaStatus(incident, open, this.clock.now());
  });
}
