// One row of the live feed and how a live event becomes one (pure functions, unit-tested).
import { actorName, type IncidentEvent, type LiveIncident } from '../../core/live/live-protocol';
import {
  LEVEL_LABELS,
  PRIORITY_LABELS,
  STATE_LABELS,
  type IncidentState,
  type Priority,
} from '../../shared/incident-rules/priority';

export type FeedEntryKind = 'created' | 'updated' | 'commented' | 'sla_warning' | 'recent' | 'missed';

export interface FeedEntry {
  /** Unique per row: the event's id, or the incident and version for rows from REST. */
  readonly key: string;
  readonly kind: FeedEntryKind;
  readonly incidentId: string;
  readonly number: string;
  readonly title: string;
  readonly priority: Priority;
  readonly state: IncidentState;
  /** What changed, in words. */
  readonly what: string;
  /** Who did it, when the event says. */
  readonly who: string | null;
  readonly at: string;
}

/** The incident fields a person reads in the feed, by IncidentView name. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  title: 'Title',
  description: 'Description',
  state: 'State',
  impact: 'Impact',
  urgency: 'Urgency',
  priority: 'Priority',
  category: 'Category',
  assignee: 'Assignee',
  assignmentGroup: 'Assignment group',
  closeCode: 'Close code',
  closeNotes: 'Close notes',
  slaDueAt: 'SLA due',
  alertCount: 'Alerts',
  lastAlertAt: 'Last alert',
  externalNumber: 'ServiceNow number',
};

/** Bookkeeping fields every change touches; saying so adds nothing. */
const QUIET_FIELDS = new Set([
  'version',
  'updatedAt',
  'deliveriesBehind',
  'acknowledgedAt',
  'resolvedAt',
  'closedAt',
]);

/** "State → In progress, Assignee → Dana Ruiz, Description". */
export function describeChanged(changed: readonly string[], incident: LiveIncident): string {
  const parts = changed
    .filter((field) => !QUIET_FIELDS.has(field))
    .map((field) => {
      const label = FIELD_LABELS[field] ?? field;
      switch (field) {
        case 'state':
          return `${label} → ${STATE_LABELS[incident.state]}`;
        case 'priority':
          return `${label} → P${String(incident.priority)} ${PRIORITY_LABELS[incident.priority]}`;
        case 'impact':
        case 'urgency':
          return `${label} → ${LEVEL_LABELS[incident[field]]}`;
        case 'assignee':
          return `${label} → ${incident.assignee?.name ?? 'Unassigned'}`;
        case 'alertCount':
          return `Alerts → ${String(incident.alertCount)}`;
        default:
          return label;
      }
    });
  return parts.length > 0 ? parts.join(', ') : 'Updated';
}

function fromIncident(incident: LiveIncident) {
  return {
    incidentId: incident.id,
    number: incident.number,
    title: incident.title,
    priority: incident.priority,
    state: incident.state,
  };
}

/**
 * The row for an event. Comments and SLA warnings carry no incident: `known` gives the latest
 * known view of it (none: no row yet, the caller fetches the incident first).
 */
export function entryFor(event: IncidentEvent, known: LiveIncident | undefined): FeedEntry | undefined {
  switch (event.type) {
    case 'incident.created':
      return {
        key: event.id,
        kind: 'created',
        ...fromIncident(event.incident),
        what: 'Opened',
        who: actorName(event.actor) ?? event.incident.reporter?.name ?? null,
        at: event.at,
      };
    case 'incident.updated':
      return {
        key: event.id,
        kind: 'updated',
        ...fromIncident(event.incident),
        what: describeChanged(event.changed, event.incident),
        who: actorName(event.actor),
        at: event.at,
      };
    case 'incident.commented':
      if (!known) return undefined;
      return {
        key: event.id,
        kind: 'commented',
        ...fromIncident(known),
        what: `${event.entry.kind === 'work_note' ? 'Work note' : 'Comment'}: ${event.entry.body}`,
        who: event.entry.author?.name ?? null,
        at: event.at,
      };
    case 'incident.sla_warning':
      if (!known) return undefined;
      return {
        key: event.id,
        kind: 'sla_warning',
        ...fromIncident(known),
        what: `SLA ${String(event.threshold)} % used`,
        who: null,
        at: event.at,
      };
  }
}

/** A row for an incident read over REST: `recent` at start, `missed` after a resync. */
export function entryFromRest(incident: LiveIncident, kind: 'recent' | 'missed'): FeedEntry {
  return {
    key: `${incident.id}@${String(incident.version)}`,
    kind,
    ...fromIncident(incident),
    what: kind === 'missed' ? 'Changed while the connection was down' : 'Last change',
    who: null,
    at: incident.updatedAt,
  };
}
