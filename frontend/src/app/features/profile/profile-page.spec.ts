import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { tokenResponse, userView } from '../../../testing/auth-fixtures';
import { authInterceptor } from '../../core/auth-interceptor';
import { problemInterceptor } from '../../core/problem-interceptor';
import { Session } from '../../core/session/session';
import { UserView } from '../../core/session/user';
import { ProfilePage } from './profile-page';
import { SessionList as SessionListResponse, SessionView } from './profile-api';
import { describeUserAgent } from './session-list';

@Component({ template: '', changeDetection: ChangeDetectionStrategy.OnPush })
class Blank {}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    TestBed.tick();
    await wait(0);
  }
  TestBed.tick();
}

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';

function sessionView(overrides: Partial<SessionView>): SessionView {
  return {
    id: 'sess-x',
    createdAt: '2026-01-01T08:00:00.000Z',
    lastUsedAt: '2026-01-02T08:00:00.000Z',
    ip: '198.51.100.4',
    userAgent: FIREFOX,
    method: 'password',
    current: false,
    ...overrides,
  };
}

describe('ProfilePage', () => {
  let fixture: ComponentFixture<ProfilePage>;
  let backend: HttpTestingController;
  let session: Session;

  async function render(user: UserView): Promise<HTMLElement> {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([authInterceptor, problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'login', component: Blank },
          { path: 'feed', component: Blank },
        ]),
      ],
    });
    backend = TestBed.inject(HttpTestingController);
    session = TestBed.inject(Session);
    const signedIn = firstValueFrom(session.login(user.email, 'pw'));
    backend.expectOne('/api/auth/login').flush(tokenResponse(user));
    await signedIn;
    fixture = TestBed.createComponent(ProfilePage);
    await settle();
    return fixture.nativeElement as HTMLElement;
  }

  afterEach(() => {
    backend.verify();
  });

  function page(): HTMLElement {
    return fixture.nativeElement as HTMLElement;
  }

  function fill(label: string, value: string): void {
    const field = Array.from(page().querySelectorAll('mat-form-field')).find(
      (f) => f.querySelector('mat-label')?.textContent.trim() === label,
    );
    const input = field!.querySelector('input')!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  function button(text: string): HTMLButtonElement {
    return Array.from(page().querySelectorAll<HTMLButtonElement>('button')).find(
      (b) => b.textContent.trim() === text,
    )!;
  }

  async function answerSessions(items: SessionView[]): Promise<void> {
    backend
      .expectOne({ method: 'GET', url: '/api/auth/sessions' })
      .flush({ items } satisfies SessionListResponse);
    await settle();
  }

  async function submitPasswordChange(current: string, next: string, confirm = next): Promise<void> {
    fill('Current password', current);
    fill('New password', next);
    fill('Confirm new password', confirm);
    button('Change password').click();
    await settle();
  }

  it('shows name, email and role', async () => {
    await render(userView({ name: 'Rita Responder', email: 'rita@example.test', role: 'responder' }));
    await answerSessions([]);

    const facts = Array.from(page().querySelectorAll('dl.facts dd')).map((dd) => dd.textContent.trim());
    expect(facts).toEqual(['Rita Responder', 'rita@example.test', 'Responder']);
  });

  it('renames the user with PATCH /api/auth/me and updates the session', async () => {
    const user = userView({ name: 'Old Name' });
    await render(user);
    await answerSessions([]);

    fill('Display name', 'New Name');
    button('Save name').click();
    await settle();
    const patch = backend.expectOne({ method: 'PATCH', url: '/api/auth/me' });
    expect(patch.request.body).toEqual({ name: 'New Name' });
    patch.flush({ ...user, name: 'New Name' });
    await settle();

    expect(session.user()?.name).toBe('New Name');
    expect(page().querySelector('[role="status"]')?.textContent).toContain('Name saved.');
  });

  describe('with a temporary password', () => {
    it('explains why, and loads no sessions (the API refuses them until the change)', async () => {
      await render(userView({ mustChangePassword: true }));

      expect(page().querySelector('.banner[role="alert"]')?.textContent).toContain(
        'You signed in with a temporary password',
      );
      expect(button('Save name').disabled).toBe(true);
      expect(page().textContent).toContain(
        'Your sessions are listed here once you have changed your password.',
      );
      backend.expectNone('/api/auth/sessions');
    });

    it('changes the password, re-reads the user and so clears the forced state', async () => {
      const user = userView({ mustChangePassword: true });
      await render(user);
      fixture.componentRef.setInput('changePassword', '1');

      await submitPasswordChange('Tmp-Quartz-7731', 'A-New-Long-Passphrase-9');
      const change = backend.expectOne({ method: 'POST', url: '/api/auth/password' });
      expect(change.request.body).toEqual({
        currentPassword: 'Tmp-Quartz-7731',
        newPassword: 'A-New-Long-Passphrase-9',
      });
      change.flush(null, { status: 204, statusText: 'No Content' });
      await settle();
      backend.expectOne({ method: 'GET', url: '/api/auth/me' }).flush({ ...user, mustChangePassword: false });
      await settle();

      expect(session.mustChangePassword()).toBe(false);
      expect(page().querySelector('.banner[role="alert"]')).toBeNull();
      expect(page().querySelector('.banner[role="status"]')?.textContent).toContain(
        'Continue to the live feed',
      );
      expect(page().querySelector('nx-change-password-form [role="status"]')?.textContent).toContain(
        'Your password has been changed.',
      );
      // The form is empty again, without "required" errors on the cleared fields.
      expect(page().querySelectorAll('nx-change-password-form mat-error')).toHaveLength(0);
      await answerSessions([sessionView({ current: true })]);
    });
  });

  describe('changing the password', () => {
    beforeEach(async () => {
      await render(userView());
      await answerSessions([]);
    });

    it('requires the confirmation to match before asking the API', async () => {
      await submitPasswordChange('old-pass', 'A-New-Long-Passphrase-9', 'A-New-Long-Passphrase-8');

      expect(page().querySelector('nx-change-password-form mat-error')?.textContent.trim()).toBe(
        'The passwords do not match.',
      );
      backend.expectNone('/api/auth/password');
    });

    it('lists the policy violations of a 422 AUTH_PASSWORD_POLICY', async () => {
      await submitPasswordChange('old-pass', 'short');
      backend.expectOne('/api/auth/password').flush(
        {
          type: 'about:blank',
          title: 'Password policy',
          status: 422,
          detail: 'The password does not meet the policy.',
          instance: '/api/auth/password',
          code: 'AUTH_PASSWORD_POLICY',
          requestId: 'r1',
          violations: ['at least 12 characters', 'not a commonly used password'],
        },
        { status: 422, statusText: 'Unprocessable Entity' },
      );
      await settle();

      const alert = page().querySelector('[role="alert"][data-code="AUTH_PASSWORD_POLICY"]')!;
      expect(Array.from(alert.querySelectorAll('li')).map((li) => li.textContent.trim())).toEqual([
        'at least 12 characters',
        'not a commonly used password',
      ]);
      backend.expectNone('/api/auth/me');
    });

    it('says so on a 403 AUTH_CURRENT_PASSWORD_INCORRECT and marks the field', async () => {
      await submitPasswordChange('wrong', 'A-New-Long-Passphrase-9');
      backend.expectOne('/api/auth/password').flush(
        {
          type: 'about:blank',
          title: 'Forbidden',
          status: 403,
          detail: 'The current password is incorrect.',
          instance: '/api/auth/password',
          code: 'AUTH_CURRENT_PASSWORD_INCORRECT',
          requestId: 'r2',
        },
        { status: 403, statusText: 'Forbidden' },
      );
      await settle();

      expect(
        page().querySelector('[role="alert"][data-code="AUTH_CURRENT_PASSWORD_INCORRECT"]')?.textContent,
      ).toContain('The current password is incorrect.');
      expect(page().querySelector('nx-change-password-form mat-error')?.textContent.trim()).toBe(
        'The current password is incorrect.',
      );
    });
  });

  describe('sessions', () => {
    it('marks the current session and revokes another with DELETE /api/auth/sessions/:id', async () => {
      await render(userView());
      await answerSessions([
        sessionView({ id: 'other', userAgent: CHROME_MAC, lastUsedAt: '2026-01-03T08:00:00.000Z' }),
        sessionView({ id: 'mine', current: true }),
      ]);

      const items = Array.from(page().querySelectorAll('li.session'));
      expect(items.map((li) => li.querySelector('.device')?.textContent.replace(/\s+/g, ' ').trim())).toEqual(
        ['Firefox on Linux This session', 'Chrome on macOS'],
      );
      expect(items[0]!.querySelector('button')?.textContent.trim()).toBe('Sign out');

      const revoke = items[1]!.querySelector<HTMLButtonElement>('button')!;
      expect(revoke.getAttribute('aria-label')).toMatch(/^Revoke session: Chrome on macOS, signed in /);
      revoke.click();
      await settle();
      backend.expectOne({ method: 'DELETE', url: '/api/auth/sessions/other' }).flush(null, {
        status: 204,
        statusText: 'No Content',
      });
      await settle();
      await answerSessions([sessionView({ id: 'mine', current: true })]);

      expect(page().querySelectorAll('li.session')).toHaveLength(1);
    });
  });
});

describe('describeUserAgent', () => {
  it.each([
    [FIREFOX, 'Firefox on Linux'],
    [CHROME_MAC, 'Chrome on macOS'],
    ['curl/8.5.0', 'A browser or API client'],
    [null, 'Unknown device'],
  ])('%s → %s', (agent, text) => {
    expect(describeUserAgent(agent)).toBe(text);
  });
});
