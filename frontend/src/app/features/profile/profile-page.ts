import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MatCard, MatCardContent, MatCardHeader, MatCardTitle } from '@angular/material/card';
import { MatError, MatFormField, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { RouterLink } from '@angular/router';

import { Problem, problemFrom } from '../../core/problem';
import { Session } from '../../core/session/session';
import { ROLE_LABELS } from '../../core/session/user';
import { Icon } from '../../shared/icon/icon';
import { required } from '../../shared/form-rules';
import { ProblemNotice } from '../../shared/problem-notice/problem-notice';
import { ChangePasswordForm } from './change-password-form';
import { ProfileApi } from './profile-api';
import { SessionList } from './session-list';

/** The signed-in user's own account: name, password and sessions. */
@Component({
  selector: 'nx-profile-page',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatCard,
    MatCardHeader,
    MatCardTitle,
    MatCardContent,
    MatFormField,
    MatLabel,
    MatError,
    MatInput,
    MatButton,
    Icon,
    ProblemNotice,
    ChangePasswordForm,
    SessionList,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'nx-page' },
  template: `
    <h1>Profile</h1>
    <p class="nx-page-intro">Your account, your password and the places you are signed in.</p>

    @if (mustChangePassword()) {
      <div class="banner" role="alert">
        <nx-icon name="warning" />
        <p>
          You signed in with a temporary password. Choose a new password below to continue to the rest of the
          console.
        </p>
      </div>
    } @else if (passwordJustChanged() && changePassword()) {
      <div class="banner done" role="status">
        <p>Your new password is set. <a routerLink="/feed">Continue to the live feed</a>.</p>
      </div>
    }

    <div class="cards">
      @if (user(); as user) {
        <mat-card appearance="outlined">
          <mat-card-header>
            <h2 matCardTitle>Account</h2>
          </mat-card-header>
          <mat-card-content>
            <dl class="facts">
              <dt>Name</dt>
              <dd>{{ user.name }}</dd>
              <dt>Email</dt>
              <dd>{{ user.email }}</dd>
              <dt>Role</dt>
              <dd>{{ roleLabel() }}</dd>
            </dl>
            <form
              [formGroup]="nameForm"
              (ngSubmit)="saveName()"
              novalidate
              aria-label="Edit name"
              class="name-form"
            >
              @if (nameProblem(); as problem) {
                <nx-problem-notice [error]="problem" />
              }
              @if (nameSaved()) {
                <p class="saved" role="status">Name saved.</p>
              }
              <mat-form-field appearance="outline">
                <mat-label>Display name</mat-label>
                <input matInput formControlName="name" autocomplete="name" required maxlength="200" />
                @if (nameForm.controls.name.hasError('required')) {
                  <mat-error>Enter a name.</mat-error>
                }
              </mat-form-field>
              <button
                matButton="outlined"
                type="submit"
                [disabled]="savingName() || mustChangePassword()"
                [attr.aria-busy]="savingName()"
              >
                Save name
              </button>
            </form>
          </mat-card-content>
        </mat-card>
      }

      <mat-card appearance="outlined">
        <mat-card-header>
          <h2 matCardTitle>Password</h2>
        </mat-card-header>
        <mat-card-content>
          <nx-change-password-form (passwordChanged)="passwordJustChanged.set(true)" />
        </mat-card-content>
      </mat-card>

      <mat-card appearance="outlined">
        <mat-card-header>
          <h2 matCardTitle>Sessions</h2>
        </mat-card-header>
        <mat-card-content>
          <nx-session-list [enabled]="!mustChangePassword()" />
        </mat-card-content>
      </mat-card>
    </div>
  `,
  styles: `
    .cards {
      display: flex;
      flex-direction: column;
      gap: 16px;
    }
    .banner {
      display: flex;
      gap: 12px;
      align-items: flex-start;
      margin: 0 0 16px;
      padding: 12px 16px;
      border-radius: var(--mat-sys-corner-medium);
      background: var(--mat-sys-tertiary-container);
      color: var(--mat-sys-on-tertiary-container);
    }
    .banner p {
      margin: 0;
    }
    .banner.done {
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
    .facts {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 4px 16px;
      margin: 0 0 16px;
    }
    .facts dt {
      color: var(--mat-sys-on-surface-variant);
    }
    .facts dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    .name-form {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 12px;
      align-items: baseline;
    }
    .name-form nx-problem-notice,
    .name-form .saved {
      flex-basis: 100%;
    }
    .saved {
      margin: 0;
      font: var(--mat-sys-body-small);
    }
    mat-form-field {
      min-width: 260px;
    }
  `,
})
export class ProfilePage {
  /** `?changePassword=1`: the guard sent a user with a temporary password here. */
  readonly changePassword = input<string>();

  private readonly session = inject(Session);
  private readonly api = inject(ProfileApi);
  protected readonly user = this.session.user;
  protected readonly mustChangePassword = this.session.mustChangePassword;
  protected readonly roleLabel = computed(() => {
    const role = this.session.role();
    return role ? ROLE_LABELS[role] : '';
  });
  protected readonly passwordJustChanged = signal(false);

  protected readonly nameForm = inject(NonNullableFormBuilder).group({
    name: [this.session.user()?.name ?? '', required],
  });
  protected readonly savingName = signal(false);
  protected readonly nameSaved = signal(false);
  protected readonly nameProblem = signal<Problem | null>(null);

  protected saveName(): void {
    this.nameSaved.set(false);
    if (this.nameForm.invalid || this.savingName()) {
      this.nameForm.markAllAsTouched();
      return;
    }
    this.savingName.set(true);
    this.nameProblem.set(null);
    this.api.updateName(this.nameForm.getRawValue().name.trim()).subscribe({
      next: (user) => {
        this.savingName.set(false);
        this.nameSaved.set(true);
        this.session.updateUser(user);
      },
      error: (error: unknown) => {
        this.savingName.set(false);
        this.nameProblem.set(problemFrom(error));
      },
    });
  }
}
