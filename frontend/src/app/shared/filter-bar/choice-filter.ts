import { ChangeDetectionStrategy, Component, input, model } from '@angular/core';
import { MatFormField, MatLabel } from '@angular/material/form-field';
import { MatOption, MatSelect } from '@angular/material/select';

export interface Choice<T> {
  readonly value: T;
  readonly label: string;
}

/**
 * One of the filter bar's multi-select fields ("Priority", "State"): any of `choices`, none
 * meaning no filter. `selected` comes back in the choices' order, not the order of the clicks,
 * so a URL or a request built from it reads the same however it was picked.
 */
@Component({
  selector: 'nx-choice-filter',
  imports: [MatFormField, MatLabel, MatSelect, MatOption],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-form-field appearance="outline" subscriptSizing="dynamic">
      <mat-label>{{ label() }}</mat-label>
      <mat-select multiple [value]="selected()" (selectionChange)="choose($event.value)">
        @for (choice of choices(); track choice.value) {
          <mat-option [value]="choice.value">{{ choice.label }}</mat-option>
        }
      </mat-select>
    </mat-form-field>
  `,
  styles: `
    /* As wide as the field unless the page sets a width, which the field then fills. */
    :host {
      display: inline-block;
    }
    mat-form-field {
      width: 100%;
    }
  `,
})
export class ChoiceFilter<T extends string | number> {
  readonly label = input.required<string>();
  readonly choices = input.required<readonly Choice<T>[]>();
  readonly selected = model<readonly T[]>([]);

  protected choose(values: readonly T[]): void {
    this.selected.set(
      this.choices()
        .map((c) => c.value)
        .filter((v) => values.includes(v)),
    );
  }
}
