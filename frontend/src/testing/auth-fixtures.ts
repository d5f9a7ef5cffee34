// Builders and steps shared by specs that need a signed-in (or signed-out) console.
import { HttpTestingController } from '@angular/common/http/testing';

import { TokenResponse, UserView } from '../app/core/session/user';

let sequence = 0;

/** A user as the API returns it; every call gets a fresh id and email unless overridden. */
export function userView(overrides: Partial<UserView> = {}): UserView {
  sequence += 1;
  return {
    kind: 'user',
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    email: `user${sequence}@example.test`,
    name: `User ${sequence}`,
    role: 'viewer',
    status: 'active',
    mustChangePassword: false,
    lastLoginAt: null,
    createdAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:00:00.000Z',
    ssoProviders: [],
    ...overrides,
  };
}

export function tokenResponse(user: UserView, accessToken = 'access-token-1'): TokenResponse {
  return { accessToken, tokenType: 'Bearer', expiresIn: 900, user, refreshExpiresIn: 1_209_600 };
}

/** A 401 problem body as the API sends it. */
export function unauthorized(code: string, detail = 'Not signed in.') {
  return {
    body: {
      type: `urn:nexecute:problem:${code.toLowerCase().replace(/_/g, '-')}`,
      title: 'Unauthorized',
      status: 401,
      detail,
      instance: '/api/x',
      code,
      requestId: 'req-401',
    },
    options: {
      status: 401,
      statusText: 'Unauthorized',
      headers: { 'content-type': 'application/problem+json' },
    },
  } as const;
}

/**
 * Sets or clears the `nx_session` cookie the server puts next to the HttpOnly refresh cookie.
 * `Session.restore()` only refreshes when it is present, so call this before TestBed starts.
 */
export function setSessionHint(present: boolean): void {
  document.cookie = present ? 'nx_session=1; path=/' : 'nx_session=; path=/; max-age=0';
}

/**
 * Plays the server for the app initializer (`Session.restore()`): signed in as `user` (answers
 * its silent `POST /api/auth/refresh`), or for `null` a first visit, which sends no request.
 * Pair it with `setSessionHint(user !== null)` before TestBed starts.
 */
export function answerRestore(backend: HttpTestingController, user: UserView | null): void {
  if (!user) {
    backend.expectNone({ method: 'POST', url: '/api/auth/refresh' });
    return;
  }
  backend.expectOne({ method: 'POST', url: '/api/auth/refresh' }).flush(tokenResponse(user));
}
