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
  /** Further secrets returned by the same call (an event source's signing secret). */
  readonly moreSecrets?: readonly OneTimeSecretField[];
  /** Ready-to-paste snippets that contain the secret (a curl call, a config file), each with a copy button. */
  readonly examples?: readonly OneTimeSecretExample[];
}

export interface OneTimeSecretField {
  readonly label: string;
  readonly secret: string;
}

export interface OneTimeSecretExample {
  readonly label: string;
  readonly text: string;
}

/**
 * Shows a secret the API returns exactly once (a temporary password, a new API key), with a
 * copy button and a warning that it cannot be shown again; optionally further secrets of the
 * same answer and examples that use them, each copyable. Closing needs the explicit "Done":
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
      @for (field of fields; track field.label) {
        <div class="secret-row">
          <mat-form-field appearance="outline" class="secret-field" subscriptSizing="dynamic">
            <mat-label>{{ field.label }}</mat-label>
            <input
              matInput
              readonly
              [value]="field.secret"
              class="secret"
              spellcheck="false"
              autocomplete="off"
            />
          </mat-form-field>
          <button
            matButton="tonal"
            type="button"
            (click)="copy(field.secret)"
            [attr.aria-label]="'Copy ' + field.label.toLowerCase()"
          >
            <nx-icon name="content-copy" />
            Copy
          </button>
        </div>
      }
      <p class="copied" role="status">{{ copied() }}</p>
      <p class="warning">
        <nx-icon name="warning" />
        <span>This is the only time it is shown. Once you close this dialog it cannot be shown again.</span>
      </p>
      @for (example of data.examples ?? []; track example.label) {
        <section class="example" [attr.aria-label]="example.label">
          <div class="example-heading">
            <h3>{{ example.label }}</h3>
            <button
              matButton
              type="button"
              (click)="copy(example.text)"
              [attr.aria-label]="'Copy ' + example.label"
            >
              <nx-icon name="content-copy" />
              Copy
            </button>
          </div>
          <pre class="snippet" tabindex="0">{{ example.text }}</pre>
        </section>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button matButton="filled" type="button" mat-dialog-close>Done</button>
    </mat-dialog-actions>
  `,
  styles: `
    .secret-row {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      align-items: center;
      margin-bottom: 8px;
    }
    .secret-field {
      flex: 1 1 200px;
    }
    .example-heading {
      display: flex;
      gap: 8px;
      align-items: center;
      justify-content: space-between;
    }
    .example h3 {
      margin: 8px 0 4px;
      font: var(--mat-sys-title-small);
    }
    .snippet {
      margin: 0 0 8px;
      padding: 8px 12px;
      overflow-x: auto;
      border-radius: var(--mat-sys-corner-small);
      background: var(--mat-sys-surface-container-high);
      font:
        0.8125rem/1.4 ui-monospace,
        'SFMono-Regular',
        Menlo,
        Consolas,
        monospace;
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
  protected readonly fields: readonly OneTimeSecretField[] = [
    { label: this.data.label, secret: this.data.secret },
    ...(this.data.moreSecrets ?? []),
  ];

  protected copy(text: string): void {
    this.copied.set(
      this.clipboard.copy(text) ? 'Copied to the clipboard.' : 'Copying failed; select the text and copy it.',
    );
  }

  static show(dialog: MatDialog, data: OneTimeSecretData): Observable<unknown> {
    const width = data.examples?.length ? '720px' : '520px';
    return dialog.open(OneTimeSecretDialog, dialogConfig({ data, width, disableClose: true })).afterClosed();
  }
}
