// The incident model as the API shows it (docs/incidents.md): views, states, close codes and the
// priority matrix. Types and pure functions only, so list, detail and form share one vocabulary.

export const INCIDENT_STATES = ['new', 'in_progress', 'on_hold', 'resolved', 'closed', 'canceled'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const STATE_LABELS: Record<IncidentState, string> = {
  new: 'New',
  in_progress: 'In progress',
  on_hold: 'On hold',
  resolved: 'Resolved',
  closed: 'Closed',
  canceled: 'Canceled',
};

/** States no action leads out of (closed, canceled): nothing can be changed any more. */
export const FINAL_STATES: readonly IncidentState[] = ['closed', 'canceled'];

export const PRIORITIES = [1, 2, 3, 4, 5] as const;
export type Priority = (typeof PRIORITIES)[number];

/** ServiceNow's names for the five priorities. */
export const PRIORITY_LABELS: Record<Priority, string> = {
  1: 'Critical',
  2: 'High',
  3: 'Moderate',
  4: 'Low',
  5: 'Planning',
};

/** Impact and urgency: 1 (high) to 3 (low). */
export const LEVELS = [1, 2, 3] as const;
export type Level = (typeof LEVELS)[number];
export const LEVEL_LABELS: Record<Level, string> = { 1: 'High', 2: 'Medium', 3: 'Low' };

/** ServiceNow's default matrix: priority = impact + urgency - 1 (1..5). */
export function priorityOf(impact: Level, urgency: Level): Priority {
  return (impact + urgency - 1) as Priority;
}

export const CLOSE_CODES = [
  'Solution provided',
  'Workaround provided',
  'Resolved by caller',
  'Resolved by change',
  'Resolved by problem',
  'Resolved by request',
  'Known error',
  'Duplicate',
  'User error',
  'No resolution provided',
] as const;
export type CloseCode = (typeof CLOSE_CODES)[number];

export const SOURCES = ['console', 'api', 'slack', 'servicenow', 'webhook'] as const;
export type IncidentSource = (typeof SOURCES)[number];
export const SOURCE_LABELS: Record<IncidentSource, string> = {
  console: 'Console',
  api: 'API',
  slack: 'Slack',
  servicenow: 'ServiceNow',
  webhook: 'Webhook',
};

export interface PersonRef {
  readonly id: string;
  readonly name: string;
  readonly email: string;
}

export interface IncidentView {
  readonly id: string;
  readonly number: string;
  readonly title: string;
  /** '' when there is none. */
  readonly description: string;
  readonly state: IncidentState;
  readonly impact: Level;
  readonly urgency: Level;
  readonly priority: Priority;
  readonly category: string | null;
  readonly assignee: PersonRef | null;
  readonly assignmentGroup: string | null;
  readonly reporter: PersonRef | null;
  readonly source: IncidentSource;
  readonly closeCode: CloseCode | null;
  readonly closeNotes: string | null;
  readonly external: {
    readonly servicenowSysId: string | null;
    readonly slackChannel: string | null;
    readonly slackTs: string | null;
  };
  readonly openedAt: string;
  readonly acknowledgedAt: string | null;
  readonly resolvedAt: string | null;
  readonly closedAt: string | null;
  readonly slaDueAt: string | null;
  readonly slaBreached: boolean;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Side effects (ServiceNow, Slack, …) not yet delivered for this incident. */
  readonly deliveriesBehind: number;
}

export interface IncidentPage {
  readonly items: readonly IncidentView[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  readonly nextCursor: string | null;
}

export const INCIDENT_SORTS = ['-openedAt', 'openedAt', 'priority', '-updatedAt', 'slaDueAt'] as const;
export type IncidentSort = (typeof INCIDENT_SORTS)[number];
export const SORT_LABELS: Record<IncidentSort, string> = {
  '-openedAt': 'Newest first',
  openedAt: 'Oldest first',
  priority: 'Priority (highest first)',
  '-updatedAt': 'Recently updated',
  slaDueAt: 'SLA due soonest',
};
export const DEFAULT_SORT: IncidentSort = '-openedAt';

/** `me` = the caller, `none` = unassigned, '' = anyone. */
export type AssigneeFilter = 'me' | 'none' | '';

/** `GET /api/incidents` filters; empty ones are left out of the request. */
export interface IncidentQuery {
  readonly state: readonly IncidentState[];
  readonly priority: readonly Priority[];
  readonly assignee: AssigneeFilter;
  readonly source: IncidentSource | '';
  readonly q: string;
  readonly sort: IncidentSort;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface NewIncident {
  readonly title: string;
  readonly description?: string;
  readonly impact: Level;
  readonly urgency: Level;
  readonly category?: string;
  readonly assignmentGroup?: string;
}

/** The fields `PATCH /api/incidents/:id` changes; only the ones present are sent. */
export type IncidentPatch = Partial<
  Pick<IncidentView, 'title' | 'description' | 'impact' | 'urgency' | 'category' | 'assignmentGroup'>
>;

export const TIMELINE_KINDS = [
  'created',
  'state_changed',
  'assigned',
  'updated',
  'comment',
  'work_note',
  'sync',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];
export type CommentKind = 'comment' | 'work_note';

export interface TimelineEntryView {
  readonly id: string;
  readonly incidentId: string;
  readonly kind: TimelineKind;
  readonly actor: { readonly type: string; readonly id: string | null; readonly label: string | null };
  readonly at: string;
  readonly body: string | null;
  readonly changes: Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>> | null;
}

export interface TimelinePage {
  readonly items: readonly TimelineEntryView[];
  readonly nextCursor: string | null;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
  pending: 'Pending',
  delivered: 'Delivered',
  failed: 'Failed',
  dead: 'Dead',
};

/** One side effect of an incident change for one consumer (outbox + worker). */
export interface DeliveryView {
  readonly id: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly incidentId: string;
  readonly consumer: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: string | null;
  readonly deliveredAt: string | null;
  readonly createdAt: string;
  readonly idempotencyKey: string;
}

/**
 * The action the lifecycle offers in each state (docs/incidents.md, "Lifecycle"): `resume` is
 * On hold → In progress, `reopen` is Resolved → In progress.
 */
export type IncidentAction = 'acknowledge' | 'resume' | 'hold' | 'resolve' | 'close' | 'cancel' | 'reopen';

const ACTIONS_BY_STATE: Record<IncidentState, readonly IncidentAction[]> = {
  new: ['acknowledge', 'hold', 'resolve', 'cancel'],
  in_progress: ['hold', 'resolve', 'cancel'],
  on_hold: ['resume', 'resolve', 'cancel'],
  resolved: ['close', 'reopen'],
  closed: [],
  canceled: [],
};

export function actionsFor(state: IncidentState): readonly IncidentAction[] {
  return ACTIONS_BY_STATE[state];
}

/** Problem codes the incident pages branch on. */
export const INCIDENT_STALE_VERSION = 'INCIDENT_STALE_VERSION';
export const VALIDATION_FAILED = 'VALIDATION_FAILED';
