import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { problemFrom } from '../../core/problem';
import { Icon } from '../icon/icon';

/**
 * Shows one failure to the operator: what went wrong, field errors if any, and the request id
 * support needs to find it in the API logs. Accepts a Problem or anything a resource holds as
 * `error()`.
 */
@Component({
  selector: 'nx-problem-notice',
  imports: [Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let p = problem();
    <div class="notice" role="alert" [attr.data-code]="p.code">
      <nx-icon class="notice-icon" name="error" />
      <div class="notice-body">
        <p class="notice-title">{{ p.title }}</p>
        @if (p.detail) {
          <p class="notice-detail">{{ p.detail }}</p>
        }
        @if (p.errors?.length) {
          <ul class="notice-errors">
            @for (fieldError of p.errors; track $index) {
              <li>
                <strong>{{ fieldError.field }}</strong>: {{ fieldError.message }}
              </li>
            }
          </ul>
        }
        @if (p.violations?.length) {
          <ul class="notice-errors">
            @for (violation of p.violations; track $index) {
              <li>{{ violation }}</li>
            }
          </ul>
        }
        @if (p.requestId) {
          <p class="notice-reference">
            Reference: <code>{{ p.requestId }}</code>
          </p>
        }
      </div>
    </div>
  `,
  styles: `
    .notice {
      display: flex;
      gap: 12px;
      padding: 12px 16px;
      border-radius: var(--mat-sys-corner-medium);
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
    }
    .notice-body {
      min-width: 0;
      overflow-wrap: anywhere;
    }
    .notice-body p,
    .notice-errors {
      margin: 0 0 4px;
    }
    .notice-title {
      font: var(--mat-sys-title-small);
    }
    .notice-reference {
      font: var(--mat-sys-body-small);
    }
  `,
})
export class ProblemNotice {
  /** A `Problem`, a `ProblemError`, or a resource's `error()`. */
  readonly error = input.required<unknown>();
  protected readonly problem = computed(() => problemFrom(this.error()));
}
