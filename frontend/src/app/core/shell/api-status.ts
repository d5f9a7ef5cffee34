import { httpResource } from '@angular/common/http';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  linkedSignal,
} from '@angular/core';

import { Icon, IconName } from '../../shared/icon/icon';

export const READINESS_URL = '/api/health/ready';
/** How often the header re-checks readiness; cheap for the API, quick enough for an operator. */
export const RECHECK_INTERVAL_MS = 30_000;

type ApiState = 'checking' | 'ready' | 'unavailable';

const PRESENTATION: Record<ApiState, { readonly label: string; readonly icon: IconName }> = {
  checking: { label: 'Checking API…', icon: 'progress-activity' },
  ready: { label: 'API ready', icon: 'check-circle' },
  unavailable: { label: 'API unavailable', icon: 'error' },
};

/** Header badge for `GET /api/health/ready`: 2xx means ready, anything else (503, offline) unavailable. */
@Component({
  selector: 'nx-api-status',
  imports: [Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <span
      class="api-status"
      role="status"
      [attr.data-state]="state()"
      [attr.aria-label]="'API status: ' + presentation().label"
      [title]="presentation().label"
    >
      <nx-icon [name]="presentation().icon" />
      <span class="label">{{ presentation().label }}</span>
    </span>
  `,
  styleUrl: './api-status.scss',
})
export class ApiStatus {
  private readonly readiness = httpResource(() => READINESS_URL);

  private readonly observed = computed<ApiState>(() => {
    switch (this.readiness.status()) {
      case 'resolved':
      case 'local':
        return 'ready';
      case 'error':
        return 'unavailable';
      default:
        return 'checking';
    }
  });

  // While a periodic re-check is in flight keep showing the last answer instead of flickering.
  protected readonly state = linkedSignal<ApiState, ApiState>({
    source: this.observed,
    computation: (next, previous) => (next === 'checking' && previous ? previous.value : next),
  });

  protected readonly presentation = computed(() => PRESENTATION[this.state()]);

  constructor() {
    const timer = setInterval(() => {
      this.readiness.reload();
    }, RECHECK_INTERVAL_MS);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(timer);
    });
  }
}
