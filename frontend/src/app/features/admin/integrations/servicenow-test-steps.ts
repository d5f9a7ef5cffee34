import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { Icon } from '../../../shared/icon/icon';
import { ServiceNowTestResult } from './servicenow-api';
import { TEST_STEP_LABELS } from './servicenow-mapping';

/** The outcome of "Test connection": each step passed or failed, with the instance's own words. */
@Component({
  selector: 'nx-servicenow-test-steps',
  imports: [Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let r = result();
    <p class="summary" [attr.data-ok]="r.ok">
      <nx-icon [name]="r.ok ? 'check-circle' : 'error'" />
      {{ summary() }}
    </p>
    <ol class="steps" aria-label="Connection test steps">
      @for (step of r.steps; track step.step) {
        <li class="step" [attr.data-step]="step.step" [attr.data-ok]="step.ok">
          <nx-icon class="mark" [name]="step.ok ? 'check-circle' : 'error'" />
          <div class="body">
            <p class="name">
              <strong>{{ labels[step.step] }}</strong>
              <span class="verdict">{{ step.ok ? 'Passed' : 'Failed' }}</span>
              <span class="duration">{{ step.durationMs }} ms</span>
            </p>
            @if (step.detail) {
              <p class="detail">{{ step.detail }}</p>
            }
          </div>
        </li>
      }
    </ol>
  `,
  styles: `
    .summary {
      display: flex;
      gap: 8px;
      align-items: center;
      margin: 0 0 8px;
      font: var(--mat-sys-title-small);
      color: var(--mat-sys-error);
    }
    .summary[data-ok='true'] {
      color: var(--nx-status-ok);
    }
    .steps {
      display: flex;
      flex-direction: column;
      gap: 8px;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .step {
      display: flex;
      gap: 8px;
      align-items: flex-start;
    }
    .mark {
      flex: none;
      color: var(--mat-sys-error);
    }
    .step[data-ok='true'] .mark {
      color: var(--nx-status-ok);
    }
    .body {
      min-width: 0;
    }
    .body p {
      margin: 0;
    }
    .name {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 12px;
    }
    .duration,
    .verdict {
      color: var(--mat-sys-on-surface-variant);
      font: var(--mat-sys-body-small);
      align-self: center;
    }
    .detail {
      overflow-wrap: anywhere;
      font: var(--mat-sys-body-medium);
    }
    .step[data-ok='false'] .detail {
      color: var(--mat-sys-error);
    }
  `,
})
export class ServiceNowTestSteps {
  readonly result = input.required<ServiceNowTestResult>();
  protected readonly labels = TEST_STEP_LABELS;
  protected readonly summary = computed(() => {
    const steps = this.result().steps;
    const failed = steps.filter((step) => !step.ok).length;
    if (failed === 0) return this.result().ok ? 'Every step passed.' : 'The test did not pass.';
    return failed === 1 ? '1 step failed.' : `${String(failed)} of ${String(steps.length)} steps failed.`;
  });
}
