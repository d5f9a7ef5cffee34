import { createHash } from 'node:crypto';
import type { IncidentMetadataView } from './dto/incident-metadata.view';
import { IncidentLifecycle } from './incident-lifecycle';
import { LEVELS, priorityOf, PRIORITIES, RESOLUTION_HOURS } from './incident-priority';
import { CLOSE_CODES, INCIDENT_SOURCES, INCIDENT_STATES } from './incident-state';

/** Read once from the definitions the service itself uses, so what clients see is what it enforces. */
export const INCIDENT_METADATA: IncidentMetadataView = {
  states: INCIDENT_STATES.map((state) => ({
    state,
    open: IncidentLifecycle.isOpen(state),
    next: [...IncidentLifecycle.allowedFrom(state)],
  })),
  closeCodes: [...CLOSE_CODES],
  sources: [...INCIDENT_SOURCES],
  priorityMatrix: LEVELS.flatMap((impact) =>
    LEVELS.map((urgency) => ({ impact, urgency, priority: priorityOf(impact, urgency) })),
  ),
  slaTargets: PRIORITIES.map((priority) => ({ priority, resolutionHours: RESOLUTION_HOURS[priority] })),
};

/** Changes only when a release changes the rules, so clients revalidate it with If-None-Match. */
export const INCIDENT_METADATA_ETAG = `"${createHash('sha256')
  .update(JSON.stringify(INCIDENT_METADATA))
  .digest('base64url')
  .slice(0, 27)}"`;

/** Whether an If-None-Match header names `etag` (weak or strong, in a list, or `*`). */
export function namesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}
