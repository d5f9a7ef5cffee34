import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { INBOUND_STATUS_LABELS, INBOUND_STATUSES } from '../../../shared/inbound-events/inbound-event';
import { EventSourceCounts } from './event-source';

/** A source's last 24 hours by status, e.g. "12 processed, 1 failed"; "No events" when all are 0. */
@Component({
  selector: 'nx-source-counts',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @for (part of parts(); track part.status) {
      <span class="count" [attr.data-status]="part.status"
        >{{ part.count }} {{ part.label }}{{ $last ? '' : ',' }}</span
      >
    } @empty {
      <span class="none">No events</span>
    }
  `,
  styles: `
    :host {
      display: inline-flex;
      flex-wrap: wrap;
      gap: 2px 8px;
    }
    .count {
      white-space: nowrap;
      font-variant-numeric: tabular-nums;
    }
    .count[data-status='failed'] {
      color: var(--mat-sys-error);
      font-weight: 600;
    }
    .none {
      color: var(--mat-sys-on-surface-variant);
    }
  `,
})
export class SourceCounts {
  readonly counts = input.required<EventSourceCounts>();
  protected readonly parts = computed(() =>
    INBOUND_STATUSES.filter((status) => this.counts()[status] > 0).map((status) => ({
      status,
      count: this.counts()[status],
      label: INBOUND_STATUS_LABELS[status].toLowerCase(),
    })),
  );
}
