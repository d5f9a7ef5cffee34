import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MAT_DIALOG_DATA, MatDialog, MatDialogRef } from '@angular/material/dialog';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatOption, MatSelect } from '@angular/material/select';
import { map, Observable } from 'rxjs';

import { DialogShell } from '../../shared/dialog-shell/dialog-shell';
import { required } from '../../shared/form-rules';
import { dialogConfig } from '../../shared/material-config';
import { CloseCode, Resolution } from './incident';
import { CloseCodeChoices } from '../../shared/incident-rules/close-code-choices';
import { IncidentMetadata } from '../../shared/incident-rules/incident-metadata';

export interface ResolveDialogData {
  readonly number: string;
  /** What the user entered last time, if that attempt did not go through. */
  readonly draft?: Partial<Resolution>;
}

/**
 * Resolving needs a close code and close notes, as in ServiceNow; both are required here too. The
 * close codes offered are the connected instance's (`sys_choice`, by their labels there), each
 * standing for the code of ours that writes it back; without an instance, ours.
 */
@Component({
  selector: 'nx-resolve-dialog',
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
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
      <nx-dialog-shell [title]="'Resolve ' + data.number" confirmLabel="Resolve">
        <mat-form-field appearance="outline">
          <mat-label>Close code</mat-label>
          <mat-select formControlName="closeCode" required>
            @for (option of options(); track option.closeCode) {
              <mat-option [value]="option.closeCode">{{ option.label }}</mat-option>
            }
          </mat-select>
          @if (fromInstance()) {
            <mat-hint>The close codes of your ServiceNow instance.</mat-hint>
          }
          @if (form.controls.closeCode.hasError('required')) {
            <mat-error>Choose a close code.</mat-error>
          }
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Close notes</mat-label>
          <textarea matInput formControlName="closeNotes" rows="4" required></textarea>
          @if (form.controls.closeNotes.hasError('required')) {
            <mat-error>Say what was done to resolve it.</mat-error>
          }
        </mat-form-field>
      </nx-dialog-shell>
    </form>
  `,
})
export class ResolveDialog {
  protected readonly data = inject<ResolveDialogData>(MAT_DIALOG_DATA);
  private readonly dialogRef = inject<MatDialogRef<ResolveDialog, Resolution>>(MatDialogRef);
  /** The codes the API accepts, in its order: offered when the instance's list cannot be had. */
  private readonly closeCodes = inject(IncidentMetadata).closeCodes;
  private readonly choices = inject(CloseCodeChoices).load();
  /** The instance's choices that one of our codes writes back (by their label there), else ours. */
  protected readonly options = computed<readonly { closeCode: CloseCode; label: string }[]>(() => {
    const offered = this.choices.hasValue()
      ? this.choices
          .value()
          .choices.flatMap((c) => (c.closeCode ? [{ closeCode: c.closeCode, label: c.label }] : []))
      : [];
    return offered.length ? offered : this.closeCodes().map((code) => ({ closeCode: code, label: code }));
  });
  protected readonly fromInstance = computed(
    () =>
      this.choices.hasValue() &&
      this.choices.value().source === 'servicenow' &&
      this.choices.value().choices.some((c) => c.closeCode !== null),
  );
  protected readonly form = inject(NonNullableFormBuilder).group({
    closeCode: [this.data.draft?.closeCode ?? ('' as CloseCode | ''), required],
    closeNotes: [this.data.draft?.closeNotes ?? '', required],
  });

  /** Opens the dialog; emits the resolution, or undefined when the user backed out. */
  static ask(dialog: MatDialog, data: ResolveDialogData): Observable<Resolution | undefined> {
    return dialog
      .open<ResolveDialog, ResolveDialogData, Resolution>(
        ResolveDialog,
        dialogConfig({ data, width: '520px' }),
      )
      .afterClosed()
      .pipe(map((resolution) => (typeof resolution === 'object' ? resolution : undefined)));
  }

  protected submit(): void {
    const { closeCode, closeNotes } = this.form.getRawValue();
    if (!closeNotes.trim()) {
      this.form.controls.closeNotes.setValue('');
    }
    if (this.form.invalid || !closeCode) {
      this.form.markAllAsTouched();
      return;
    }
    this.dialogRef.close({ closeCode, closeNotes: closeNotes.trim() });
  }
}
