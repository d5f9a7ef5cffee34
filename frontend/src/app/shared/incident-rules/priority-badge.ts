import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { Priority, PRIORITY_LABELS } from './priority';

/** "P1 Critical" … "P5 Planning": the colour helps scanning, the text carries the meaning. */
@Component({
  selector: 'nx-priority-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-priority-badge', '[attr.data-priority]': 'priority()' },
  template: `<span class="code">P{{ priority() }}</span> {{ label() }}`,
  styles: `
    :host {
      display: inline-flex;
      gap: 4px;
      align-items: baseline;
      padding: 2px 8px;
      border-radius: var(--mat-sys-corner-small);
      font: var(--mat-sys-label-medium);
      white-space: nowrap;
      border: 1px solid transparent;
    }
    .code {
      font-weight: 700;
    }
    /* Each pair has a contrast ratio of at least 4.5:1, in light and dark themes alike. */
    :host([data-priority='1']) {
      background: #b3261e;
      color: #fff;
    }
    :host([data-priority='2']) {
      background: #b54708;
      color: #fff;
    }
    :host([data-priority='3']) {
      background: #fbd75b;
      color: #3d2e00;
    }
    :host([data-priority='4']) {
      background: #1d4ed8;
      color: #fff;
    }
    :host([data-priority='5']) {
      background: #eceff1;
      color: #37474f;
      border-color: #90a4ae;
    }
  `,
})
export class PriorityBadge {
  readonly priority = input.required<Priority>();
  protected readonly label = computed(() => PRIORITY_LABELS[this.priority()]);
}
