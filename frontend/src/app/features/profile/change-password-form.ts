import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  output,
  signal,
  viewChild,
} from '@angular/core';
import {
  AbstractControl,
  FormGroupDirective,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  ValidationErrors,
} from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { concatMap } from 'rxjs';

import { Problem, problemFrom } from '../../core/problem';
import { Session } from '../../core/session/session';
import { required } from '../../shared/form-rules';
import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import { ProfileApi } from './profile-api';

const HANDLED_CODES = ['AUTH_PASSWORD_POLICY', 'AUTH_CURRENT_PASSWORD_INCORRECT'];

/** The "confirm" field must repeat the new password. */
function confirmationMatches(group: AbstractControl): ValidationErrors | null {
  const next = group.get('newPassword')?.value as string | undefined;
  const confirm = group.get('confirmPassword')?.value as string | undefined;
  return confirm && next !== confirm ? { mismatch: true } : null;
}

/**
 * Current, new and repeated password. The API's answer decides: 403 for a wrong current
 * password, 422 with the broken policy rules (`violations`). On success the user is re-read,
 * which clears `mustChangePassword` and with it the forced redirect to this page.
 */
@Component({
  selector: 'nx-change-password-form',
  imports: [
    ReactiveFormsModule,
    MatFormField,
    MatLabel,
    MatError,
    MatHint,
    MatInput,
    MatButton,
    ProblemNotice,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form [formGroup]="form" (ngSubmit)="submit()" novalidate aria-label="Change password">
      @if (policyViolations(); as violations) {
        <div class="alert" role="alert" data-code="AUTH_PASSWORD_POLICY">
          <p>The new password does not meet the password policy:</p>
          <ul>
            @for (violation of violations; track $index) {
              <li>{{ violation }}</li>
            }
          </ul>
        </div>
      } @else if (currentIncorrect()) {
        <p class="alert" role="alert" data-code="AUTH_CURRENT_PASSWORD_INCORRECT">
          The current password is incorrect.
        </p>
      } @else if (otherProblem(); as problem) {
        <nx-problem-notice [error]="problem" />
      }
      @if (changed()) {
        <p class="success" role="status">
          Your password has been changed. Your other sessions were signed out.
        </p>
      }

      <mat-form-field appearance="outline">
        <mat-label>Current password</mat-label>
        <input
          matInput
          type="password"
          formControlName="currentPassword"
          autocomplete="current-password"
          required
        />
        @if (form.controls.currentPassword.hasError('required')) {
          <mat-error>Enter your current password.</mat-error>
        } @else if (form.controls.currentPassword.hasError('incorrect')) {
          <mat-error>The current password is incorrect.</mat-error>
        }
      </mat-form-field>
      <mat-form-field appearance="outline">
        <mat-label>New password</mat-label>
        <input matInput type="password" formControlName="newPassword" autocomplete="new-password" required />
        <mat-hint>A long passphrase works best.</mat-hint>
        @if (form.controls.newPassword.hasError('required')) {
          <mat-error>Enter a new password.</mat-error>
        }
      </mat-form-field>
      <mat-form-field appearance="outline">
        <mat-label>Confirm new password</mat-label>
        <input
          matInput
          type="password"
          formControlName="confirmPassword"
          autocomplete="new-password"
          required
        />
        @if (form.controls.confirmPassword.hasError('required')) {
          <mat-error>Repeat the new password.</mat-error>
        } @else if (form.controls.confirmPassword.hasError('mismatch')) {
          <mat-error>The passwords do not match.</mat-error>
        }
      </mat-form-field>
      <div class="actions">
        <button matButton="filled" type="submit" [disabled]="busy()" [attr.aria-busy]="busy()">
          {{ busy() ? 'Changing password…' : 'Change password' }}
        </button>
      </div>
    </form>
  `,
  styles: `
    form {
      display: flex;
      flex-direction: column;
      gap: 4px;
      max-width: 480px;
    }
    .alert,
    .success {
      margin: 0 0 12px;
      padding: 12px 16px;
      border-radius: var(--mat-sys-corner-medium);
      font: var(--mat-sys-body-medium);
    }
    .alert {
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
    }
    .alert p,
    .alert ul {
      margin: 0;
    }
    .success {
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
    .actions {
      margin-top: 12px;
    }
  `,
})
export class ChangePasswordForm {
  /** Emitted once the API accepted the new password and the user was re-read. */
  readonly passwordChanged = output();

  private readonly api = inject(ProfileApi);
  private readonly session = inject(Session);
  private readonly formDirective = viewChild.required(FormGroupDirective);

  protected readonly form = inject(NonNullableFormBuilder).group(
    {
      currentPassword: ['', required],
      newPassword: ['', required],
      confirmPassword: ['', required],
    },
    { validators: confirmationMatches },
  );
  protected readonly busy = signal(false);
  protected readonly changed = signal(false);
  private readonly problem = signal<Problem | null>(null);

  protected readonly policyViolations = computed(() => {
    const problem = this.problem();
    return problem?.code === 'AUTH_PASSWORD_POLICY' ? (problem.violations ?? [problem.detail]) : null;
  });
  protected readonly currentIncorrect = computed(
    () => this.problem()?.code === 'AUTH_CURRENT_PASSWORD_INCORRECT',
  );
  protected readonly otherProblem = computed(() => {
    const problem = this.problem();
    return problem && !HANDLED_CODES.includes(problem.code) ? problem : null;
  });

  constructor() {
    // Show the mismatch on the confirmation field, where the user fixes it.
    this.form.statusChanges.subscribe(() => {
      const confirm = this.form.controls.confirmPassword;
      const mismatch = this.form.hasError('mismatch');
      if (mismatch && !confirm.hasError('mismatch')) {
        confirm.setErrors({ ...confirm.errors, mismatch: true });
      } else if (!mismatch && confirm.hasError('mismatch')) {
        const rest = Object.entries(confirm.errors ?? {}).filter(([key]) => key !== 'mismatch');
        confirm.setErrors(rest.length ? Object.fromEntries(rest) : null);
      }
    });
  }

  protected submit(): void {
    if (this.busy()) {
      return;
    }
    this.changed.set(false);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { currentPassword, newPassword } = this.form.getRawValue();
    this.busy.set(true);
    this.problem.set(null);
    this.api
      .changePassword(currentPassword, newPassword)
      .pipe(concatMap(() => this.session.reloadUser()))
      .subscribe({
        next: () => {
          this.busy.set(false);
          this.changed.set(true);
          this.formDirective().resetForm();
          this.passwordChanged.emit();
        },
        error: (error: unknown) => {
          this.busy.set(false);
          const problem = problemFrom(error);
          this.problem.set(problem);
          if (problem.code === 'AUTH_CURRENT_PASSWORD_INCORRECT') {
            this.form.controls.currentPassword.setErrors({ incorrect: true });
          }
        },
      });
  }
}
