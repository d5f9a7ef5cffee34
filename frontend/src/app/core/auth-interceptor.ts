import { HttpInterceptorFn, HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, Observable, of, switchMap, throwError } from 'rxjs';

import { signInUrl } from './auth-guard';
import { ProblemError } from './problem';
import { AUTH_URLS, PUBLIC_AUTH_PATHS } from './session/auth-api';
import { Session } from './session/session';

/**
 * 401 codes that mean "this access token is no longer good" (docs/errors.md): worth one refresh
 * and retry. AUTH_TOKEN_INVALID too: after a bad signature (e.g. a rotated signing secret) a
 * refresh helps; when the session or user behind the token is gone, the refresh fails and the
 * user lands on the login page instead of a console whose every call fails.
 */
export const REFRESHABLE_CODES: ReadonlySet<string> = new Set([
  'AUTH_TOKEN_EXPIRED',
  'AUTH_UNAUTHENTICATED',
  'AUTH_TOKEN_INVALID',
]);

/**
 * Puts the session's access token on API requests and renews it when the API says it expired.
 *
 * Runs before (outside) `problemInterceptor` in `withInterceptors([authInterceptor,
 * problemInterceptor])`, so the errors it sees are already `ProblemError`s and it branches on
 * `code` like every other caller. On a refreshable 401 it waits for the session's single
 * shared refresh, then retries the request once with the new token; the retry goes through
 * `problemInterceptor` again, so callers still only ever see `ProblemError`s. When the refresh
 * fails, the session is over: the caller gets the original 401 and the console shows the login
 * page with a `returnUrl` back to where the user was.
 */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  if (!carriesAccessToken(req.url)) {
    return next(req);
  }
  const session = inject(Session);
  const router = inject(Router);
  const sentWith = session.accessToken();

  return next(withBearer(req, sentWith)).pipe(
    catchError((error: unknown) => {
      if (!(error instanceof ProblemError) || error.status !== 401 || !REFRESHABLE_CODES.has(error.code)) {
        return throwError(() => error);
      }
      // Another request may have refreshed while this one was in flight: use that token
      // instead of spending the (rotated) refresh cookie again.
      const current = session.accessToken();
      const token$: Observable<string> =
        current !== null && current !== sentWith ? of(current) : session.refresh();
      return token$.pipe(
        catchError(() => {
          void router.navigateByUrl(signInUrl(router, router.url));
          return throwError(() => error);
        }),
        switchMap((token) => next(withBearer(req, token))),
      );
    }),
  );
};

/** Same-origin `/api/` requests, except the endpoints that authenticate in other ways. */
function carriesAccessToken(url: string): boolean {
  const path = pathOf(url);
  return (
    path.startsWith('/api/') && !PUBLIC_AUTH_PATHS.includes(path) && !path.startsWith(AUTH_URLS.ssoPrefix)
  );
}

function pathOf(url: string): string {
  try {
    // A token never goes to another origin, whatever its path.
    const parsed = new URL(url, location.origin);
    return parsed.origin === location.origin ? parsed.pathname : '';
  } catch {
    return '';
  }
}

function withBearer<T>(req: HttpRequest<T>, token: string | null): HttpRequest<T> {
  return token === null ? req : req.clone({ setHeaders: { Authorization: `Bearer ${token}` } });
}
