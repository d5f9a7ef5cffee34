import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButton } from '@angular/material/button';
import {
  MAT_DIALOG_DATA,
  MatDialog,
  MatDialogActions,
  MatDialogClose,
  MatDialogContent,
  MatDialogTitle,
} from '@angular/material/dialog';
import { MatFormField, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { Observable } from 'rxjs';

import { dialogConfig } from '../material-config';
import { Icon } from '../icon/icon';

export interface OneTimeSecretData {
  readonly title: string;
  /** Names the field that holds the secret ("Temporary password", "API key"). */
  readonly label: string;
  readonly secret: string;
  /** What to do with it, shown above the warning. */
  readonly explanation: string;
}

/**
 * Shows a secret the API returns exactly once (a temporary password, a new API key), with a
 * copy button and a warning that it cannot be shown again. Closing needs the explicit "Done":
 * a stray click on the backdrop must not lose it.
 */
@Component({
  selector: 'nx-one-time-secret-dialog',
  imports: [
    MatDialogTitle,
    MatDialogContent,
    MatDialogActions,
    MatDialogClose,
    MatButton,
    MatFormField,
    MatLabel,
    MatInput,
    Icon,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <mat-dialog-content>
      <p>{{ data.explanation }}</p>
      <div class="secret-row">
        <mat-form-field appearance="outline" class="secret-field">
          <mat-label>{{ data.label }}</mat-label>
          <input
            matInput
            readonly
            [value]="data.secret"
            class="secret"
            spellcheck="false"
            autocomplete="off"
          />
        </mat-form-field>
        <button
          matButton="tonal"
          type="button"
          (click)="copy()"
          [attr.aria-label]="'Copy ' + data.label.toLowerCase()"
        >
          <nx-icon name="content-copy" />
          Copy
        </button>
      </div>
      <p class="copied" role="status">{{ copied() }}</p>
      <p class="warning">
        <nx-icon name="warning" />
        <span>This is the only time it is shown. Once you close this dialog it cannot be shown again.</span>
      </p>
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button matButton="filled" type="button" mat-dialog-close>Done</button>
    </mat-dialog-actions>
  `,
  styles: `
    .secret-row {
      display: flex;
      gap: 8px;
      align-items: baseline;
    }
    .secret-field {
      flex: 1;
    }
    .secret {
      font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
    }
    .copied {
      min-height: 1.25em;
      margin: 0;
      font: var(--mat-sys-body-small);
    }
    .warning {
      display: flex;
      gap: 8px;
      align-items: flex-start;
      margin: 8px 0 0;
      padding: 12px;
      border-radius: var(--mat-sys-corner-medium);
      background: var(--mat-sys-tertiary-container);
      color: var(--mat-sys-on-tertiary-container);
    }
  `,
})
export class OneTimeSecretDialog {
  protected readonly data = inject<OneTimeSecretData>(MAT_DIALOG_DATA);
  private readonly clipboard = inject(Clipboard);
  protected readonly copied = signal('');

  protected copy(): void {
    this.copied.set(
      this.clipboard.copy(this.data.secret)
        ? 'Copied to the clipboard.'
        : 'Copying failed; select the text and copy it.',
    );
  }

  static show(dialog: MatDialog, data: OneTimeSecretData): Observable<unknown> {
    return dialog
      .open(OneTimeSecretDialog, dialogConfig({ data, width: '520px', disableClose: true }))
      .afterClosed();
  }
}
