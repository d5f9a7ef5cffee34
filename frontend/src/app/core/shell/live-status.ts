import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatTooltip } from '@angular/material/tooltip';

import { Icon, IconName } from '../../shared/icon/icon';
import { LiveConnection, LiveState } from '../live/live-connection';

interface Presentation {
  readonly label: string;
  readonly icon: IconName;
  readonly tooltip: string;
}

const PRESENTATION: Record<LiveState, Presentation> = {
  connecting: {
    label: 'Connecting…',
    icon: 'progress-activity',
    tooltip: 'Opening the live connection.',
  },
  // Not the API badge's check mark: side by side on a phone, the two must not look the same.
  live: { label: 'Live', icon: 'dynamic-feed', tooltip: 'Changes appear as they happen.' },
  reconnecting: {
    label: 'Reconnecting…',
    icon: 'sync',
    tooltip: 'The live connection dropped; retrying. Changes made meanwhile appear once it is back.',
  },
  offline: {
    label: 'Offline',
    icon: 'error',
    tooltip: 'No live connection: reload the page to see the latest changes.',
  },
};

/** The toolbar's badge for the live connection: icon, text (for screen readers too) and a tooltip. */
@Component({
  selector: 'nx-live-status',
  imports: [Icon, MatTooltip],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <span
      class="live-status"
      role="status"
      [attr.data-state]="state()"
      [attr.tabindex]="state() === 'live' ? null : 0"
      [matTooltip]="presentation().tooltip"
    >
      <nx-icon [name]="presentation().icon" />
      <span class="label">{{ presentation().label }}</span>
      <span class="visually-hidden">{{ state() === 'live' ? '' : presentation().tooltip }}</span>
    </span>
  `,
  styleUrl: './live-status.scss',
})
export class LiveStatus {
  private readonly live = inject(LiveConnection);
  protected readonly state = this.live.state;
  protected readonly presentation = computed(() => PRESENTATION[this.state()]);
}
