import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { tokenResponse, unauthorized, userView } from '../../../testing/auth-fixtures';
import { ProblemError } from '../problem';
import { problemInterceptor } from '../problem-interceptor';
import { Session } from './session';

@Component({ template: '', changeDetection: ChangeDetectionStrategy.OnPush })
class Blank {}

describe('Session', () => {
  let session: Session;
  let backend: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptors([problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'login', component: Blank },
          { path: 'feed', component: Blank },
        ]),
      ],
    });
    session = TestBed.inject(Session);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    backend.verify();
  });

  it('starts signed out, with no token and no user', () => {
    expect(session.isSignedIn()).toBe(false);
    expect(session.accessToken()).toBeNull();
    expect(session.user()).toBeNull();
    expect(session.role()).toBeNull();
    expect(session.hasRole('admin', 'viewer', 'responder')).toBe(false);
  });

  describe('restore()', () => {
    // The server sets nx_session next to the HttpOnly refresh cookie; restore() relies on it.
    beforeEach(() => (document.cookie = 'nx_session=1; path=/'));
    afterEach(() => (document.cookie = 'nx_session=; path=/; max-age=0'));

    it('does not call the API on a first visit, when no session cookie says there is one', async () => {
      document.cookie = 'nx_session=; path=/; max-age=0';
      await session.restore();
      backend.expectNone('/api/auth/refresh');
      expect(session.isSignedIn()).toBe(false);
    });

    it('exchanges the refresh cookie for a token with an empty-body POST /api/auth/refresh', async () => {
      const user = userView({ role: 'responder', name: 'Rita' });
      const restored = session.restore();

      const request = backend.expectOne('/api/auth/refresh');
      expect(request.request.method).toBe('POST');
      expect(request.request.body).toEqual({});
      // Same-origin fetch sends the HttpOnly cookie by itself; no credentials flag is needed.
      expect(request.request.withCredentials).toBe(false);
      request.flush(tokenResponse(user, 'restored-token'));
      await restored;

      expect(session.isSignedIn()).toBe(true);
      expect(session.accessToken()).toBe('restored-token');
      expect(session.user()).toEqual(user);
      expect(session.role()).toBe('responder');
      expect(session.hasRole('admin', 'responder')).toBe(true);
      expect(session.hasRole('admin')).toBe(false);
    });

    it('resolves signed out when there is no valid refresh cookie (401)', async () => {
      const restored = session.restore();
      const { body, options } = unauthorized('AUTH_REFRESH_INVALID');
      backend.expectOne('/api/auth/refresh').flush(body, options);

      await expect(restored).resolves.toBeUndefined();
      expect(session.isSignedIn()).toBe(false);
    });

    it('resolves signed out when the API is unreachable, so start-up never fails', async () => {
      const restored = session.restore();
      backend.expectOne('/api/auth/refresh').error(new ProgressEvent('error'));

      await expect(restored).resolves.toBeUndefined();
      expect(session.isSignedIn()).toBe(false);
    });
  });

  describe('login()', () => {
    it('posts the credentials asking for cookie delivery and keeps the token in memory only', async () => {
      const user = userView({ email: 'ann@example.test' });
      const loggedIn = firstValueFrom(session.login('ann@example.test', 's3cret!'));

      const request = backend.expectOne('/api/auth/login');
      expect(request.request.method).toBe('POST');
      expect(request.request.body).toEqual({
        email: 'ann@example.test',
        password: 's3cret!',
        tokenDelivery: 'cookie',
      });
      request.flush(tokenResponse(user, 'login-token'));

      await expect(loggedIn).resolves.toEqual(user);
      expect(session.accessToken()).toBe('login-token');
      expect(session.user()).toEqual(user);
      expect(localStorage.length).toBe(0);
      expect(sessionStorage.length).toBe(0);
    });

    it('stays signed out and passes the problem on when the credentials are wrong', async () => {
      const loggedIn = firstValueFrom(session.login('ann@example.test', 'wrong'));
      const { body, options } = unauthorized('AUTH_INVALID_CREDENTIALS');
      backend.expectOne('/api/auth/login').flush(body, options);

      await expect(loggedIn).rejects.toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS', status: 401 });
      expect(session.isSignedIn()).toBe(false);
    });
  });

  describe('refresh()', () => {
    it('shares one request between concurrent callers (refresh tokens rotate)', async () => {
      const first = firstValueFrom(session.refresh());
      const second = firstValueFrom(session.refresh());

      backend.expectOne('/api/auth/refresh').flush(tokenResponse(userView(), 'fresh'));

      await expect(first).resolves.toBe('fresh');
      await expect(second).resolves.toBe('fresh');
    });

    it('sends a new request once the previous refresh has finished', async () => {
      const first = firstValueFrom(session.refresh());
      backend.expectOne('/api/auth/refresh').flush(tokenResponse(userView(), 'one'));
      await first;

      const second = firstValueFrom(session.refresh());
      backend.expectOne('/api/auth/refresh').flush(tokenResponse(userView(), 'two'));
      await expect(second).resolves.toBe('two');
      expect(session.accessToken()).toBe('two');
    });

    it('clears the session when the refresh is refused', async () => {
      await signIn();
      const refreshed = firstValueFrom(session.refresh());
      const { body, options } = unauthorized('AUTH_REFRESH_REUSED');
      backend.expectOne('/api/auth/refresh').flush(body, options);

      await expect(refreshed).rejects.toBeInstanceOf(ProblemError);
      expect(session.isSignedIn()).toBe(false);
      expect(session.user()).toBeNull();
    });
  });

  describe('logout()', () => {
    it('revokes the session on the server, forgets it and shows the login page', async () => {
      await signIn();
      await TestBed.inject(Router).navigateByUrl('/feed');
      const loggedOut = session.logout();

      const request = backend.expectOne('/api/auth/logout');
      expect(request.request.method).toBe('POST');
      request.flush(null, { status: 204, statusText: 'No Content' });
      await loggedOut;

      expect(session.isSignedIn()).toBe(false);
      expect(session.accessToken()).toBeNull();
      expect(TestBed.inject(Router).url).toBe('/login');
    });

    it('signs out locally even when the API call fails', async () => {
      await signIn();
      const loggedOut = session.logout();
      backend.expectOne('/api/auth/logout').error(new ProgressEvent('error'));
      await loggedOut;

      expect(session.isSignedIn()).toBe(false);
      expect(TestBed.inject(Router).url).toBe('/login');
    });
  });

  it('reloadUser() re-reads GET /api/auth/me, e.g. to clear mustChangePassword', async () => {
    const user = await signIn(userView({ mustChangePassword: true }));
    expect(session.mustChangePassword()).toBe(true);

    const reloaded = firstValueFrom(session.reloadUser());
    backend.expectOne('/api/auth/me').flush({ ...user, mustChangePassword: false });
    await reloaded;

    expect(session.mustChangePassword()).toBe(false);
    expect(session.accessToken()).toBe('access-token-1');
  });

  async function signIn(user = userView()) {
    const done = firstValueFrom(session.login(user.email, 'pw'));
    backend.expectOne('/api/auth/login').flush(tokenResponse(user));
    await done;
    return user;
  }
});
