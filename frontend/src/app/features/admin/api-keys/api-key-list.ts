import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatProgressBar } from '@angular/material/progress-bar';
import { MatSnackBar } from '@angular/material/snack-bar';
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
import { filter, switchMap } from 'rxjs';

import { Problem, problemFrom } from '../../../core/problem';
import { ConfirmDialog } from '../../../shared/confirm-dialog/confirm-dialog';
import { Icon } from '../../../shared/icon/icon';
import { dialogConfig, toastConfig } from '../../../shared/material-config';
import { OneTimeSecretDialog } from '../../../shared/one-time-secret/one-time-secret-dialog';
import { ProblemNotice } from '../../../shared/problem-notice/problem-notice';
import { ApiKeysApi, ApiKeyView, CreatedApiKey } from './api-keys-api';
import { CreateApiKeyDialog } from './create-api-key-dialog';

export type ApiKeyState = 'active' | 'expired' | 'revoked';

export function stateOf(key: ApiKeyView, now = Date.now()): ApiKeyState {
  if (key.revokedAt) {
    return 'revoked';
  }
  return key.expiresAt && Date.parse(key.expiresAt) <= now ? 'expired' : 'active';
}

/** Keys for machine clients and webhook producers: list, create (shown once), revoke. */
@Component({
  selector: 'nx-api-key-list',
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
    MatButton,
    MatProgressBar,
    Icon,
    ProblemNotice,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <div class="heading-row">
      <div>
        <h1>API keys</h1>
        <p class="nx-page-intro">
          Keys let machine clients and webhook producers call the API. Each key only reaches the routes its
          scopes name.
        </p>
      </div>
      <button matButton="filled" type="button" (click)="create()">
        <nx-icon name="add" />
        Create API key
      </button>
    </div>

    @if (actionProblem(); as problem) {
      <nx-problem-notice class="problem" [error]="problem" />
    }
    @if (keys.error(); as error) {
      <nx-problem-notice class="problem" [error]="error" />
    }

    <div class="table-frame">
      @if (keys.isLoading()) {
        <mat-progress-bar mode="indeterminate" aria-label="Loading API keys" />
      }
      <div class="table-scroll">
        <table mat-table [dataSource]="rows()" aria-label="API keys">
          <ng-container matColumnDef="name">
            <th mat-header-cell *matHeaderCellDef>Name</th>
            <td mat-cell *matCellDef="let key">
              {{ key.name }}
              <code class="prefix">{{ key.prefix }}…</code>
            </td>
          </ng-container>
          <ng-container matColumnDef="scopes">
            <th mat-header-cell *matHeaderCellDef>Scopes</th>
            <td mat-cell *matCellDef="let key">
              @for (scope of key.scopes; track scope) {
                <code class="scope">{{ scope }}</code>
              }
            </td>
          </ng-container>
          <ng-container matColumnDef="created">
            <th mat-header-cell *matHeaderCellDef>Created</th>
            <td mat-cell *matCellDef="let key">
              {{ key.createdAt | date: 'mediumDate' }}
            </td>
          </ng-container>
          <ng-container matColumnDef="expiresAt">
            <th mat-header-cell *matHeaderCellDef>Expires</th>
            <td mat-cell *matCellDef="let key">
              {{ key.expiresAt ? (key.expiresAt | date: 'mediumDate') : 'Never' }}
            </td>
          </ng-container>
          <ng-container matColumnDef="lastUsedAt">
            <th mat-header-cell *matHeaderCellDef>Last used</th>
            <td mat-cell *matCellDef="let key">
              {{ key.lastUsedAt ? (key.lastUsedAt | date: 'medium') : 'Never' }}
            </td>
          </ng-container>
          <ng-container matColumnDef="state">
            <th mat-header-cell *matHeaderCellDef>Status</th>
            <td mat-cell *matCellDef="let key">
              <span class="state" [attr.data-state]="state(key)">{{ stateLabels[state(key)] }}</span>
            </td>
          </ng-container>
          <ng-container matColumnDef="actions">
            <th mat-header-cell *matHeaderCellDef><span class="visually-hidden">Actions</span></th>
            <td mat-cell *matCellDef="let key" class="actions">
              @if (state(key) !== 'revoked') {
                <button
                  matButton
                  type="button"
                  [attr.aria-label]="'Revoke API key ' + key.name"
                  (click)="revoke(key)"
                >
                  Revoke
                </button>
              }
            </td>
          </ng-container>
          <tr mat-header-row *matHeaderRowDef="columns"></tr>
          <tr mat-row *matRowDef="let key; columns: columns"></tr>
          <tr class="mat-mdc-row" *matNoDataRow>
            <td class="mat-mdc-cell empty" [attr.colspan]="columns.length">
              {{ keys.hasValue() ? 'No API keys yet.' : keys.isLoading() ? 'Loading API keys…' : '' }}
            </td>
          </tr>
        </table>
      </div>
    </div>
  `,
  styles: `
    .problem {
      display: block;
      margin-bottom: 16px;
    }
    .prefix {
      display: block;
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .scope {
      display: inline-block;
      margin: 2px 4px 2px 0;
      padding: 0 6px;
      border-radius: var(--mat-sys-corner-small);
      background: var(--mat-sys-surface-container-high);
    }
    .state {
      padding: 2px 8px;
      border-radius: var(--mat-sys-corner-full);
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
      font: var(--mat-sys-label-medium);
    }
    .state[data-state='revoked'],
    .state[data-state='expired'] {
      background: var(--mat-sys-surface-container-highest);
      color: var(--mat-sys-on-surface-variant);
    }
    .actions {
      text-align: end;
    }
    .empty {
      padding: 24px 16px;
      color: var(--mat-sys-on-surface-variant);
    }
    .visually-hidden {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
  `,
})
export class ApiKeyList {
  private readonly api = inject(ApiKeysApi);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);

  protected readonly columns = ['name', 'scopes', 'created', 'expiresAt', 'lastUsedAt', 'state', 'actions'];
  protected readonly stateLabels: Record<ApiKeyState, string> = {
    active: 'Active',
    expired: 'Expired',
    revoked: 'Revoked',
  };
  protected readonly state = (key: ApiKeyView): ApiKeyState => stateOf(key);
  protected readonly keys = this.api.list();
  protected readonly rows = computed(() => (this.keys.hasValue() ? this.keys.value().items : []));
  protected readonly actionProblem = signal<Problem | null>(null);

  protected create(): void {
    this.actionProblem.set(null);
    this.dialog
      .open<CreateApiKeyDialog, undefined, CreatedApiKey>(
        CreateApiKeyDialog,
        dialogConfig({ width: '520px' }),
      )
      .afterClosed()
      .pipe(filter((created): created is CreatedApiKey => created !== undefined))
      .subscribe((created) => {
        this.keys.reload();
        OneTimeSecretDialog.show(this.dialog, {
          title: `API key "${created.apiKey.name}"`,
          label: 'API key',
          secret: created.key,
          explanation:
            'Store it in the client that will use it. Send it as "Authorization: Bearer <key>" or "X-Api-Key: <key>".',
        });
      });
  }

  protected revoke(key: ApiKeyView): void {
    this.actionProblem.set(null);
    ConfirmDialog.ask(this.dialog, {
      title: `Revoke "${key.name}"?`,
      message: 'Clients using this key are refused from now on. The key stays listed for the audit trail.',
      confirmLabel: 'Revoke key',
      destructive: true,
    })
      .pipe(
        filter(Boolean),
        switchMap(() => this.api.revoke(key.id)),
      )
      .subscribe({
        next: () => {
          this.keys.reload();
          this.snackBar.open(`"${key.name}" was revoked.`, undefined, toastConfig());
        },
        error: (error: unknown) => {
          this.actionProblem.set(problemFrom(error));
        },
      });
  }
}
