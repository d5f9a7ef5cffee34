import { inject } from '@angular/core';
import { CanActivateChildFn, CanActivateFn, Router, UrlTree } from '@angular/router';

import { safeReturnUrl } from './session/return-url';
import { Session } from './session/session';
import { Role } from './session/user';

/** Where a user with a temporary password is sent until they have changed it. */
export const CHANGE_PASSWORD_URL = '/profile?changePassword=1';
/** Where signing in leads when there is nowhere to return to. */
export const HOME_URL = '/feed';

/**
 * Signed in, or off to the login page with a way back. A user who must change a temporary
 * password may open only their profile (the API refuses everything else with
 * `AUTH_PASSWORD_CHANGE_REQUIRED` anyway). Use as both `canActivate` and `canActivateChild` on
 * the shell route, so it runs on every navigation inside the console. The API still enforces
 * all of this; the guard only keeps the console from showing pages that would fail.
 */
export const authGuard: CanActivateFn & CanActivateChildFn = (_route, state) => {
  const session = inject(Session);
  const router = inject(Router);
  if (!session.isSignedIn()) {
    return signInUrl(router, state.url);
  }
  if (session.mustChangePassword() && !isProfile(state.url)) {
    return router.parseUrl(CHANGE_PASSWORD_URL);
  }
  return true;
};

/** Only for signed-out visitors (the login page); a signed-in user goes to the console. */
export const signedOutGuard: CanActivateFn = () =>
  !inject(Session).isSignedIn() || inject(Router).parseUrl(HOME_URL);

/**
 * Admits only the given roles. Anyone else is sent to the "access denied" page, which names the
 * refused address (`?from=`) and the user's role.
 */
export function roleGuard(...roles: readonly Role[]): CanActivateFn {
  return (_route, state) =>
    inject(Session).hasRole(...roles) ||
    inject(Router).createUrlTree(['/access-denied'], { queryParams: { from: state.url } });
}

/** `/login`, with `?returnUrl=` back to `from` when that is a console page worth returning to. */
export function signInUrl(router: Router, from: string): UrlTree {
  const returnUrl = safeReturnUrl(from);
  return router.createUrlTree(
    ['/login'],
    returnUrl && returnUrl !== '/' && returnUrl !== HOME_URL ? { queryParams: { returnUrl } } : {},
  );
}

function isProfile(url: string): boolean {
  return url === '/profile' || url.startsWith('/profile?') || url.startsWith('/profile#');
}
