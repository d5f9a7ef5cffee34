// The /live protocol v2 as the console reads it (docs/live.md; the backend's live-protocol.ts is
// the other half). Only types and names: nothing here talks to the network.
import type { ApiSchema } from '../api/api-schema';
import type { Role } from '../session/user';

/** The incident body the REST API answers for `GET /api/incidents/:id`. */
export type LiveIncident = ApiSchema<'IncidentView'>;

export const LIVE_NAMESPACE = '/live';

/** Server → client. */
export const LIVE_WELCOME = 'welcome';
export const LIVE_BATCH = 'live.batch';
export const LIVE_ERROR = 'live.error';
export const LIVE_RESYNC = 'live.resync';
export const LIVE_ACCESS_CHANGED = 'access.changed';
export const LIVE_ACCESS_ENDED = 'access.ended';
/** Client → server, acknowledged. */
export const LIVE_RENEW = 'auth.renew';
export const LIVE_SUBSCRIBE = 'subscribe';
export const LIVE_UNSUBSCRIBE = 'unsubscribe';

export interface LiveProblem {
  readonly code: string;
  readonly detail: string;
}

export interface LiveWelcome {
  readonly serverTime: string;
  readonly role: Role;
  /** When the socket's access token expires: renew before then or be disconnected. */
  readonly expiresAt: string;
  readonly eventTypes: readonly string[];
  readonly protocol?: number;
  readonly batchWindowMs?: number;
}

export interface LiveAccessChanged {
  readonly role: Role;
  readonly eventTypes: readonly string[];
}

export type LiveAck = { readonly ok: true } | ({ readonly ok: false } & LiveProblem);
export type LiveRenewAck =
  { readonly ok: true; readonly expiresAt: string } | ({ readonly ok: false } & LiveProblem);

export type LiveRoom = { readonly room: 'feed' } | { readonly room: 'incident'; readonly incidentId: string };

interface LiveEventBase {
  readonly v: 1;
  /** The domain event's id. */
  readonly id: string;
  /** When it happened (ISO 8601). */
  readonly at: string;
}

/** Who caused an incident event, as the incident's timeline names them. */
export interface LiveActor {
  /** `user`, `api_key` or `system` (an integration acting, or the app itself). */
  readonly type: string;
  readonly id: string | null;
  /** A user's email, a key's name, the integration's name, or `system`. */
  readonly label: string | null;
}

interface IncidentEventBase extends LiveEventBase {
  readonly incidentId: string;
  readonly actor: LiveActor;
}

export interface IncidentCreatedEvent extends IncidentEventBase {
  readonly type: 'incident.created';
  readonly version: number;
  readonly incident: LiveIncident;
}

export interface IncidentUpdatedEvent extends IncidentEventBase {
  readonly type: 'incident.updated';
  readonly version: number;
  /** IncidentView field names. */
  readonly changed: readonly string[];
  readonly incident: LiveIncident;
}

export interface LiveTimelineEntry {
  readonly id: string;
  readonly kind: 'comment' | 'work_note';
  readonly body: string;
  readonly author: { readonly id: string; readonly name: string | null } | null;
  readonly at: string;
}

export interface IncidentCommentedEvent extends IncidentEventBase {
  readonly type: 'incident.commented';
  readonly entry: LiveTimelineEntry;
}

export interface IncidentSlaWarningEvent extends IncidentEventBase {
  readonly type: 'incident.sla_warning';
  readonly threshold: 50 | 75 | 90;
  readonly dueAt: string;
}

export interface AnalyticsRefreshedEvent extends LiveEventBase {
  readonly type: 'analytics.refreshed';
  readonly refreshedAt: string;
}

export interface IntegrationStatusEvent extends LiveEventBase {
  readonly type: 'integration.status';
  readonly integration: 'servicenow' | 'slack';
  readonly status: 'ok' | 'degraded' | 'down';
  readonly detail: string | null;
}

/** An incident's change that carries the incident itself, at `version` or newer. */
export type IncidentChange = IncidentCreatedEvent | IncidentUpdatedEvent;
export type IncidentEvent = IncidentChange | IncidentCommentedEvent | IncidentSlaWarningEvent;
export type LiveEvent = IncidentEvent | AnalyticsRefreshedEvent | IntegrationStatusEvent;

export interface LiveBatch {
  readonly events: readonly LiveEvent[];
}

export function isIncidentChange(event: LiveEvent): event is IncidentChange {
  return event.type === 'incident.created' || event.type === 'incident.updated';
}

export function isIncidentEvent(event: LiveEvent): event is IncidentEvent {
  return (
    isIncidentChange(event) || event.type === 'incident.commented' || event.type === 'incident.sla_warning'
  );
}

/** How the console names who made a change: a user's email, `API key "<name>"`, an integration's name. */
export function actorName(actor: LiveActor | undefined): string | null {
  if (!actor?.label) return null;
  if (actor.type === 'api_key') return `API key "${actor.label}"`;
  if (actor.type === 'system' && actor.label === 'system') return null;
  return actor.label;
}
