import type { ApiKeyScope, Role } from './roles';

/** A signed-in person, as loaded from the database on this request (not from the token). */
export interface UserPrincipal {
  readonly kind: 'user';
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly sessionId: string;
  readonly mustChangePassword: boolean;
}

/** A machine client authenticated by an API key. */
export interface ApiKeyPrincipal {
  readonly kind: 'api_key';
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly ApiKeyScope[];
}

export type Principal = UserPrincipal | ApiKeyPrincipal;

/** Who did something and from where: what the audit log and domain events record. */
export interface RequestActor {
  readonly principal: Principal | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  /**
   * Set when the change is made by an integration rather than a person or key, e.g. an event
   * source whose alerts open and resolve incidents: timelines and events name it.
   */
  readonly service?: { readonly id: string | null; readonly label: string };
}
