import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { ActivatedRouteSnapshot, provideRouter, Router, RouterStateSnapshot, UrlTree } from '@angular/router';
import { firstValueFrom } from 'rxjs';

import { tokenResponse, userView } from '../../testing/auth-fixtures';
import { authGuard, roleGuard, signedOutGuard } from './auth-guard';
import { Session } from './session/session';
import { UserView } from './session/user';

describe('route guards', () => {
  let router: Router;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    router = TestBed.inject(Router);
  });

  async function signIn(user: UserView): Promise<void> {
    const done = firstValueFrom(TestBed.inject(Session).login(user.email, 'pw'));
    TestBed.inject(HttpTestingController).expectOne('/api/auth/login').flush(tokenResponse(user));
    await done;
  }

  /** Runs a guard as the router would for a navigation to `url`; returns its verdict as a string. */
  function verdict(guard: typeof authGuard, url: string): string | boolean {
    // The guards read only `state.url`.
    const route = {} as unknown as ActivatedRouteSnapshot;
    const state = { url } as unknown as RouterStateSnapshot;
    const result = TestBed.runInInjectionContext(() => guard(route, state));
    if (result instanceof UrlTree) {
      return router.serializeUrl(result);
    }
    if (typeof result === 'boolean') {
      return result;
    }
    throw new Error(`unexpected guard result of type ${typeof result}`);
  }

  describe('authGuard', () => {
    it('sends a signed-out visitor to /login with the requested URL as returnUrl', () => {
      expect(verdict(authGuard, '/admin/users?search=ann')).toBe(
        '/login?returnUrl=%2Fadmin%2Fusers%3Fsearch%3Dann',
      );
    });

    it('leaves out a returnUrl that leads where signing in goes anyway', () => {
      expect(verdict(authGuard, '/')).toBe('/login');
      expect(verdict(authGuard, '/feed')).toBe('/login');
    });

    it('lets a signed-in user through', async () => {
      await signIn(userView());
      expect(verdict(authGuard, '/incidents')).toBe(true);
    });

    it('keeps a user with a temporary password on /profile until they change it', async () => {
      await signIn(userView({ mustChangePassword: true }));

      expect(verdict(authGuard, '/feed')).toBe('/profile?changePassword=1');
      expect(verdict(authGuard, '/admin/users')).toBe('/profile?changePassword=1');
      expect(verdict(authGuard, '/profile')).toBe(true);
      expect(verdict(authGuard, '/profile?changePassword=1')).toBe(true);
      expect(verdict(authGuard, '/profiles')).toBe('/profile?changePassword=1');
    });
  });

  describe('roleGuard', () => {
    it('admits the listed roles', async () => {
      await signIn(userView({ role: 'admin' }));
      expect(verdict(roleGuard('admin'), '/admin/users')).toBe(true);
    });

    it('sends any other role to the access-denied page, naming the refused URL', async () => {
      await signIn(userView({ role: 'responder' }));
      expect(verdict(roleGuard('admin'), '/admin/audit')).toBe('/access-denied?from=%2Fadmin%2Faudit');
    });

    it('accepts several roles', async () => {
      await signIn(userView({ role: 'responder' }));
      expect(verdict(roleGuard('admin', 'responder'), '/incidents')).toBe(true);
    });
  });

  describe('signedOutGuard', () => {
    it('lets a signed-out visitor see the login page', () => {
      expect(verdict(signedOutGuard, '/login')).toBe(true);
    });

    it('sends a signed-in user to the feed', async () => {
      await signIn(userView());
      expect(verdict(signedOutGuard, '/login')).toBe('/feed');
    });
  });
});
