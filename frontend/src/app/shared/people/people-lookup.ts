import { httpResource, HttpResourceRef } from '@angular/common/http';
import { Injectable } from '@angular/core';

import { ApiSchema } from '../../core/api/api-schema';

/** Active people, each as who they are: id, name and email. */
export type People = ApiSchema<'PeopleView'>;

export interface PeopleQuery {
  /** Part of a name or an email address; '' for everyone. */
  readonly search: string;
  readonly limit: number;
}

/**
 * Finds active people to pick from (`GET /api/people`, which responders and admins may call),
 * for any feature that assigns someone; managing people stays in admin/users.
 */
@Injectable({ providedIn: 'root' })
export class PeopleLookup {
  /** Active people matching `query()`, by name; reloads when it changes. Call in an injection context. */
  find(query: () => PeopleQuery): HttpResourceRef<People | undefined> {
    return httpResource<People>(() => {
      const { search, limit } = query();
      return { url: '/api/people', params: { limit, ...(search.trim() ? { search: search.trim() } : {}) } };
    });
  }
}
