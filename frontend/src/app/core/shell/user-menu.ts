import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { MatButton } from '@angular/material/button';
import { MatDivider } from '@angular/material/divider';
import { MatMenu, MatMenuItem, MatMenuTrigger } from '@angular/material/menu';
import { RouterLink } from '@angular/router';

import { Icon } from '../../shared/icon/icon';
import { Session } from '../session/session';
import { ROLE_LABELS } from '../session/user';

/** The signed-in user's name and role in the toolbar, with Profile and Sign out. */
@Component({
  selector: 'nx-user-menu',
  imports: [MatButton, MatMenu, MatMenuItem, MatMenuTrigger, MatDivider, RouterLink, Icon],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (user(); as user) {
      <button
        matButton
        type="button"
        class="account-button"
        [matMenuTriggerFor]="menu"
        [attr.aria-label]="'Account menu for ' + user.name + ' (' + roleLabel() + ')'"
      >
        <nx-icon name="account-circle" />
        <span class="who">
          <span class="name">{{ user.name }}</span>
          <span class="role">{{ roleLabel() }}</span>
        </span>
      </button>
      <mat-menu #menu="matMenu" xPosition="before" aria-label="Account">
        <div class="menu-header" role="presentation">
          <span class="menu-name">{{ user.name }}</span>
          <span class="menu-email">{{ user.email }}</span>
        </div>
        <mat-divider />
        <a mat-menu-item routerLink="/profile">
          <nx-icon class="menu-icon" name="person" />
          <span>Profile</span>
        </a>
        <button mat-menu-item type="button" (click)="signOut()">
          <nx-icon class="menu-icon" name="logout" />
          <span>Sign out</span>
        </button>
      </mat-menu>
    }
  `,
  styles: `
    .account-button {
      gap: 8px;
      max-width: 240px;
    }
    .who {
      display: inline-flex;
      flex-direction: column;
      align-items: flex-start;
      min-width: 0;
      line-height: 1.1;
    }
    .name {
      max-width: 160px;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .role {
      font: var(--mat-sys-label-small);
      color: var(--mat-sys-on-surface-variant);
    }
    .menu-header {
      display: flex;
      flex-direction: column;
      padding: 8px 16px 12px;
    }
    .menu-name {
      font: var(--mat-sys-title-small);
    }
    .menu-email {
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
      overflow-wrap: anywhere;
    }
    .menu-icon {
      margin-inline-end: 12px;
    }
    /* On a phone the toolbar keeps only the icon; the button's label still names the user. */
    @media (max-width: 768px) {
      .who {
        display: none;
      }
      .account-button {
        min-width: 0;
        padding-inline: 8px;
      }
    }
  `,
})
export class UserMenu {
  private readonly session = inject(Session);
  protected readonly user = this.session.user;
  protected readonly roleLabel = computed(() => {
    const role = this.session.role();
    return role ? ROLE_LABELS[role] : '';
  });

  protected signOut(): void {
    void this.session.logout();
  }
}
