import {
  booleanAttribute,
  ChangeDetectionStrategy,
  Component,
  inject,
  input,
  output,
  signal,
} from '@angular/core';
import { MatSlideToggle, MatSlideToggleChange } from '@angular/material/slide-toggle';
import { MatSnackBar } from '@angular/material/snack-bar';

import { Problem, problemFrom } from '../../../core/problem';
import { toastConfig } from '../../../shared/material-config';
import { EventSourceView } from './event-source';
import { EventSourcesApi } from './event-sources-api';

/**
 * A source's on/off switch: `PATCH {enabled}` at once (a disabled source's events are refused
 * with 403). On failure the switch goes back and `failed` says why.
 */
@Component({
  selector: 'nx-source-enabled-toggle',
  imports: [MatSlideToggle],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-slide-toggle
      [checked]="source().enabled"
      [disabled]="busy()"
      [aria-label]="'Accept events from ' + source().name"
      (change)="toggle($event)"
    >
      @if (showLabel()) {
        {{ source().enabled ? 'Enabled' : 'Disabled' }}
      }
    </mat-slide-toggle>
  `,
})
export class SourceEnabledToggle {
  private readonly api = inject(EventSourcesApi);
  private readonly snackBar = inject(MatSnackBar);

  readonly source = input.required<EventSourceView>();
  /** Shows "Enabled"/"Disabled" beside the switch. */
  readonly showLabel = input(false, { transform: booleanAttribute });
  readonly changed = output<EventSourceView>();
  readonly failed = output<Problem>();
  protected readonly busy = signal(false);

  protected toggle(change: MatSlideToggleChange): void {
    const { name } = this.source();
    this.busy.set(true);
    this.api.update(this.source().id, { enabled: change.checked }).subscribe({
      next: (updated) => {
        this.busy.set(false);
        this.changed.emit(updated);
        this.snackBar.open(
          updated.enabled ? `"${name}" accepts events again.` : `"${name}" refuses events now.`,
          undefined,
          toastConfig(),
        );
      },
      error: (error: unknown) => {
        this.busy.set(false);
        change.source.checked = !change.checked;
        this.failed.emit(problemFrom(error));
      },
    });
  }
}
