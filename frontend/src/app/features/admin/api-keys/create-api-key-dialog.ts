import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import {
  AbstractControl,
  NonNullableFormBuilder,
  ReactiveFormsModule,
  ValidationErrors,
} from '@angular/forms';
import { MatCheckbox } from '@angular/material/checkbox';
import { MatDialogRef } from '@angular/material/dialog';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';

import { Problem, problemFrom } from '../../../core/problem';
import { DialogShell } from '../../../shared/dialog-shell/dialog-shell';
import { required } from '../../../shared/form-rules';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { API_KEY_SCOPES, ApiKeyScope, ApiKeysApi, CreatedApiKey, SCOPE_DESCRIPTIONS } from './api-keys-api';

function atLeastOneScope(group: AbstractControl): ValidationErrors | null {
  const scopes = group.value as Record<string, boolean>;
  return Object.values(scopes).some(Boolean) ? null : { noScope: true };
}

/** Names a new key, picks its scopes and an optional expiry; closes with the created key. */
@Component({
  selector: 'nx-create-api-key-dialog',
  imports: [
    ReactiveFormsModule,
    DialogShell,
    MatFormField,
    MatLabel,
    MatError,
    MatHint,
    MatInput,
    MatCheckbox,
    ProblemNotice,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
      <nx-dialog-shell
        title="Create API key"
        [confirmLabel]="busy() ? 'Creating…' : 'Create key'"
        cancelLabel="Cancel"
        [busy]="busy()"
      >
        @if (problem(); as problem) {
          <nx-problem-notice [error]="problem" />
        }
        <mat-form-field appearance="outline">
          <mat-label>Name</mat-label>
          <input matInput formControlName="name" autocomplete="off" required />
          <mat-hint>Who or what uses it, e.g. "ServiceNow webhook".</mat-hint>
          @if (form.controls.name.hasError('required')) {
            <mat-error>Enter a name.</mat-error>
          }
        </mat-form-field>
        <fieldset formGroupName="scopes" class="scopes">
          <legend>Scopes</legend>
          @for (scope of scopes; track scope) {
            <mat-checkbox [formControlName]="scope">
              <code>{{ scope }}</code> · {{ descriptions[scope] }}
            </mat-checkbox>
          }
          @if (form.controls.scopes.hasError('noScope') && form.controls.scopes.touched) {
            <p class="error" role="alert">Choose at least one scope.</p>
          }
        </fieldset>
        <mat-form-field appearance="outline">
          <mat-label>Expires on (optional)</mat-label>
          <input matInput type="date" formControlName="expiresOn" [min]="today" />
          <mat-hint>Leave empty for a key that works until revoked.</mat-hint>
        </mat-form-field>
      </nx-dialog-shell>
    </form>
  `,
  styles: `
    .scopes {
      display: flex;
      flex-direction: column;
      margin: 0 0 8px;
      padding: 8px 12px;
      border: 1px solid var(--mat-sys-outline-variant);
      border-radius: var(--mat-sys-corner-small);
    }
    legend {
      padding-inline: 4px;
      font: var(--mat-sys-label-large);
    }
    .error {
      margin: 4px 0 0;
      color: var(--mat-sys-error);
      font: var(--mat-sys-body-small);
    }
  `,
})
export class CreateApiKeyDialog {
  private readonly api = inject(ApiKeysApi);
  private readonly dialogRef = inject<MatDialogRef<CreateApiKeyDialog, CreatedApiKey>>(MatDialogRef);
  private readonly fb = inject(NonNullableFormBuilder);

  protected readonly scopes = API_KEY_SCOPES;
  protected readonly descriptions = SCOPE_DESCRIPTIONS;
  protected readonly today = new Date().toISOString().slice(0, 10);
  protected readonly form = this.fb.group({
    name: ['', required],
    scopes: this.fb.group(
      Object.fromEntries(API_KEY_SCOPES.map((scope) => [scope, false])) as Record<ApiKeyScope, boolean>,
      { validators: atLeastOneScope },
    ),
    expiresOn: [''],
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
    const { name, scopes, expiresOn } = this.form.getRawValue();
    const chosen = API_KEY_SCOPES.filter((scope) => scopes[scope]);
    // The key stops working at the end of the chosen day, local time.
    const expiresAt = expiresOn ? new Date(`${expiresOn}T23:59:59.999`).toISOString() : undefined;
    this.busy.set(true);
    this.problem.set(null);
    this.api.create({ name: name.trim(), scopes: chosen, ...(expiresAt ? { expiresAt } : {}) }).subscribe({
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
