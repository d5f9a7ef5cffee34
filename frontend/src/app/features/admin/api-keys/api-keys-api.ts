import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiSchema, enumValues } from '../../../core/api/api-schema';

/** `ApiKeyView` in docs/auth.md. The secret itself is never part of it. */
export type ApiKeyView = ApiSchema<'ApiKeyView'>;
export type ApiKeyScope = ApiKeyView['scopes'][number];
export type NewApiKey = ApiSchema<'CreateApiKeyDto'>;
/** `key`: the full `nxk_…` key, returned only by the create call. */
export type CreatedApiKey = ApiSchema<'CreatedApiKeyView'>;
export type ApiKeyList = ApiSchema<'ApiKeyListView'>;

export const SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
  'incidents:read': 'Read incidents',
  'incidents:write': 'Act on incidents',
  'events:ingest': 'Send events (webhook producers)',
  'audit:read': 'Read the audit log',
};
export const API_KEY_SCOPES = enumValues(SCOPE_DESCRIPTIONS);

/** API key administration: the only place that knows the `/api/api-keys` URLs. */
@Injectable({ providedIn: 'root' })
export class ApiKeysApi {
  private readonly http = inject(HttpClient);

  /** Call in an injection context. */
  list(): HttpResourceRef<ApiKeyList | undefined> {
    return httpResource<ApiKeyList>(() => '/api/api-keys');
  }

  create(key: NewApiKey): Observable<CreatedApiKey> {
    return this.http.post<CreatedApiKey>('/api/api-keys', key);
  }

  revoke(id: string): Observable<unknown> {
    return this.http.delete(`/api/api-keys/${encodeURIComponent(id)}`);
  }
}
