import { DOCUMENT } from '@angular/common';
import { computed, inject, Injectable, signal } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, finalize, firstValueFrom, map, Observable, shareReplay, tap, throwError } from 'rxjs';

import { AuthApi } from './auth-api';
import { Role, TokenResponse, UserView } from './user';

/**
 * Who is signed in. The access token lives only in memory (a signal), never in storage a script
 * could read; the refresh token is the HttpOnly `nx_refresh` cookie, which this code never sees.
 * A reload therefore starts signed out until `restore()` has exchanged the cookie for a token.
 *
 * No timers: an expired access token is renewed when the API says so (the auth interceptor
 * calls `refresh()` on a 401), so nothing keeps running in tests or in a background tab.
 */
@Injectable({ providedIn: 'root' })
export class Session {
  private readonly api = inject(AuthApi);
  private readonly router = inject(Router);
  private readonly document = inject(DOCUMENT);

  private readonly token = signal<string | null>(null);
  private readonly currentUser = signal<UserView | null>(null);
  private refreshing: Observable<string> | null = null;

  readonly accessToken = this.token.asReadonly();
  readonly user = this.currentUser.asReadonly();
  readonly isSignedIn = computed(() => this.token() !== null && this.currentUser() !== null);
  readonly role = computed<Role | null>(() => this.currentUser()?.role ?? null);
  readonly mustChangePassword = computed(() => this.currentUser()?.mustChangePassword === true);

  hasRole(...roles: readonly Role[]): boolean {
    const role = this.role();
    return role !== null && roles.includes(role);
  }

  /**
   * Silent sign-in at start-up from the refresh cookie. Without a cookie (or with an expired or
   * revoked one) the API answers 401 and the console simply starts signed out; the same goes
   * for an unreachable API, so start-up never fails here.
   */
  async restore(): Promise<void> {
    // nx_session (set with the HttpOnly refresh cookie, no secret in it) says whether there is
    // anything to restore; without it a first visit would earn a 401 and a browser console error.
    if (!this.document.cookie.split(/;\s*/).includes('nx_session=1')) return;
    try {
      await firstValueFrom(this.refresh());
    } catch {
      // Signed out: the guards send the visitor to the login page.
    }
  }

  login(email: string, password: string): Observable<UserView> {
    return this.api.login(email, password).pipe(
      tap((response) => {
        this.apply(response);
      }),
      map((response) => response.user),
    );
  }

  /**
   * One refresh at a time, shared by every caller. Refresh tokens rotate, and presenting one
   * that was already used revokes the whole session (AUTH_REFRESH_REUSED): two parallel
   * refreshes from one tab would sign the user out. Fails (and clears the session) when the
   * cookie is missing, expired or revoked.
   */
  refresh(): Observable<string> {
    this.refreshing ??= this.api.refresh().pipe(
      tap((response) => {
        this.apply(response);
      }),
      map((response) => response.accessToken),
      catchError((error: unknown) => {
        this.clear();
        return throwError(() => error);
      }),
      finalize(() => {
        this.refreshing = null;
      }),
      shareReplay({ bufferSize: 1, refCount: false }),
    );
    return this.refreshing;
  }

  /** Re-reads `GET /api/auth/me`, e.g. after a password change clears `mustChangePassword`. */
  reloadUser(): Observable<UserView> {
    return this.api.me().pipe(
      tap((user) => {
        this.currentUser.set(user);
      }),
    );
  }

  /** Takes the user the API returned after changing it (e.g. `PATCH /api/auth/me`). */
  updateUser(user: UserView): void {
    this.currentUser.set(user);
  }

  /** Revokes the session on the server (best effort), forgets it here and shows the login page. */
  async logout(): Promise<void> {
    try {
      await firstValueFrom(this.api.logout());
    } catch {
      // Already revoked or the API is unreachable: signing out locally is what the user asked for.
    }
    this.clear();
    await this.router.navigateByUrl('/login');
  }

  clear(): void {
    this.token.set(null);
    this.currentUser.set(null);
  }

  private apply(response: TokenResponse): void {
    this.token.set(response.accessToken);
    this.currentUser.set(response.user);
  }
}
