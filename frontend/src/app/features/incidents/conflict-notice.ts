import { ChangeDetectionStrategy, Component, input } from '@angular/core';

import { Icon } from '../../shared/icon/icon';

/**
 * The banner an incident page shows when someone else changed the incident under the user
 * (a 409 on save, or a newer version from the live connection): a warning, what happened and
 * what the user's input became, then the page's own buttons (projected) to resolve it.
 */
@Component({
  selector: 'nx-conflict-notice',
  imports: [Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'conflict', role: 'alert' },
  template: `
    <nx-icon name="warning" />
    <div class="conflict-text">
      <p class="conflict-title">{{ heading() }}</p>
      <p>{{ detail() }}</p>
    </div>
    <ng-content select="button" />
  `,
  styles: `
    :host {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      align-items: center;
      margin-bottom: 16px;
      padding: 12px 16px;
      border-radius: var(--mat-sys-corner-medium);
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
    }
    .conflict-text {
      flex: 1 1 240px;
    }
    p {
      margin: 0;
    }
    .conflict-title {
      font: var(--mat-sys-title-small);
    }
  `,
})
export class ConflictNotice {
  readonly heading = input.required<string>();
  readonly detail = input.required<string>();
}
