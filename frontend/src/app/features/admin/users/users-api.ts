import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiQuery, ApiSchema } from '../../../core/api/api-schema';
import { Role, UserStatus, UserView } from '../../../core/session/user';

type ListUsersQuery = ApiQuery<'UsersController_list'>;
export type UserSort = NonNullable<ListUsersQuery['sort']>;
export type SortOrder = NonNullable<ListUsersQuery['order']>;

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

export type UserPage = ApiSchema<'UserPageView'>;
/** Without `password` the API generates a temporary one that must be changed at first sign-in. */
export type NewUser = ApiSchema<'CreateUserDto'>;
/** `temporaryPassword`: present only when the API generated the password; shown once. */
export type CreatedUser = ApiSchema<'CreatedUserView'>;
export type PasswordReset = ApiSchema<'TemporaryPasswordView'>;

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
