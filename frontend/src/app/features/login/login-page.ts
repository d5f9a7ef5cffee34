import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { FormGroupDirective, NonNullableFormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButton } from '@angular/material/button';
import { MatCard, MatCardContent } from '@angular/material/card';
import { MatError, MatFormField, MatLabel } from '@angular/material/form-field';
import { MatInput } from '@angular/material/input';
import { Router } from '@angular/router';

import { PRODUCT_NAME } from '../../core/page-title-strategy';
import { problemFrom } from '../../core/problem';
import { AuthApi } from '../../core/session/auth-api';
import { safeReturnUrl } from '../../core/session/return-url';
import { Session } from '../../core/session/session';
import { emailAddress, required } from '../../shared/form-rules';
import { Icon } from '../../shared/icon/icon';
import { loginFailureMessage, SSO_ERROR_MESSAGES } from './login-messages';

/** Email and password sign-in, plus a button per configured SSO provider. Outside the shell. */
@Component({
  selector: 'nx-login-page',
  imports: [
    ReactiveFormsModule,
    MatCard,
    MatCardContent,
    MatFormField,
    MatLabel,
    MatError,
    MatInput,
    MatButton,
    Icon,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <main class="login" id="main-content">
      <p class="product">{{ productName }}</p>
      <mat-card appearance="outlined" class="login-card">
        <mat-card-content>
          <h1>Sign in</h1>

          @if (ssoError(); as message) {
            <p class="alert" role="alert" data-kind="sso">
              <nx-icon name="error" />
              <span>{{ message }}</span>
            </p>
          }
          @if (failure(); as message) {
            <p class="alert" role="alert" data-kind="login" [attr.data-code]="failureCode()">
              <nx-icon name="error" />
              <span>{{ message }}</span>
            </p>
          }

          <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
            <mat-form-field appearance="outline">
              <mat-label>Email</mat-label>
              <input matInput type="email" formControlName="email" autocomplete="username" required />
              @if (form.controls.email.hasError('required')) {
                <mat-error>Enter your email address.</mat-error>
              } @else if (form.controls.email.hasError('email')) {
                <mat-error>Enter a valid email address, like name&#64;example.com.</mat-error>
              }
            </mat-form-field>
            <mat-form-field appearance="outline">
              <mat-label>Password</mat-label>
              <input
                matInput
                type="password"
                formControlName="password"
                autocomplete="current-password"
                required
              />
              @if (form.controls.password.hasError('required')) {
                <mat-error>Enter your password.</mat-error>
              }
            </mat-form-field>
            <button
              matButton="filled"
              type="submit"
              class="submit"
              [disabled]="busy()"
              [attr.aria-busy]="busy()"
            >
              {{ busy() ? 'Signing in…' : 'Sign in' }}
            </button>
          </form>

          @if (ssoProviders().length) {
            <div class="divider" role="separator"><span>or</span></div>
            <div class="sso">
              @for (provider of ssoProviders(); track provider.id) {
                <!-- A full-page navigation: the API redirects on to the provider. -->
                <a matButton="outlined" [href]="provider.authorizeUrl">Sign in with {{ provider.name }}</a>
              }
            </div>
          }
        </mat-card-content>
      </mat-card>
    </main>
  `,
  styles: `
    :host {
      display: block;
      min-height: 100dvh;
      background: var(--mat-sys-surface-container-low);
    }
    .login {
      box-sizing: border-box;
      display: flex;
      flex-direction: column;
      align-items: center;
      justify-content: center;
      min-height: 100dvh;
      padding: 24px 16px;
      outline: none;
    }
    .product {
      margin: 0 0 16px;
      font: var(--mat-sys-title-large);
    }
    .login-card {
      width: 100%;
      max-width: 400px;
    }
    h1 {
      margin: 8px 0 16px;
      font: var(--mat-sys-headline-small);
    }
    form {
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    .submit {
      margin-top: 8px;
    }
    .alert {
      display: flex;
      gap: 8px;
      align-items: flex-start;
      margin: 0 0 16px;
      padding: 12px;
      border-radius: var(--mat-sys-corner-medium);
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
      font: var(--mat-sys-body-medium);
    }
    .divider {
      display: flex;
      align-items: center;
      gap: 12px;
      margin: 20px 0 16px;
      color: var(--mat-sys-on-surface-variant);
      font: var(--mat-sys-label-medium);
    }
    .divider::before,
    .divider::after {
      content: '';
      flex: 1;
      border-top: 1px solid var(--mat-sys-outline-variant);
    }
    .sso {
      display: flex;
      flex-direction: column;
      gap: 8px;
    }
  `,
})
export class LoginPage {
  /** `?returnUrl=`: where to go after signing in (only a path on this console is followed). */
  readonly returnUrl = input<string>();
  /** `?error=`: why single sign-on sent the user back here. */
  readonly error = input<string>();

  protected readonly productName = PRODUCT_NAME;
  private readonly session = inject(Session);
  private readonly router = inject(Router);
  private readonly providers = inject(AuthApi).providers();

  protected readonly form = inject(NonNullableFormBuilder).group({
    email: ['', [required, emailAddress]],
    password: ['', required],
  });
  private readonly formDirective = viewChild.required(FormGroupDirective);
  protected readonly busy = signal(false);
  private readonly problem = signal<ReturnType<typeof problemFrom> | null>(null);
  protected readonly failure = computed(() => {
    const problem = this.problem();
    return problem ? loginFailureMessage(problem) : null;
  });
  protected readonly failureCode = computed(() => this.problem()?.code ?? null);

  protected readonly ssoError = computed(() => {
    const reason = this.error();
    if (!reason) {
      return null;
    }
    return SSO_ERROR_MESSAGES[reason] ?? SSO_ERROR_MESSAGES['sso_failed'] ?? null;
  });

  protected readonly ssoProviders = computed(() =>
    this.providers.hasValue() ? this.providers.value().sso : [],
  );

  protected submit(): void {
    if (this.busy()) {
      return;
    }
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const { email, password } = this.form.getRawValue();
    this.busy.set(true);
    this.problem.set(null);
    this.session.login(email.trim(), password).subscribe({
      next: () => {
        void this.router.navigateByUrl(safeReturnUrl(this.returnUrl()) ?? '/feed');
      },
      error: (error: unknown) => {
        this.busy.set(false);
        this.problem.set(problemFrom(error));
        // Clear the password for the next try without flagging the empty field as an error.
        this.formDirective().resetForm({ email, password: '' });
      },
    });
  }
}
