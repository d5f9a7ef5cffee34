import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiSchema } from '../api/api-schema';
import { TokenResponse, UserView } from './user';

export const AUTH_URLS = {
  login: '/api/auth/login',
  refresh: '/api/auth/refresh',
  logout: '/api/auth/logout',
  providers: '/api/auth/providers',
  me: '/api/auth/me',
  ssoPrefix: '/api/auth/sso/',
} as const;

/**
 * Endpoints that take no access token: they authenticate by credentials or by the refresh
 * cookie. A 401 from them means "wrong credentials" or "no session", never "refresh and retry".
 */
export const PUBLIC_AUTH_PATHS: readonly string[] = [
  AUTH_URLS.login,
  AUTH_URLS.refresh,
  AUTH_URLS.logout,
  AUTH_URLS.providers,
];

/** Each SSO provider's `authorizeUrl` is a same-origin API path the browser must navigate to. */
export type AuthProviders = ApiSchema<'AuthProvidersView'>;

/** The sign-in half of `/api/auth`: the only place that knows those URLs. */
@Injectable({ providedIn: 'root' })
export class AuthApi {
  private readonly http = inject(HttpClient);

  /** `tokenDelivery: 'cookie'`: the refresh token goes into the HttpOnly `nx_refresh` cookie. */
  login(email: string, password: string): Observable<TokenResponse> {
    return this.http.post<TokenResponse>(AUTH_URLS.login, { email, password, tokenDelivery: 'cookie' });
  }

  /** An empty body: the same-origin request carries the `nx_refresh` cookie. */
  refresh(): Observable<TokenResponse> {
    return this.http.post<TokenResponse>(AUTH_URLS.refresh, {});
  }

  logout(): Observable<unknown> {
    return this.http.post(AUTH_URLS.logout, {});
  }

  me(): Observable<UserView> {
    return this.http.get<UserView>(AUTH_URLS.me);
  }

  /** Call in an injection context (a component's field initializer). */
  providers(): HttpResourceRef<AuthProviders | undefined> {
    return httpResource<AuthProviders>(() => AUTH_URLS.providers);
  }
}
