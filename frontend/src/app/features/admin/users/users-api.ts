import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { Role, UserStatus, UserView } from '../../../core/session/user';

export type UserSort = 'name' | 'email' | 'role' | 'createdAt' | 'lastLoginAt';
export type SortOrder = 'asc' | 'desc';

/** `GET /api/users` query; empty filters are left out of the URL. `page` is 1-based. */
export interface UserQuery {
  readonly search: string;
  readonly role: Role | '';
  readonly status: UserStatus | '';
  readonly page: number;
  readonly pageSize: number;
  readonly sort: UserSort;
  readonly order: SortOrder;
}

export interface UserPage {
  readonly items: readonly UserView[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
}

export interface NewUser {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  /** Without it the API generates a temporary password that must be changed at first sign-in. */
  readonly password?: string;
}

export interface CreatedUser {
  readonly user: UserView;
  /** Present only when the API generated the password; shown once. */
  readonly temporaryPassword?: string;
}

export interface PasswordReset {
  readonly temporaryPassword: string;
}

/** Admin user management: the only place that knows the `/api/users` URLs. */
@Injectable({ providedIn: 'root' })
export class UsersApi {
  private readonly http = inject(HttpClient);

  /** The page for the current query; reloads when `query()` changes. Call in an injection context. */
  list(query: () => UserQuery): HttpResourceRef<UserPage | undefined> {
    return httpResource<UserPage>(() => {
      const q = query();
      const params: Record<string, string | number> = {
        page: q.page,
        pageSize: q.pageSize,
        sort: q.sort,
        order: q.order,
      };
      if (q.search.trim()) params['search'] = q.search.trim();
      if (q.role) params['role'] = q.role;
      if (q.status) params['status'] = q.status;
      return { url: '/api/users', params };
    });
  }

  create(user: NewUser): Observable<CreatedUser> {
    return this.http.post<CreatedUser>('/api/users', user);
  }

  changeRole(id: string, role: Role): Observable<UserView> {
    return this.http.patch<UserView>(this.url(id), { role });
  }

  disable(id: string): Observable<UserView> {
    return this.http.post<UserView>(`${this.url(id)}/disable`, {});
  }

  enable(id: string): Observable<UserView> {
    return this.http.post<UserView>(`${this.url(id)}/enable`, {});
  }

  resetPassword(id: string): Observable<PasswordReset> {
    return this.http.post<PasswordReset>(`${this.url(id)}/reset-password`, {});
  }

  delete(id: string): Observable<unknown> {
    return this.http.delete(this.url(id));
  }

  private url(id: string): string {
    return `/api/users/${encodeURIComponent(id)}`;
  }
}
