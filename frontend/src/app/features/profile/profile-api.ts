import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiSchema } from '../../core/api/api-schema';
import { UserView } from '../../core/session/user';

/** One signed-in device or browser (`GET /api/auth/sessions`); `current`: the one this console uses. */
export type SessionView = ApiSchema<'SessionView'>;
export type SessionList = ApiSchema<'SessionListView'>;

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
