import { HttpClient, provideHttpClient, withInterceptors } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, TestRequest } from '@angular/common/http/testing';
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { tokenResponse, unauthorized, userView } from '../../testing/auth-fixtures';
import { authInterceptor } from './auth-interceptor';
import { ProblemError } from './problem';
import { problemInterceptor } from './problem-interceptor';
import { Session } from './session/session';

@Component({ template: '', changeDetection: ChangeDetectionStrategy.OnPush })
class Blank {}

describe('authInterceptor', () => {
  let http: HttpClient;
  let backend: HttpTestingController;
  let session: Session;
  let router: Router;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        // The same order as app.config.ts: auth outside, problem inside.
        provideHttpClient(withInterceptors([authInterceptor, problemInterceptor])),
        provideHttpClientTesting(),
        provideRouter([
          { path: 'login', component: Blank },
          { path: 'incidents', component: Blank },
        ]),
      ],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
    session = TestBed.inject(Session);
    router = TestBed.inject(Router);
    await router.navigateByUrl('/incidents?status=open');
  });

  afterEach(() => {
    backend.verify();
  });

  async function signIn(token = 'old-token'): Promise<void> {
    const done = firstValueFrom(session.login('ann@example.test', 'pw'));
    backend.expectOne('/api/auth/login').flush(tokenResponse(userView(), token));
    await done;
  }

  function get(url: string): Promise<unknown> {
    return firstValueFrom(http.get(url));
  }

  function expire(request: TestRequest, code = 'AUTH_TOKEN_EXPIRED'): void {
    const { body, options } = unauthorized(code, 'The access token has expired.');
    request.flush(body, options);
  }

  function bearerOf(request: TestRequest): string | null {
    return request.request.headers.get('Authorization');
  }

  it('adds the access token to API requests', async () => {
    await signIn('abc');
    const result = get('/api/incidents');

    const request = backend.expectOne('/api/incidents');
    expect(bearerOf(request)).toBe('Bearer abc');
    request.flush([]);
    await expect(result).resolves.toEqual([]);
  });

  it.each([
    '/api/auth/login',
    '/api/auth/refresh',
    '/api/auth/logout',
    '/api/auth/providers',
    '/api/auth/sso/servicenow',
  ])('leaves %s without a token (it authenticates otherwise)', async (url) => {
    await signIn();
    void firstValueFrom(http.post(url, {})).catch(() => undefined);

    const request = backend.expectOne(url);
    expect(request.request.headers.has('Authorization')).toBe(false);
    request.flush({});
  });

  it('never sends the token to another origin or to non-API paths', async () => {
    await signIn();
    void get('https://elsewhere.example/api/incidents');
    void get('/assets/config.json');

    expect(
      backend.expectOne('https://elsewhere.example/api/incidents').request.headers.has('Authorization'),
    ).toBe(false);
    expect(backend.expectOne('/assets/config.json').request.headers.has('Authorization')).toBe(false);
    backend
      .match(() => true)
      .forEach((r) => {
        r.flush({});
      });
  });

  it('sends no Authorization header while signed out', () => {
    void get('/api/health/ready');
    const request = backend.expectOne('/api/health/ready');
    expect(request.request.headers.has('Authorization')).toBe(false);
    request.flush({ status: 'ok' });
  });

  it('refreshes once for concurrent 401s and retries each request once with the new token', async () => {
    await signIn('old-token');
    const incidents = get('/api/incidents');
    const users = get('/api/users');
    const me = get('/api/auth/me');

    const first = backend.match((r) => r.url !== '/api/auth/refresh');
    expect(first.map((r) => bearerOf(r))).toEqual([
      'Bearer old-token',
      'Bearer old-token',
      'Bearer old-token',
    ]);
    const codes = ['AUTH_TOKEN_EXPIRED', 'AUTH_UNAUTHENTICATED', 'AUTH_TOKEN_INVALID'];
    first.forEach((r, i) => {
      expire(r, codes[i]);
    });

    // Exactly one refresh, although three requests failed: a second one would present an
    // already-rotated refresh token and the API would revoke the whole session.
    const refreshes = backend.match('/api/auth/refresh');
    expect(refreshes).toHaveLength(1);
    refreshes[0]!.flush(tokenResponse(userView(), 'new-token'));

    const retried = backend.match(() => true);
    expect(retried.map((r) => [r.request.url, bearerOf(r)])).toEqual([
      ['/api/incidents', 'Bearer new-token'],
      ['/api/users', 'Bearer new-token'],
      ['/api/auth/me', 'Bearer new-token'],
    ]);
    retried.forEach((r) => {
      r.flush({ ok: r.request.url });
    });

    await expect(incidents).resolves.toEqual({ ok: '/api/incidents' });
    await expect(users).resolves.toEqual({ ok: '/api/users' });
    await expect(me).resolves.toEqual({ ok: '/api/auth/me' });
    expect(session.accessToken()).toBe('new-token');
  });

  it('retries with a token another request already refreshed instead of refreshing again', async () => {
    await signIn('old-token');
    const early = get('/api/incidents');
    const late = get('/api/users');
    const [earlyRequest, lateRequest] = backend.match(() => true);

    expire(earlyRequest!);
    backend.expectOne('/api/auth/refresh').flush(tokenResponse(userView(), 'new-token'));
    backend.expectOne('/api/incidents').flush('early');
    await early;

    // This one was sent with the old token and fails only now, after the refresh.
    expire(lateRequest!);
    backend.expectNone('/api/auth/refresh');
    const retry = backend.expectOne('/api/users');
    expect(bearerOf(retry)).toBe('Bearer new-token');
    retry.flush('late');
    await expect(late).resolves.toBe('late');
  });

  it('retries only once: a second 401 reaches the caller as a ProblemError', async () => {
    await signIn();
    const result = get('/api/incidents');
    expire(backend.expectOne('/api/incidents'));
    backend.expectOne('/api/auth/refresh').flush(tokenResponse(userView(), 'new-token'));
    expire(backend.expectOne('/api/incidents'));

    await expect(result).rejects.toBeInstanceOf(ProblemError);
    await expect(result).rejects.toMatchObject({ status: 401, code: 'AUTH_TOKEN_EXPIRED' });
    backend.expectNone('/api/auth/refresh');
  });

  it('hands the retry through problemInterceptor too (the order of the two interceptors)', async () => {
    await signIn();
    const result = get('/api/incidents');
    expire(backend.expectOne('/api/incidents'));
    backend.expectOne('/api/auth/refresh').flush(tokenResponse(userView(), 'new-token'));
    backend.expectOne('/api/incidents').flush('<html>502</html>', { status: 502, statusText: 'Bad Gateway' });

    await expect(result).rejects.toBeInstanceOf(ProblemError);
    await expect(result).rejects.toMatchObject({ status: 502, code: 'UNEXPECTED_RESPONSE' });
  });

  it.each([
    [401, 'AUTH_REFRESH_REUSED'],
    [401, 'AUTH_API_KEY_INVALID'],
    [403, 'AUTH_PASSWORD_CHANGE_REQUIRED'],
    [403, 'AUTH_FORBIDDEN'],
  ])('does not refresh on %s %s', async (status, code) => {
    await signIn();
    const result = get('/api/users');
    backend
      .expectOne('/api/users')
      .flush({ title: 'No', status, detail: 'No.', code, type: 'about:blank' }, { status, statusText: 'No' });

    await expect(result).rejects.toMatchObject({ status, code });
    backend.expectNone('/api/auth/refresh');
    expect(session.isSignedIn()).toBe(true);
  });

  it('when the refresh fails: clears the session, shows the login page with a returnUrl, fails the call', async () => {
    await signIn();
    const first = get('/api/incidents');
    const second = get('/api/users');
    backend
      .match(() => true)
      .forEach((r) => {
        expire(r);
      });
    const { body, options } = unauthorized('AUTH_REFRESH_INVALID', 'The session has ended.');
    backend.expectOne('/api/auth/refresh').flush(body, options);

    await expect(first).rejects.toMatchObject({ status: 401, code: 'AUTH_TOKEN_EXPIRED' });
    await expect(second).rejects.toMatchObject({ status: 401, code: 'AUTH_TOKEN_EXPIRED' });
    expect(session.isSignedIn()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve));
    expect(router.url).toBe('/login?returnUrl=%2Fincidents%3Fstatus%3Dopen');
    // Nothing was retried with a missing token.
    backend.expectNone('/api/incidents');
  });
});
