import { EventCatalogue, type EventBody } from '../deliveries/event-catalogue';
import type { IncidentView } from './dto/incident.view';
import type { Level } from './incident-priority';
import type { CloseCode, IncidentState } from './incident-state';

/*
 * The domain events Incidents publishes through the outbox, with their payloads by schema
 * version. Consumers (Slack, ServiceNow, the live feed, analytics) subscribe by these names with
 * `consumerOf(INCIDENT_EVENTS, …)`; Incidents knows none of them. docs/events.md describes each
 * event and the rule for changing one: add fields freely; anything else is a new version.
 */

/** A field's value before and after a change, as JSON (times are ISO 8601 strings). */
export interface FieldChange<T> {
  readonly from: T;
  readonly to: T;
}

/** The incident fields a change can name, with their JSON values. */
interface ChangeableFields {
  title: string;
  description: string;
  category: string | null;
  assignmentGroup: string | null;
  impact: Level;
  urgency: Level;
  slaDueAt: string;
  state: IncidentState;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  closeCode: CloseCode | null;
  closeNotes: string | null;
  assigneeId: string | null;
  alertCount: number;
  lastAlertAt: string | null;
}

export type ChangeableField = keyof ChangeableFields;

/** The fields among F that changed, each with its value before and after. */
export type IncidentChanges<F extends ChangeableField> = {
  readonly [K in F]?: FieldChange<ChangeableFields[K]>;
};

/** Fields an edit (PATCH) changes, and what an acknowledgement stamps without a move. */
export type UpdatedField =
  | 'title'
  | 'description'
  | 'category'
  | 'assignmentGroup'
  | 'impact'
  | 'urgency'
  | 'slaDueAt'
  | 'acknowledgedAt';

/** What a lifecycle move writes besides the state. */
export type TransitionField = 'acknowledgedAt' | 'resolvedAt' | 'closedAt' | 'closeCode' | 'closeNotes';

export type AssignedField = 'assigneeId' | 'assignmentGroup';

/** What grouping an alert into an incident changes. */
export type AlertField = 'alertCount' | 'lastAlertAt';

/** `incident.created` v1: the new incident. */
export interface IncidentCreatedV1 {
  readonly incident: IncidentView;
}

/** `incident.updated` v1: the incident after the edit, and the fields that changed. */
export interface IncidentUpdatedV1 {
  readonly incident: IncidentView;
  readonly changes: IncidentChanges<UpdatedField>;
}

/** `incident.state_changed` v1: the incident after the move; `changes.state` is always there. */
export interface IncidentStateChangedV1 {
  readonly incident: IncidentView;
  readonly changes: IncidentChanges<TransitionField> & { readonly state: FieldChange<IncidentState> };
}

/** `incident.assigned` v1: the incident after the assignment, and what changed in it. */
export interface IncidentAssignedV1 {
  readonly incident: IncidentView;
  readonly changes: IncidentChanges<AssignedField>;
}

/**
 * `incident.alert_grouped` v1: a webhook producer's trigger with the incident's dedup key was
 * added to it (one more alert) instead of opening another incident.
 */
export interface IncidentAlertGroupedV1 {
  readonly incident: IncidentView;
  readonly changes: IncidentChanges<AlertField>;
  /** The alert's summary as the producer sent it. */
  readonly summary: string;
}

/** `incident.commented` v1: a comment, which the caller sees (ServiceNow's additional comments). */
export interface IncidentCommentedV1 {
  readonly number: string;
  readonly kind: 'comment';
  readonly body: string;
  /** The timeline entry's id. */
  readonly entryId: string;
}

/** `incident.work_noted` v1: a work note, for the people working the incident only. */
export interface IncidentWorkNotedV1 {
  readonly number: string;
  readonly kind: 'work_note';
  readonly body: string;
  /** The timeline entry's id. */
  readonly entryId: string;
}

/**
 * `incident.sla_warning` v1: an open incident has used `threshold` % of its resolution target
 * (opened → SLA due time) without being resolved. Raised once per incident and threshold, by the
 * analytics module's scan (docs/metrics.md); the incident itself does not change (no new version).
 */
export interface IncidentSlaWarningV1 {
  readonly incident: IncidentView;
  readonly threshold: 50 | 75 | 90;
  /** The resolution target in seconds (SLA due time − opened time). */
  readonly targetSeconds: number;
  /** Seconds since opening when the scan saw it. */
  readonly elapsedSeconds: number;
  /** The SLA due time, ISO 8601. */
  readonly dueAt: string;
}

/** Every incident event's payload, by type and schema version. */
export type IncidentEventPayloads = {
  'incident.created': { 1: IncidentCreatedV1 };
  'incident.updated': { 1: IncidentUpdatedV1 };
  'incident.state_changed': { 1: IncidentStateChangedV1 };
  'incident.assigned': { 1: IncidentAssignedV1 };
  'incident.alert_grouped': { 1: IncidentAlertGroupedV1 };
  'incident.commented': { 1: IncidentCommentedV1 };
  'incident.work_noted': { 1: IncidentWorkNotedV1 };
  'incident.sla_warning': { 1: IncidentSlaWarningV1 };
};

export type IncidentEventType = keyof IncidentEventPayloads;

/** An incident event as Incidents hands it to the outbox (with its subject). */
export type IncidentEventBody = EventBody<IncidentEventPayloads>;

/** The catalogue: each type and the versions it is published in (all of them, during a breaking change). */
export const INCIDENT_EVENTS = new EventCatalogue<IncidentEventPayloads>({
  'incident.created': [1],
  'incident.updated': [1],
  'incident.state_changed': [1],
  'incident.assigned': [1],
  'incident.alert_grouped': [1],
  'incident.commented': [1],
  'incident.work_noted': [1],
  'incident.sla_warning': [1],
});
