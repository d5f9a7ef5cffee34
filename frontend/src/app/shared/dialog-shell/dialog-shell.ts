import { booleanAttribute, ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatDialogActions, MatDialogClose, MatDialogContent, MatDialogTitle } from '@angular/material/dialog';

/**
 * What every dialog of the console looks like: a title, the dialog's own content (projected),
 * and the actions: a way back (closes with no answer) and the confirming button, which says what
 * happens. Inside a `<form>` the confirming button submits it; with `confirmResult` it closes
 * the dialog with that answer instead. `cancelFirst` puts focus on the way back, for questions
 * where Enter must never confirm by accident.
 */
@Component({
  selector: 'nx-dialog-shell',
  imports: [MatDialogTitle, MatDialogContent, MatDialogActions, MatDialogClose, MatButton],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ title() }}</h2>
    <mat-dialog-content class="content">
      <ng-content />
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      <button matButton type="button" mat-dialog-close [attr.cdkFocusInitial]="cancelFirst() ? '' : null">
        {{ cancelLabel() }}
      </button>
      @if (confirmResult() === undefined) {
        <button
          matButton="filled"
          type="submit"
          [class.destructive]="destructive()"
          [disabled]="busy()"
          [attr.aria-busy]="busy()"
        >
          {{ confirmLabel() }}
        </button>
      } @else {
        <button
          matButton="filled"
          type="button"
          [class.destructive]="destructive()"
          [mat-dialog-close]="confirmResult()"
        >
          {{ confirmLabel() }}
        </button>
      }
    </mat-dialog-actions>
  `,
  styles: `
    :host {
      display: contents;
    }
    .content {
      display: flex;
      flex-direction: column;
      gap: 8px;
    }
    .destructive {
      --mat-button-filled-container-color: var(--mat-sys-error);
      --mat-button-filled-label-text-color: var(--mat-sys-on-error);
    }
  `,
})
export class DialogShell {
  readonly title = input.required<string>();
  /** Says what happens: "Resolve", "Delete user", never just "OK". */
  readonly confirmLabel = input.required<string>();
  readonly cancelLabel = input('Back');
  /** Styles the confirming button as dangerous (delete, disable, revoke). */
  readonly destructive = input(false);
  /** While the dialog's own request runs: the confirming button is disabled and says so. */
  readonly busy = input(false);
  /** Closes with this answer instead of submitting the surrounding form. */
  readonly confirmResult = input<unknown>(undefined);
  readonly cancelFirst = input(false, { transform: booleanAttribute });
}
