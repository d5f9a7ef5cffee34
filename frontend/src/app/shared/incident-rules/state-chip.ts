import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { IncidentState, STATE_LABELS } from './priority';

@Component({
  selector: 'nx-state-chip',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-state-chip', '[attr.data-state]': 'state()' },
  template: `{{ label() }}`,
  styles: `
    :host {
      display: inline-block;
      padding: 2px 10px;
      border-radius: var(--mat-sys-corner-full);
      font: var(--mat-sys-label-medium);
      white-space: nowrap;
      background: var(--mat-sys-surface-container-highest);
      color: var(--mat-sys-on-surface);
    }
    :host([data-state='new']) {
      background: var(--mat-sys-tertiary-container);
      color: var(--mat-sys-on-tertiary-container);
    }
    :host([data-state='in_progress']) {
      background: var(--mat-sys-primary-container);
      color: var(--mat-sys-on-primary-container);
    }
    :host([data-state='on_hold']) {
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
    :host([data-state='resolved']) {
      background: transparent;
      color: var(--nx-status-ok);
      box-shadow: inset 0 0 0 1px currentColor;
    }
    :host([data-state='canceled']) {
      text-decoration: line-through;
    }
  `,
})
export class StateChip {
  readonly state = input.required<IncidentState>();
  protected readonly label = computed(() => STATE_LABELS[this.state()]);
}
