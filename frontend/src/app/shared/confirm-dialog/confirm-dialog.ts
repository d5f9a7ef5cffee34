import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButton } from '@angular/material/button';
import {
  MAT_DIALOG_DATA,
  MatDialog,
  MatDialogActions,
  MatDialogClose,
  MatDialogContent,
  MatDialogTitle,
} from '@angular/material/dialog';
import { map, Observable } from 'rxjs';

import { dialogConfig } from '../material-config';

export interface ConfirmDialogData {
  readonly title: string;
  readonly message: string;
  /** The confirming button's label: says what happens ("Delete user"), never just "OK". */
  readonly confirmLabel: string;
  /** Styles the confirming button as dangerous (delete, disable, revoke). */
  readonly destructive?: boolean;
}

/** Asks before an action that cannot be undone. Cancel has focus first, so Enter is never a slip. */
@Component({
  selector: 'nx-confirm-dialog',
  imports: [MatDialogTitle, MatDialogContent, MatDialogActions, MatDialogClose, MatButton],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <mat-dialog-content>
      <p class="message">{{ data.message }}</p>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button matButton type="button" [mat-dialog-close]="false" cdkFocusInitial>Cancel</button>
      <button
        matButton="filled"
        type="button"
        [class.destructive]="data.destructive"
        [mat-dialog-close]="true"
      >
        {{ data.confirmLabel }}
      </button>
    </mat-dialog-actions>
  `,
  styles: `
    .message {
      margin: 0;
    }
    .destructive {
      --mat-button-filled-container-color: var(--mat-sys-error);
      --mat-button-filled-label-text-color: var(--mat-sys-on-error);
    }
  `,
})
export class ConfirmDialog {
  protected readonly data = inject<ConfirmDialogData>(MAT_DIALOG_DATA);

  /** Opens the dialog; emits true only when the user confirmed. */
  static ask(dialog: MatDialog, data: ConfirmDialogData): Observable<boolean> {
    return dialog
      .open<ConfirmDialog, ConfirmDialogData, boolean>(
        ConfirmDialog,
        dialogConfig({ data, width: '440px', role: 'alertdialog' }),
      )
      .afterClosed()
      .pipe(map((confirmed) => confirmed === true));
  }
}
