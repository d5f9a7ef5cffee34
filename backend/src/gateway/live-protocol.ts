import type { Role } from '../common/auth/roles';
import type { IncidentView } from '../incidents/dto/incident.view';

/**
 * The /live client contract, protocol 2 (docs/live.md): event names and payloads, in one place so
 * the console and the tests speak exactly what the gateway sends.
 */
export const LIVE_NAMESPACE = '/live';
export const LIVE_PROTOCOL = 2;

/** Server → client on connection. */
export const LIVE_WELCOME = 'welcome';
/** Server → client: `{ events: LiveEvent[] }`, the only carrier of events, in commit order. */
export const LIVE_BATCH = 'live.batch';
/** Server → client: signals may have been missed; refetch over REST (`{ reason }`). */
export const LIVE_RESYNC = 'live.resync';
/** Server → client: a client message was refused (LiveProblem); the connection stays. */
export const LIVE_ERROR = 'live.error';
/** Client → server, acknowledged: `{ token }`, a fresh access token of the same user. */
export const LIVE_RENEW = 'auth.renew';
/** Client → server, acknowledged (LiveAck): `{ room: 'feed' }` or `{ room: 'incident', incidentId }`. */
export const LIVE_SUBSCRIBE = 'subscribe';
export const LIVE_UNSUBSCRIBE = 'unsubscribe';
/** Server → client: the user's role changed; from now on only `eventTypes` arrive. */
export const LIVE_ACCESS_CHANGED = 'access.changed';
/** Server → client: why access ended (a LiveProblem); the server disconnects right after. */
export const LIVE_ACCESS_ENDED = 'access.ended';

/** The messages a client may send. */
export const LIVE_CLIENT_MESSAGES: readonly string[] = [LIVE_RENEW, LIVE_SUBSCRIBE, LIVE_UNSUBSCRIBE];

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
  /** The wire event types this connection receives. */
  readonly eventTypes: readonly string[];
  readonly protocol: typeof LIVE_PROTOCOL;
  /** LIVE_BATCH_WINDOW_MS. */
  readonly batchWindowMs: number;
}

export interface LiveAccessChanged {
  readonly role: Role;
  readonly eventTypes: readonly string[];
}

/** The acknowledgement of `auth.renew`. On failure the connection keeps its current token. */
export type LiveRenewAck =
  { readonly ok: true; readonly expiresAt: string } | ({ readonly ok: false } & LiveProblem);

export type LiveRoomRequest =
  { readonly room: 'feed' } | { readonly room: 'incident'; readonly incidentId: string };

/** The acknowledgement of `subscribe` and `unsubscribe`. */
export type LiveAck = { readonly ok: true } | ({ readonly ok: false } & LiveProblem);

export interface LiveResync {
  /**
   * `listener_reconnected`: the database listener was away; `events_unreadable`: notified events
   * could not be read; `recovery_partial`: the connection was recovered, but across instances
   * (a cross-instance adapter) events sent to this instance's sockets only are not replayed.
   */
  readonly reason: 'listener_reconnected' | 'events_unreadable' | 'recovery_partial';
}

/** What every event on the wire carries. */
interface LiveEventBase<T extends string> {
  readonly type: T;
  readonly v: 1;
  /** The domain event's id (outbox_events.id), or a generated one for events with no row. */
  readonly id: string;
  /** When it happened, ISO 8601. */
  readonly at: string;
}

/** Who caused an incident event: as the incident's timeline names them. */
export interface LiveActor {
  /** `user`, `api_key` or `system` (an integration acting, or the app itself). */
  readonly type: string;
  /** The user's, key's or integration's id; null for the app itself. */
  readonly id: string | null;
  /** A user's email, a key's name, the integration's name, or `system`. */
  readonly label: string | null;
}

interface LiveIncidentEventBase<T extends string> extends LiveEventBase<T> {
  readonly incidentId: string;
  readonly actor: LiveActor;
}

export interface LiveIncidentCreated extends LiveIncidentEventBase<'incident.created'> {
  readonly version: number;
  /** As GET /api/incidents/:id, at `version` or newer. */
  readonly incident: IncidentView;
}

export interface LiveIncidentUpdated extends LiveIncidentEventBase<'incident.updated'> {
  readonly version: number;
  /** IncidentView field names the change touched. */
  readonly changed: readonly string[];
  readonly incident: IncidentView;
}

export interface LiveIncidentCommented extends LiveIncidentEventBase<'incident.commented'> {
  readonly entry: {
    readonly id: string;
    readonly kind: 'comment' | 'work_note';
    readonly body: string;
    readonly author: { readonly id: string; readonly name: string | null } | null;
    readonly at: string;
  };
}

export interface LiveIncidentSlaWarning extends LiveIncidentEventBase<'incident.sla_warning'> {
  readonly threshold: 50 | 75 | 90;
  readonly dueAt: string;
}

export interface LiveAnalyticsRefreshed extends LiveEventBase<'analytics.refreshed'> {
  readonly refreshedAt: string;
}

export type IntegrationName = 'servicenow' | 'slack';
export type IntegrationStatus = 'ok' | 'degraded' | 'down';

export interface LiveIntegrationStatus extends LiveEventBase<'integration.status'> {
  readonly integration: IntegrationName;
  readonly status: IntegrationStatus;
  readonly detail: string | null;
}

export type LiveIncidentEvent =
  LiveIncidentCreated | LiveIncidentUpdated | LiveIncidentCommented | LiveIncidentSlaWarning;

export type LiveEvent = LiveIncidentEvent | LiveAnalyticsRefreshed | LiveIntegrationStatus;
export type LiveEventType = LiveEvent['type'];

export interface LiveBatch {
  readonly events: readonly LiveEvent[];
}
