import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { UserView } from '../../core/session/user';

/** One signed-in device or browser (`GET /api/auth/sessions`). */
export interface SessionView {
  readonly id: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly method: string;
  /** The session this console is using. */
  readonly current: boolean;
}

export interface SessionList {
  readonly items: readonly SessionView[];
}

/** The signed-in user's own account: the only place that knows the `/api/auth/me…` URLs. */
@Injectable({ providedIn: 'root' })
export class ProfileApi {
  private readonly http = inject(HttpClient);

  updateName(name: string): Observable<UserView> {
    return this.http.patch<UserView>('/api/auth/me', { name });
  }

  changePassword(currentPassword: string, newPassword: string): Observable<unknown> {
    return this.http.post('/api/auth/password', { currentPassword, newPassword });
  }

  /** Sessions, loaded while `enabled()` is true. Call in an injection context. */
  sessions(enabled: () => boolean): HttpResourceRef<SessionList | undefined> {
    return httpResource<SessionList>(() => (enabled() ? '/api/auth/sessions' : undefined));
  }

  revokeSession(id: string): Observable<unknown> {
    return this.http.delete(`/api/auth/sessions/${encodeURIComponent(id)}`);
  }
}
