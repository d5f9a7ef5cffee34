import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, linkedSignal, signal } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { MatButton, MatIconButton } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormField, MatLabel } from '@angular/material/form-field';
import { MatMenu, MatMenuContent, MatMenuItem, MatMenuTrigger } from '@angular/material/menu';
import { MatPaginator, PageEvent } from '@angular/material/paginator';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatOption, MatSelect } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatSort, MatSortHeader, Sort } from '@angular/material/sort';
import {
  MatCell,
  MatCellDef,
  MatColumnDef,
  MatHeaderCell,
  MatHeaderCellDef,
  MatHeaderRow,
  MatHeaderRowDef,
  MatNoDataRow,
  MatRow,
  MatRowDef,
  MatTable,
} from '@angular/material/table';
import { debounceTime, distinctUntilChanged, filter, Observable, switchMap } from 'rxjs';

import { Problem, problemFrom } from '../../../core/problem';
import { Role, ROLE_LABELS, ROLES, UserStatus, UserView } from '../../../core/session/user';
import { ConfirmDialog } from '../../../shared/confirm-dialog/confirm-dialog';
import { FilterBar } from '../../../shared/filter-bar/filter-bar';
import { Icon } from '../../../shared/icon/icon';
import { dialogConfig, toastConfig } from '../../../shared/material-config';
import { OneTimeSecretDialog } from '../../../shared/one-time-secret/one-time-secret-dialog';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { InviteUserDialog } from './invite-user-dialog';
import { CreatedUser, SortOrder, UserPage, UserQuery, UsersApi, UserSort } from './users-api';

/** Typing in the search box queries the API once the user pauses this long. */
export const SEARCH_DEBOUNCE_MS = 300;
export const PAGE_SIZES: readonly number[] = [10, 25, 50, 100];
const SORTABLE: readonly string[] = [
  'name',
  'email',
  'role',
  'createdAt',
  'lastLoginAt',
] satisfies UserSort[];

