import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { DELIVERY_STATUS_LABELS, DeliveryStatus } from './delivery';

/** A delivery's status as a pill; `stalled` marks one in flight too long (docs/deliveries.md). */
@Component({
  selector: 'nx-delivery-status-pill',
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
    :host + :host {
      margin-inline-start: 4px;
    }
    :host([data-status='failed']),
    :host([data-status='dead']),
    :host([data-status='stalled']) {
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
    }
    :host([data-status='delivered']) {
      background: transparent;
      color: var(--nx-status-ok);
    }
  `,
})
export class DeliveryStatusPill {
  readonly status = input.required<DeliveryStatus | 'stalled'>();
  protected readonly label = computed(() => {
    const status = this.status();
    return status === 'stalled' ? 'Stalled' : DELIVERY_STATUS_LABELS[status];
  });
}
