import { ROLES, type Role } from '../common/auth/roles';
import { LiveErrorCode } from './live.errors';
import type { LiveProblem, LiveRoomRequest } from './live-protocol';

/** Every incident event each socket's user may read. */
export const FEED_ROOM = 'feed';
export const INCIDENT_ROOM_PREFIX = 'incident:';
export const ROLE_ROOM_PREFIX = 'role:';

/** Joined automatically: the events every holder of the role reads (analytics, integrations). */
export const roomOf = (role: Role): string => `${ROLE_ROOM_PREFIX}${role}`;
export const incidentRoomOf = (incidentId: string): string => `${INCIDENT_ROOM_PREFIX}${incidentId}`;

/** The role rooms other than those of `roles`: what a broadcast to `roles` only must exclude. */
export function otherRoleRooms(roles: readonly Role[]): string[] {
  return ROLES.filter((r) => !roles.includes(r)).map(roomOf);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A `subscribe`/`unsubscribe` body, or why it is not one. */
export function parseRoomRequest(body: unknown): LiveRoomRequest | LiveProblem {
  const invalid = (detail: string): LiveProblem => ({ code: LiveErrorCode.MessageInvalid, detail });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid("The body must be { room: 'feed' } or { room: 'incident', incidentId }");
  }
  const { room, incidentId } = body as { room?: unknown; incidentId?: unknown };
  if (room === 'feed') return { room };
  if (room === 'incident') {
    if (typeof incidentId !== 'string' || !UUID.test(incidentId)) {
      return invalid('incidentId must be an incident id (uuid)');
    }
    return { room, incidentId: incidentId.toLowerCase() };
  }
  return invalid("room must be 'feed' or 'incident'");
}

export const isProblem = (v: LiveRoomRequest | LiveProblem): v is LiveProblem => 'code' in v;
