import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MAT_DIALOG_DATA, MatDialog } from '@angular/material/dialog';
import { map, Observable } from 'rxjs';

import { DialogShell } from '../dialog-shell/dialog-shell';
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
  imports: [DialogShell],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <nx-dialog-shell
      [title]="data.title"
      [confirmLabel]="data.confirmLabel"
      cancelLabel="Cancel"
      [destructive]="data.destructive ?? false"
      [confirmResult]="true"
      cancelFirst
    >
      <p class="message">{{ data.message }}</p>
    </nx-dialog-shell>
  `,
  styles: `
    .message {
      margin: 0;
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
