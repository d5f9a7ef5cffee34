import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import {
  MAT_DIALOG_DATA,
  MatDialog,
  MatDialogActions,
  MatDialogClose,
  MatDialogContent,
  MatDialogRef,
  MatDialogTitle,
} from '@angular/material/dialog';
import { MatFormField, MatHint, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { MatOption, MatSelect } from '@angular/material/select';
import { map, Observable } from 'rxjs';

import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import { dialogConfig } from '../../shared/material-config';
import { UsersApi } from '../admin/users/users-api';
import { IncidentView } from './incident';

export interface Assignment {
  readonly assigneeId: string | null;
  readonly assignmentGroup?: string;
}

/** How many active users the picker lists (sorted by name). */
export const ASSIGNABLE_USERS_LIMIT = 100;

/**
 * Admins only: any active user, or nobody, plus the assignment group. The user list comes from
 * `GET /api/users`, which only admins may read; responders get "Assign to me" instead.
 */
@Component({
  selector: 'nx-assign-dialog',
  imports: [
    ReactiveFormsModule,
    MatDialogTitle,
    MatDialogContent,
    MatDialogActions,
    MatDialogClose,
    MatFormField,
    MatLabel,
    MatHint,
    MatInput,
    MatSelect,
    MatOption,
    MatButton,
    ProblemNotice,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>Assign {{ incident.number }}</h2>
    <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
      <mat-dialog-content class="fields">
        @if (users.error(); as error) {
          <nx-problem-notice [error]="error" />
        }
        <mat-form-field appearance="outline">
          <mat-label>Assignee</mat-label>
          <mat-select formControlName="assigneeId">
            <mat-option value="">Unassigned</mat-option>
            @for (user of people(); track user.id) {
              <mat-option [value]="user.id">{{ user.name }} ({{ user.email }})</mat-option>
            }
          </mat-select>
          @if (users.isLoading()) {
            <mat-hint>Loading people…</mat-hint>
          }
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label>Assignment group</mat-label>
          <input matInput formControlName="assignmentGroup" autocomplete="off" />
        </mat-form-field>
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button matButton type="button" mat-dialog-close>Back</button>
        <button matButton="filled" type="submit">Assign</button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .fields {
      display: flex;
      flex-direction: column;
      gap: 8px;
    }
  `,
})
export class AssignDialog {
  protected readonly incident = inject<IncidentView>(MAT_DIALOG_DATA);
  private readonly dialogRef = inject<MatDialogRef<AssignDialog, Assignment>>(MatDialogRef);
  protected readonly users = inject(UsersApi).list(() => ({
    search: '',
    role: '',
    status: 'active',
    page: 1,
    pageSize: ASSIGNABLE_USERS_LIMIT,
    sort: 'name',
    order: 'asc',
  }));
  /** Active users, plus the current assignee even if they are no longer listed. */
  protected readonly people = computed(() => {
    const listed = this.users.hasValue() ? this.users.value().items : [];
    const current = this.incident.assignee;
    return current && !listed.some((u) => u.id === current.id) ? [current, ...listed] : listed;
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
