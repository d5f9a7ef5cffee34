import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { INBOUND_STATUS_LABELS, InboundEventStatus } from './inbound-event';

/** A received event's status as a pill: failed stands out, processed reads as done. */
@Component({
  selector: 'nx-inbound-event-status-pill',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'status', '[attr.data-status]': 'status()' },
  template: `{{ label() }}`,
  styles: `
    :host {
      display: inline-block;
      padding: 2px 8px;
      border-radius: var(--mat-sys-corner-full);
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
      font: var(--mat-sys-label-medium);
      white-space: nowrap;
    }
    :host([data-status='failed']) {
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
    }
    :host([data-status='processed']) {
      background: transparent;
      color: var(--nx-status-ok);
      box-shadow: inset 0 0 0 1px currentColor;
    }
    :host([data-status='duplicate']) {
      background: var(--mat-sys-surface-container-highest);
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class InboundEventStatusPill {
  readonly status = input.required<InboundEventStatus>();
  protected readonly label = computed(() => INBOUND_STATUS_LABELS[this.status()]);
}
