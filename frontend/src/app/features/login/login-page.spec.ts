import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';

import { tokenResponse, userView } from '../../../testing/auth-fixtures';
import { authInterceptor } from '../../core/auth-interceptor';
import { problemInterceptor } from '../../core/problem-interceptor';
import { Session } from '../../core/session/session';
import { LoginPage } from './login-page';

@Component({ template: '<h1>Somewhere</h1>', changeDetection: ChangeDetectionStrategy.OnPush })
class Blank {}

const SERVICENOW = { id: 'servicenow', name: 'ServiceNow', authorizeUrl: '/api/auth/sso/servicenow' };

describe('LoginPage', () => {
  let harness: RouterTestingHarness;
  let backend: HttpTestingController;

  async function open(url = '/login', sso: unknown[] = [SERVICENOW]): Promise<HTMLElement> {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor, problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter(
          [
            { path: 'login', component: LoginPage },
            { path: 'feed', component: Blank },
            { path: 'incidents', component: Blank },
          ],
          withComponentInputBinding(),
        ),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    harness = await RouterTestingHarness.create(url);
    backend.expectOne('/api/auth/providers').flush({ local: true, sso });
    await harness.fixture.whenStable();
    return page();
  }

  afterEach(() => {
    backend.verify();
  });

  function page(): HTMLElement {
    return harness.fixture.nativeElement as HTMLElement;
  }

  function type(label: 'Email' | 'Password', value: string): void {
    const input = page().querySelector<HTMLInputElement>(
      label === 'Email' ? 'input[type="email"]' : 'input[type="password"]',
    )!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  function submitButton(): HTMLButtonElement {
    return page().querySelector<HTMLButtonElement>('button[type="submit"]')!;
  }

  async function submit(email = 'ann@example.test', password = 'correct horse'): Promise<void> {
    type('Email', email);
    type('Password', password);
    submitButton().click();
    await harness.fixture.whenStable();
  }

  function alertText(): string | undefined {
    return page().querySelector('[role="alert"]')?.textContent.replace(/\s+/g, ' ').trim();
  }

  async function failWith(
    body: Record<string, unknown>,
    status: number,
    headers: Record<string, string> = {},
  ) {
    await submit();
    backend.expectOne('/api/auth/login').flush(
      {
        type: 'about:blank',
        title: 'Refused',
        detail: 'Refused.',
        instance: '/api/auth/login',
        requestId: 'r',
        status,
        ...body,
      },
      { status, statusText: 'Refused', headers },
    );
    await harness.fixture.whenStable();
  }

  it('labels its fields and has one h1', async () => {
    await open();

    expect(page().querySelector('h1')?.textContent).toBe('Sign in');
    const labels = Array.from(page().querySelectorAll('mat-label')).map((l) => l.textContent.trim());
    expect(labels).toEqual(['Email', 'Password']);
    expect(page().querySelector('input[type="password"]')?.getAttribute('autocomplete')).toBe(
      'current-password',
    );
  });

  it('explains empty fields and sends nothing', async () => {
    await open();
    submitButton().click();
    await harness.fixture.whenStable();

    const errors = Array.from(page().querySelectorAll('mat-error')).map((e) => e.textContent.trim());
    expect(errors).toEqual(['Enter your email address.', 'Enter your password.']);
    backend.expectNone('/api/auth/login');
  });

  it('rejects a malformed email before asking the API', async () => {
    await open();
    await submit('not-an-email', 'pw');

    expect(page().querySelector('mat-error')?.textContent).toContain('Enter a valid email address');
    backend.expectNone('/api/auth/login');
  });

  it('shows a busy button while signing in, then goes to the returnUrl', async () => {
    await open('/login?returnUrl=%2Fincidents%3Fstatus%3Dopen');
    await submit('ann@example.test', 'correct horse');

    expect(submitButton().disabled).toBe(true);
    expect(submitButton().textContent.trim()).toBe('Signing in…');
    expect(submitButton().getAttribute('aria-busy')).toBe('true');

    const request = backend.expectOne('/api/auth/login');
    expect(request.request.body).toEqual({
      email: 'ann@example.test',
      password: 'correct horse',
      tokenDelivery: 'cookie',
    });
    request.flush(tokenResponse(userView()));
    await harness.fixture.whenStable();

    expect(TestBed.inject(Router).url).toBe('/incidents?status=open');
    expect(TestBed.inject(Session).isSignedIn()).toBe(true);
  });

  it.each([['https://evil.example/phish'], ['//evil.example/phish'], ['/\\evil.example']])(
    'ignores the off-site returnUrl %s and goes to the feed',
    async (returnUrl) => {
      await open(`/login?returnUrl=${encodeURIComponent(returnUrl)}`);
      await submit();
      backend.expectOne('/api/auth/login').flush(tokenResponse(userView()));
      await harness.fixture.whenStable();

      expect(TestBed.inject(Router).url).toBe('/feed');
    },
  );

  it('AUTH_INVALID_CREDENTIALS: says the email or password is wrong and clears the password', async () => {
    await open();
    await failWith({ code: 'AUTH_INVALID_CREDENTIALS' }, 401);

    expect(alertText()).toBe('The email or password is incorrect.');
    expect(page().querySelector('[role="alert"]')?.getAttribute('data-code')).toBe(
      'AUTH_INVALID_CREDENTIALS',
    );
    expect(page().querySelector<HTMLInputElement>('input[type="password"]')!.value).toBe('');
    // Cleared for the next try, not flagged as a missing field.
    expect(page().querySelectorAll('mat-error')).toHaveLength(0);
    expect(page().querySelector<HTMLInputElement>('input[type="email"]')!.value).toBe('ann@example.test');
    expect(submitButton().disabled).toBe(false);
    expect(TestBed.inject(Router).url).toBe('/login');
  });

  it('AUTH_ACCOUNT_LOCKED: says when to try again, from retryAfterSeconds', async () => {
    await open();
    await failWith({ code: 'AUTH_ACCOUNT_LOCKED', retryAfterSeconds: 900 }, 429, { 'Retry-After': '900' });

    expect(alertText()).toBe(
      'This account is locked after too many failed sign-in attempts. Try again in 15 minutes.',
    );
  });

  it('AUTH_RATE_LIMITED: says when to try again, from the Retry-After header', async () => {
    await open();
    await failWith({ code: 'AUTH_RATE_LIMITED' }, 429, { 'Retry-After': '30' });

    expect(alertText()).toBe('Too many sign-in attempts. Try again in 30 seconds.');
  });

  it('AUTH_USER_DISABLED: says the account is disabled', async () => {
    await open();
    await failWith({ code: 'AUTH_USER_DISABLED' }, 403);

    expect(alertText()).toBe('This account is disabled. Ask an administrator to enable it.');
  });

  it('offers a full-page link per SSO provider', async () => {
    await open();
    const link = page().querySelector<HTMLAnchorElement>('a[href="/api/auth/sso/servicenow"]');

    expect(link?.textContent.trim()).toBe('Sign in with ServiceNow');
  });

  it('shows no SSO section when no provider is configured', async () => {
    await open('/login', []);
    expect(page().querySelector('a[href^="/api/auth/sso/"]')).toBeNull();
    expect(page().textContent).not.toContain('Sign in with');
  });

  it.each([
    ['sso_denied', 'Single sign-on was cancelled'],
    ['sso_state_invalid', 'could not be verified'],
    ['sso_user_disabled', 'Your account is disabled'],
    ['sso_no_account', 'There is no console account for you yet'],
    ['sso_failed', 'Single sign-on failed'],
    ['something_new', 'Single sign-on failed'],
  ])('explains ?error=%s', async (reason, text) => {
    await open(`/login?error=${reason}`);
    expect(alertText()).toContain(text);
  });
});
