import { ChangeDetectionStrategy, Component, input, model } from '@angular/core';
import { MatButton } from '@angular/material/button';

/** A chart panel's "Show as table" button: shows or hides the table alternative it `controls`. */
@Component({
  selector: 'nx-table-toggle',
  imports: [MatButton],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <button
      mat-button
      type="button"
      [attr.aria-controls]="controls()"
      [attr.aria-expanded]="shown()"
      (click)="shown.set(!shown())"
    >
      {{ shown() ? 'Hide table' : 'Show as table' }}
    </button>
  `,
})
export class TableToggle {
  /** The id of the table it shows. */
  readonly controls = input.required<string>();
  readonly shown = model(false);
}
