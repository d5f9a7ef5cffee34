/** The three roles. Order matters nowhere: each route names the roles it admits. */
export const ROLES = ['admin', 'responder', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What an API key may be granted. A route admits keys only if it names one of these with
 * `@Scopes()`; routes without scopes are for signed-in people only.
 */
export const API_KEY_SCOPES = ['incidents:read', 'incidents:write', 'events:ingest', 'audit:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];
