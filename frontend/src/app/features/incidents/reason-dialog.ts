import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MAT_DIALOG_DATA, MatDialog, MatDialogRef } from '@angular/material/dialog';
import { MatError, MatFormField, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { map, Observable } from 'rxjs';

import { DialogShell } from '../../shared/dialog-shell/dialog-shell';
import { required } from '../../shared/form-rules';
import { dialogConfig } from '../../shared/material-config';

export interface ReasonDialogData {
  readonly title: string;
  readonly message: string;
  /** The confirming button says what happens: "Put on hold", "Cancel incident", "Reopen". */
  readonly confirmLabel: string;
  /** What the user typed last time, if that attempt did not go through. */
  readonly reason?: string;
}

/** Asks why (hold, cancel, reopen): the reason is required and lands in the timeline. */
@Component({
  selector: 'nx-reason-dialog',
  imports: [ReactiveFormsModule, DialogShell, MatFormField, MatLabel, MatError, MatInput],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
      <nx-dialog-shell [title]="data.title" [confirmLabel]="data.confirmLabel">
        <p class="message">{{ data.message }}</p>
        <mat-form-field appearance="outline">
          <mat-label>Reason</mat-label>
          <textarea matInput formControlName="reason" rows="3" required></textarea>
          @if (form.controls.reason.hasError('required')) {
            <mat-error>Give a reason.</mat-error>
          }
        </mat-form-field>
      </nx-dialog-shell>
    </form>
  `,
  styles: `
    .message {
      margin: 0 0 4px;
    }
  `,
})
export class ReasonDialog {
  protected readonly data = inject<ReasonDialogData>(MAT_DIALOG_DATA);
  private readonly dialogRef = inject<MatDialogRef<ReasonDialog, string>>(MatDialogRef);
  protected readonly form = inject(NonNullableFormBuilder).group({
    reason: [this.data.reason ?? '', required],
  });

  /**
   * Opens the dialog; emits the reason, or undefined when the user backed out (a bare
   * `mat-dialog-close` closes with '', which must not count as an answer).
   */
  static ask(dialog: MatDialog, data: ReasonDialogData): Observable<string | undefined> {
    return dialog
      .open<ReasonDialog, ReasonDialogData, string>(ReasonDialog, dialogConfig({ data, width: '480px' }))
      .afterClosed()
      .pipe(map((reason) => (typeof reason === 'string' && reason ? reason : undefined)));
  }

  protected submit(): void {
    const reason = this.form.controls.reason.value.trim();
    if (!reason) {
      this.form.controls.reason.setValue('');
      this.form.markAllAsTouched();
      return;
    }
    this.dialogRef.close(reason);
  }
}
