import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MAT_DIALOG_DATA, MatDialog, MatDialogRef } from '@angular/material/dialog';
import { MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatOption, MatSelect } from '@angular/material/select';
import { map, Observable } from 'rxjs';

import { DialogShell } from '../../shared/dialog-shell/dialog-shell';
import { dialogConfig } from '../../shared/material-config';
import { PeopleLookup } from '../../shared/people/people-lookup';
import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import { IncidentView } from './incident';

export interface Assignment {
  readonly assigneeId: string | null;
  readonly assignmentGroup?: string;
}

/** How many active people the picker lists (sorted by name). */
export const ASSIGNABLE_PEOPLE_LIMIT = 100;

/** Any active person, or nobody, plus the assignment group; for responders and admins. */
@Component({
  selector: 'nx-assign-dialog',
  imports: [
    ReactiveFormsModule,
    DialogShell,
    MatFormField,
    MatLabel,
    MatHint,
    MatInput,
    MatSelect,
    MatOption,
    ProblemNotice,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
      <nx-dialog-shell [title]="'Assign ' + incident.number" confirmLabel="Assign">
        @if (found.error(); as error) {
          <nx-problem-notice [error]="error" />
        }
        <mat-form-field appearance="outline">
          <mat-label>Assignee</mat-label>
          <mat-select formControlName="assigneeId">
            <mat-option value="">Unassigned</mat-option>
            @for (person of people(); track person.id) {
              <mat-option [value]="person.id">{{ person.name }} ({{ person.email }})</mat-option>
            }
          </mat-select>
          @if (found.isLoading()) {
            <mat-hint>Loading people…</mat-hint>
          }
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Assignment group</mat-label>
          <input matInput formControlName="assignmentGroup" autocomplete="off" />
        </mat-form-field>
      </nx-dialog-shell>
    </form>
  `,
})
export class AssignDialog {
  protected readonly incident = inject<IncidentView>(MAT_DIALOG_DATA);
  private readonly dialogRef = inject<MatDialogRef<AssignDialog, Assignment>>(MatDialogRef);
  protected readonly found = inject(PeopleLookup).find(() => ({
    search: '',
    limit: ASSIGNABLE_PEOPLE_LIMIT,
  }));
  /** Active people, plus the current assignee even if they are no longer listed. */
  protected readonly people = computed(() => {
    const listed = this.found.hasValue() ? this.found.value().items : [];
    const current = this.incident.assignee;
    return current && !listed.some((p) => p.id === current.id) ? [current, ...listed] : listed;
  });
  protected readonly form = inject(NonNullableFormBuilder).group({
    assigneeId: [this.incident.assignee?.id ?? ''],
    assignmentGroup: [this.incident.assignmentGroup ?? ''],
  });

  static ask(dialog: MatDialog, incident: IncidentView): Observable<Assignment | undefined> {
    return dialog
      .open<AssignDialog, IncidentView, Assignment>(
        AssignDialog,
        dialogConfig({ data: incident, width: '520px' }),
      )
      .afterClosed()
      .pipe(map((assignment) => (typeof assignment === 'object' ? assignment : undefined)));
  }

  protected submit(): void {
    const { assigneeId, assignmentGroup } = this.form.getRawValue();
    const group = assignmentGroup.trim();
    this.dialogRef.close({
      assigneeId: assigneeId || null,
      ...(group !== (this.incident.assignmentGroup ?? '') ? { assignmentGroup: group } : {}),
    });
  }
}
