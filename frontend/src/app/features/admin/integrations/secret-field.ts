import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { MatError, MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';

/**
 * A write-only secret: the API says only whether one is stored, so the field starts empty, says
 * "Set" or "Not set", and whatever is typed replaces the stored value (empty keeps it).
 */
@Component({
  selector: 'nx-secret-field',
  imports: [ReactiveFormsModule, MatFormField, MatLabel, MatHint, MatError, MatInput],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-form-field appearance="outline">
      <mat-label>{{ set() && editable() ? 'Replace ' + label().toLowerCase() : label() }}</mat-label>
      <input
        matInput
        type="password"
        [formControl]="control()"
        autocomplete="new-password"
        spellcheck="false"
      />
      <mat-hint>
        <span class="state" [attr.data-set]="set()">{{ set() ? 'Set' : 'Not set' }}</span>{{
          set() && editable() ? ' · leave empty to keep it' : ''
        }}
      </mat-hint>
      @if (control().hasError('required')) {
        <mat-error>Enter the {{ label().toLowerCase() }}.</mat-error>
      } @else if (control().hasError('minlength') || control().hasError('maxlength')) {
        <mat-error>{{ lengthError() }}</mat-error>
      } @else if (serverError(); as message) {
        <mat-error>{{ message }}</mat-error>
      }
    </mat-form-field>
  `,
  styles: `
    mat-form-field {
      width: 100%;
    }
    .state {
      font-weight: 500;
    }
  `,
})
export class SecretField {
  readonly control = input.required<FormControl<string>>();
  readonly label = input.required<string>();
  /** Whether the API holds a value for it. */
  readonly set = input.required<boolean>();
  /** False when the connection is read-only here: nothing can be replaced. */
  readonly editable = input(true);
  /** The API's message for this field (`VALIDATION_FAILED`), if any. */
  readonly serverError = input<string | null>(null);
  /** What to say when the value breaks a length rule of the control. */
  readonly lengthError = input('Too short or too long.');
}
