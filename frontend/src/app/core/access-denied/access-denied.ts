import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatCard, MatCardActions, MatCardContent } from '@angular/material/card';
import { RouterLink } from '@angular/router';

import { Session } from '../session/session';
import { ROLE_LABELS } from '../session/user';

/** What `roleGuard` shows, at the refused address, to a signed-in user whose role may not go there. */
@Component({
  selector: 'nx-access-denied',
  imports: [MatCard, MatCardContent, MatCardActions, MatButton, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Access denied</h1>
    <p class="nx-page-intro">Your role does not give you access to this page.</p>
    <mat-card appearance="outlined">
      <mat-card-content>
        <p class="message">
          @if (from()) {
            <code class="requested-url">{{ from() }}</code> needs a role you do not have.
          } @else {
            This page needs a role you do not have.
          }
          You are signed in as <strong>{{ roleLabel() }}</strong>. Ask an administrator if you need access.
        </p>
      </mat-card-content>
      <mat-card-actions class="actions">
        <a matButton="filled" routerLink="/feed">Go to the live feed</a>
      </mat-card-actions>
    </mat-card>
  `,
  styles: `
    .message {
      margin: 0;
    }
    .requested-url {
      overflow-wrap: anywhere;
    }
    .actions {
      padding: 16px;
    }
  `,
})
export class AccessDenied {
  /** The refused URL (query parameter set by `roleGuard`). */
  readonly from = input<string>();
  private readonly session = inject(Session);
  protected readonly roleLabel = computed(() => {
    const role = this.session.role();
    return role ? ROLE_LABELS[role] : 'nobody';
  });
}
