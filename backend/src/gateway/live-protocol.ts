import type { Role } from '../common/auth/roles';

/**
 * The /live client contract (docs/auth.md, "Live socket"): event names and payloads, in one
 * place so the console and the tests speak exactly what the gateway sends.
 */
export const LIVE_NAMESPACE = '/live';

/** Server → client on connection. */
export const LIVE_WELCOME = 'welcome';
/** Server → client: a published event the user may read (a DeliveredEvent), whatever its type. */
export const LIVE_INCIDENT_EVENT = 'incident.event';
/** Client → server, acknowledged: `{ token }`, a fresh access token of the same user. */
export const LIVE_RENEW = 'auth.renew';
/** Server → client: the user's role changed; from now on only `eventTypes` arrive. */
export const LIVE_ACCESS_CHANGED = 'access.changed';
/** Server → client: why access ended (a LiveProblem); the server disconnects right after. */
export const LIVE_ACCESS_ENDED = 'access.ended';

/** Why the server refused or ended access: the same `code` and `detail` as the REST problem. */
export interface LiveProblem {
  readonly code: string;
  readonly detail: string;
}

/** What a refused handshake tells the client (`connect_error` → `err.data`). */
export type LiveRefusal = LiveProblem;

export interface LiveWelcome {
  readonly serverTime: string;
  readonly role: Role;
  /** When the access token expires (ISO 8601): renew before then or be disconnected. */
  readonly expiresAt: string;
  /** The event types this connection receives. */
  readonly eventTypes: readonly string[];
}

export interface LiveAccessChanged {
  readonly role: Role;
  readonly eventTypes: readonly string[];
}

/** The acknowledgement of `auth.renew`. On failure the connection keeps its current token. */
export type LiveRenewAck =
  { readonly ok: true; readonly expiresAt: string } | ({ readonly ok: false } & LiveProblem);
