import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MAT_DIALOG_DATA, MatDialog, MatDialogRef } from '@angular/material/dialog';
import { MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatRadioButton, MatRadioGroup } from '@angular/material/radio';
import { Observable } from 'rxjs';

import { DialogShell } from '../../../shared/dialog-shell/dialog-shell';
import { dialogConfig } from '../../../shared/material-config';

export interface SigningSecretQuestion {
  readonly sourceName: string;
  /** Whether the source has a secret now (rotating) or not (adding one). */
  readonly signed: boolean;
}

/** The secret chosen: `undefined` = let the API generate one. */
export interface SigningSecretAnswer {
  readonly signingSecret?: string;
}

/** Asks how the source's new signing secret is made: generated (shown once) or the admin's own. */
@Component({
  selector: 'nx-signing-secret-dialog',
  imports: [
    FormsModule,
    DialogShell,
    MatRadioGroup,
    MatRadioButton,
    MatFormField,
    MatLabel,
    MatHint,
    MatInput,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form (ngSubmit)="submit()" novalidate>
      <nx-dialog-shell
        [title]="(data.signed ? 'Rotate the signing secret of ' : 'Sign the events of ') + data.sourceName"
        [confirmLabel]="data.signed ? 'Rotate secret' : 'Add secret'"
        cancelLabel="Cancel"
      >
        <p class="message">
          @if (data.signed) {
            The current secret stops working at once: requests signed with it are refused from then on.
          } @else {
            From now on every request must be signed; unsigned ones are refused.
          }
        </p>
        <mat-radio-group
          class="choice"
          aria-label="New secret"
          name="mode"
          [ngModel]="mode()"
          (ngModelChange)="mode.set($event)"
        >
          <mat-radio-button value="generate">Generate one (shown once)</mat-radio-button>
          <mat-radio-button value="own">Use my own</mat-radio-button>
        </mat-radio-group>
        @if (mode() === 'own') {
          <mat-form-field appearance="outline">
            <mat-label>Signing secret</mat-label>
            <input
              matInput
              name="secret"
              autocomplete="off"
              spellcheck="false"
              [ngModel]="secret()"
              (ngModelChange)="secret.set($event)"
            />
            <mat-hint>32 to 256 characters.</mat-hint>
          </mat-form-field>
          @if (tried() && !valid()) {
            <p class="error" role="alert">The secret needs 32 to 256 characters.</p>
          }
        }
      </nx-dialog-shell>
    </form>
  `,
  styles: `
    .message {
      margin: 0;
    }
    .choice {
      display: flex;
      flex-direction: column;
    }
    .error {
      margin: 0;
      color: var(--mat-sys-error);
      font: var(--mat-sys-body-small);
    }
  `,
})
export class SigningSecretDialog {
  protected readonly data = inject<SigningSecretQuestion>(MAT_DIALOG_DATA);
  private readonly dialogRef = inject<MatDialogRef<SigningSecretDialog, SigningSecretAnswer>>(MatDialogRef);
  protected readonly mode = signal<'generate' | 'own'>('generate');
  protected readonly secret = signal('');
  protected readonly tried = signal(false);
  protected readonly valid = computed(() => this.secret().length >= 32 && this.secret().length <= 256);

  protected submit(): void {
    if (this.mode() === 'generate') {
      this.dialogRef.close({});
      return;
    }
    this.tried.set(true);
    if (this.valid()) {
      this.dialogRef.close({ signingSecret: this.secret() });
    }
  }

  static ask(dialog: MatDialog, data: SigningSecretQuestion): Observable<SigningSecretAnswer | undefined> {
    return dialog
      .open<SigningSecretDialog, SigningSecretQuestion, SigningSecretAnswer>(
        SigningSecretDialog,
        dialogConfig({ data, width: '480px' }),
      )
      .afterClosed();
  }
}