/** Admin user management; filtering, sorting and paging all happen on the server. */
@Component({
  selector: 'nx-user-list',
  imports: [
    DatePipe,
    MatTable,
    MatColumnDef,
    MatHeaderCell,
    MatHeaderCellDef,
    MatCell,
    MatCellDef,
    MatHeaderRow,
    MatHeaderRowDef,
    MatRow,
    MatRowDef,
    MatNoDataRow,
    MatSort,
    MatSortHeader,
    MatPaginator,
    MatProgressBar,
    MatFormField,
    MatLabel,
    MatSelect,
    MatOption,
    MatButton,
    MatIconButton,
    MatMenu,
    MatMenuContent,
    MatMenuItem,
    MatMenuTrigger,
    FilterBar,
    Icon,
    ProblemNotice,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  templateUrl: './user-list.html',
  styleUrl: './user-list.scss',
})
export class UserList {
  private readonly api = inject(UsersApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);

  protected readonly roles = ROLES;
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly pageSizes = PAGE_SIZES;
  protected readonly columns = ['name', 'email', 'role', 'status', 'lastLoginAt', 'createdAt', 'actions'];

  /** What is in the search box; `search` follows it once typing pauses. */
  protected readonly searchText = signal('');
  private readonly search = toSignal(
    toObservable(this.searchText).pipe(debounceTime(SEARCH_DEBOUNCE_MS), distinctUntilChanged()),
    { initialValue: '' },
  );
  protected readonly roleFilter = signal<Role | ''>('');
  protected readonly statusFilter = signal<UserStatus | ''>('');
  protected readonly sort = signal<UserSort>('name');
  protected readonly order = signal<SortOrder>('asc');
  protected readonly pageSize = signal(25);
  /** Back to the first page whenever the filters, the sort or the page size change. */
  protected readonly pageIndex = linkedSignal({
    source: () => [
      this.search(),
      this.roleFilter(),
      this.statusFilter(),
      this.sort(),
      this.order(),
      this.pageSize(),
    ],
    computation: () => 0,
  });

  private readonly query = computed<UserQuery>(() => ({
    search: this.search(),
    role: this.roleFilter(),
    status: this.statusFilter(),
    page: this.pageIndex() + 1,
    pageSize: this.pageSize(),
    sort: this.sort(),
    order: this.order(),
  }));
  protected readonly users = this.api.list(this.query);
  /** The last page that arrived, kept on screen while the next one loads. */
  protected readonly page = linkedSignal<UserPage | undefined, UserPage | undefined>({
    source: () => (this.users.hasValue() ? this.users.value() : undefined),
    computation: (next, previous) => next ?? previous?.value,
  });
  protected readonly rows = computed(() => this.page()?.items ?? []);

  /** Why the last row action failed (e.g. USER_LAST_ADMIN), until the next action. */
  protected readonly actionProblem = signal<Problem | null>(null);

  protected onSort(sort: Sort): void {
    if (SORTABLE.includes(sort.active)) {
      this.sort.set(sort.active as UserSort);
      this.order.set(sort.direction === 'desc' ? 'desc' : 'asc');
    }
  }

  protected onPage(event: PageEvent): void {
    if (event.pageSize !== this.pageSize()) {
      this.pageSize.set(event.pageSize);
    } else {
      this.pageIndex.set(event.pageIndex);
    }
  }

  protected invite(): void {
    this.actionProblem.set(null);
    this.dialog
      .open<InviteUserDialog, undefined, CreatedUser>(InviteUserDialog, dialogConfig({ width: '480px' }))
      .afterClosed()
      .pipe(filter((created): created is CreatedUser => created !== undefined))
      .subscribe((created) => {
        this.users.reload();
        if (created.temporaryPassword) {
          this.showTemporaryPassword(created.user, created.temporaryPassword);
        } else {
          this.snackBar.open(`${created.user.name} was invited.`, undefined, toastConfig());
        }
      });
  }

  protected changeRole(user: UserView, role: Role): void {
    if (role === user.role) {
      return;
    }
    this.run(this.api.changeRole(user.id, role), `${user.name} is now ${ROLE_LABELS[role]}.`);
  }

  protected disable(user: UserView): void {
    this.confirmThen(
      {
        title: `Disable ${user.name}?`,
        message: `${user.email} will be signed out everywhere and cannot sign in until enabled again.`,
        confirmLabel: 'Disable user',
        destructive: true,
      },
      () => this.api.disable(user.id),
      `${user.name} was disabled.`,
    );
  }

  protected enable(user: UserView): void {
    this.run(this.api.enable(user.id), `${user.name} was enabled.`);
  }

  protected resetPassword(user: UserView): void {
    this.actionProblem.set(null);
    ConfirmDialog.ask(this.dialog, {
      title: `Reset the password of ${user.name}?`,
      message: `${user.email} will be signed out everywhere and must choose a new password after signing in with a temporary one.`,
      confirmLabel: 'Reset password',
      destructive: true,
    })
      .pipe(
        filter(Boolean),
        switchMap(() => this.api.resetPassword(user.id)),
      )
      .subscribe({
        next: ({ temporaryPassword }) => {
          this.users.reload();
          this.showTemporaryPassword(user, temporaryPassword);
        },
        error: (error: unknown) => {
          this.actionProblem.set(problemFrom(error));
        },
      });
  }

  protected remove(user: UserView): void {
    this.confirmThen(
      {
        title: `Delete ${user.name}?`,
        message: `${user.email} will lose access for good. Their past actions stay in the audit log.`,
        confirmLabel: 'Delete user',
        destructive: true,
      },
      () => this.api.delete(user.id),
      `${user.name} was deleted.`,
    );
  }

  private showTemporaryPassword(user: UserView, temporaryPassword: string): void {
    OneTimeSecretDialog.show(this.dialog, {
      title: `Temporary password for ${user.name}`,
      label: 'Temporary password',
      secret: temporaryPassword,
      explanation: `Give it to ${user.email} over a safe channel. They must choose a new password when they first sign in with it.`,
    });
  }

  private confirmThen(
    question: Parameters<typeof ConfirmDialog.ask>[1],
    action: () => Observable<unknown>,
    done: string,
  ): void {
    this.actionProblem.set(null);
    ConfirmDialog.ask(this.dialog, question)
      .pipe(filter(Boolean))
      .subscribe(() => {
        this.run(action(), done);
      });
  }

  /** Runs a row action; reloads the page either way, so the table shows what the server holds. */
  private run(action: Observable<unknown>, done: string): void {
    this.actionProblem.set(null);
    action.subscribe({
      next: () => {
        this.users.reload();
        this.snackBar.open(done, undefined, toastConfig());
      },
      error: (error: unknown) => {
        this.actionProblem.set(problemFrom(error));
        this.users.reload();
      },
    });
  }
}
