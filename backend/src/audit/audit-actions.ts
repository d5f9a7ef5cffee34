/** Every action the audit log records. Listed once so the API can offer them as a filter. */
export const AUDIT_ACTIONS = [
  'auth.login.succeeded',
  'auth.login.failed',
  'auth.login.locked',
  'auth.refresh.reused',
  'auth.logout',
  'auth.password.changed',
  'auth.session.revoked',
  'auth.sso.succeeded',
  'auth.sso.failed',
  'user.bootstrapped',
  'user.created',
  'user.updated',
  'user.disabled',
  'user.enabled',
  'user.password_reset',
  'user.deleted',
  'api_key.created',
  'api_key.revoked',
  'integration.updated',
  'delivery.replayed',
  'event_source.created',
  'event_source.updated',
  'event_source.key_rotated',
  'event_source.secret_rotated',
  'event_source.deleted',
  'inbox.replayed',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_ACTOR_TYPES = ['user', 'api_key', 'system', 'anonymous'] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];
