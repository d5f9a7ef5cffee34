import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatDialogRef } from '@angular/material/dialog';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatOption, MatSelect } from '@angular/material/select';

import { Problem, problemFrom } from '../../../core/problem';
import { Role, ROLE_LABELS, ROLES } from '../../../core/session/user';
import { DialogShell } from '../../../shared/dialog-shell/dialog-shell';
import { emailAddress, required } from '../../../shared/form-rules';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { CreatedUser, NewUser, UsersApi } from './users-api';

/** Creates a user; closes with the API's answer (which may carry a one-time temporary password). */
@Component({
  selector: 'nx-invite-user-dialog',
  imports: [
    ReactiveFormsModule,
    DialogShell,
    MatFormField,
    MatLabel,
    MatError,
    MatHint,
    MatInput,
    MatSelect,
    MatOption,
    ProblemNotice,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
      <nx-dialog-shell
        title="Invite user"
        [confirmLabel]="busy() ? 'Inviting…' : 'Invite'"
        cancelLabel="Cancel"
        [busy]="busy()"
      >
        @if (problem(); as problem) {
          @if (problem.code === 'USER_EMAIL_TAKEN') {
            <p class="alert" role="alert" data-code="USER_EMAIL_TAKEN">
              {{ problem.detail || 'A user with this email address already exists.' }}
            </p>
          } @else {
            <nx-problem-notice [error]="problem" />
          }
        }
        <mat-form-field appearance="outline">
          <mat-label>Email</mat-label>
          <input matInput type="email" formControlName="email" autocomplete="off" required />
          @if (form.controls.email.hasError('required')) {
            <mat-error>Enter the user's email address.</mat-error>
          } @else if (form.controls.email.hasError('email')) {
            <mat-error>Enter a valid email address.</mat-error>
          }
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Name</mat-label>
          <input matInput formControlName="name" autocomplete="off" required />
          @if (form.controls.name.hasError('required')) {
            <mat-error>Enter the user's name.</mat-error>
          }
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Role</mat-label>
          <mat-select formControlName="role" required>
            @for (role of roles; track role) {
              <mat-option [value]="role">{{ roleLabels[role] }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Password (optional)</mat-label>
          <input matInput type="password" formControlName="password" autocomplete="new-password" />
          <mat-hint
            >Leave empty to generate a temporary password the user must change at first sign-in.</mat-hint
          >
        </mat-form-field>
      </nx-dialog-shell>
    </form>
  `,
  styles: `
    .alert {
      margin: 0 0 12px;
      padding: 12px 16px;
      border-radius: var(--mat-sys-corner-medium);
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
    }
  `,
})
export class InviteUserDialog {
  private readonly api = inject(UsersApi);
  private readonly dialogRef = inject<MatDialogRef<InviteUserDialog, CreatedUser>>(MatDialogRef);

  protected readonly roles = ROLES;
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly form = inject(NonNullableFormBuilder).group({
    email: ['', [required, emailAddress]],
    name: ['', required],
    role: ['viewer' as Role, required],
    password: [''],
  });
  protected readonly busy = signal(false);
  protected readonly problem = signal<Problem | null>(null);

  protected submit(): void {
    if (this.busy()) {
      return;
    }
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { email, name, role, password } = this.form.getRawValue();
    const user: NewUser = { email: email.trim(), name: name.trim(), role, ...(password ? { password } : {}) };
    this.busy.set(true);
    this.problem.set(null);
    this.api.create(user).subscribe({
      next: (created) => {
        this.busy.set(false);
        this.dialogRef.close(created);
      },
      error: (error: unknown) => {
        this.busy.set(false);
        this.problem.set(problemFrom(error));
      },
    });
  }
}
