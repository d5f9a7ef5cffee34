import { HttpClient, httpResource, HttpResourceRef } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

export const API_KEY_SCOPES = ['incidents:read', 'incidents:write', 'events:ingest', 'audit:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<ApiKeyScope, string> = {
  'incidents:read': 'Read incidents',
  'incidents:write': 'Act on incidents',
  'events:ingest': 'Send events (webhook producers)',
  'audit:read': 'Read the audit log',
};

/** `ApiKeyView` in docs/auth.md. The secret itself is never part of it. */
export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly createdAt: string;
  readonly createdBy: { readonly id: string; readonly email: string } | null;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface NewApiKey {
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly expiresAt?: string;
}

export interface CreatedApiKey {
  readonly apiKey: ApiKeyView;
  /** The full `nxk_…` key: returned only by the create call. */
  readonly key: string;
}

/** API key administration: the only place that knows the `/api/api-keys` URLs. */
@Injectable({ providedIn: 'root' })
export class ApiKeysApi {
  private readonly http = inject(HttpClient);

  /** Call in an injection context. */
  list(): HttpResourceRef<{ readonly items: readonly ApiKeyView[] } | undefined> {
    return httpResource<{ readonly items: readonly ApiKeyView[] }>(() => '/api/api-keys');
  }

  create(key: NewApiKey): Observable<CreatedApiKey> {
    return this.http.post<CreatedApiKey>('/api/api-keys', key);
  }

  revoke(id: string): Observable<unknown> {
    return this.http.delete(`/api/api-keys/${encodeURIComponent(id)}`);
  }
}
