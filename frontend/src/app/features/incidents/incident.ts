// The incident model as the API shows it (docs/incidents.md): named aliases of the types generated
// from the OpenAPI document, the console's labels for their values, and the list query. The rules
// themselves (moves, close codes, priority matrix) come from the API: see shared/incident-rules/incident-metadata.ts.
import { type ApiQuery, type ApiSchema, enumValues } from '../../core/api/api-schema';
import type { IncidentState, Priority } from '../../shared/incident-rules/priority';

// Priority, impact and urgency are shared with the event sources' severity mapping.
export type { CloseCode, IncidentState, Level, Priority } from '../../shared/incident-rules/priority';
export {
  INCIDENT_STATES,
  LEVEL_LABELS,
  LEVELS,
  PRIORITIES,
  PRIORITY_CHOICES,
  PRIORITY_LABELS,
  STATE_CHOICES,
  STATE_LABELS,
} from '../../shared/incident-rules/priority';

/** An incident; `externalNumber` is its linked twin's number (e.g. ServiceNow's INC0010002), found by the list's `q`. */
export type IncidentView = ApiSchema<'IncidentView'>;
export type IncidentPage = ApiSchema<'IncidentPageView'>;
export type IncidentSource = IncidentView['source'];
export type NewIncident = ApiSchema<'CreateIncidentDto'>;
/** The fields `PATCH /api/incidents/:id` changes; only the ones present are sent. */
export type IncidentPatch = Omit<ApiSchema<'UpdateIncidentDto'>, 'version'>;
export type TimelineEntryView = ApiSchema<'TimelineEntryView'>;
export type TimelinePage = ApiSchema<'TimelinePageView'>;
export type TimelineKind = TimelineEntryView['kind'];
export type CommentKind = NonNullable<ApiSchema<'CommentDto'>['kind']>;
/** Resolving needs both, as in ServiceNow. */
export type Resolution = Pick<ApiSchema<'ResolveIncidentDto'>, 'closeCode' | 'closeNotes'>;
export type IncidentSort = NonNullable<ApiQuery<'IncidentsController_list'>['sort']>;

export const SOURCE_LABELS: Record<IncidentSource, string> = {
  console: 'Console',
  api: 'API',
  slack: 'Slack',
  servicenow: 'ServiceNow',
  webhook: 'Webhook',
};
export const SOURCES = enumValues(SOURCE_LABELS);

export const SORT_LABELS: Record<IncidentSort, string> = {
  '-openedAt': 'Newest first',
  openedAt: 'Oldest first',
  priority: 'Priority (highest first)',
  '-updatedAt': 'Recently updated',
  slaDueAt: 'SLA due soonest',
};
export const INCIDENT_SORTS = enumValues(SORT_LABELS);
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

/**
 * The actions the detail page offers, one per endpoint (docs/incidents.md, "API"): `resume` is
 * On hold → In progress, `reopen` is Resolved → In progress.
 */
export type IncidentAction = 'acknowledge' | 'resume' | 'hold' | 'resolve' | 'close' | 'cancel' | 'reopen';

/** The actions that make the moves the lifecycle allows from `state` (`next`, from the API). */
export function actionsFor(state: IncidentState, next: readonly IncidentState[]): readonly IncidentAction[] {
  return next.flatMap((to): IncidentAction[] => {
    switch (to) {
      case 'in_progress':
        return state === 'new' ? ['acknowledge'] : state === 'on_hold' ? ['resume'] : ['reopen'];
      case 'on_hold':
        return ['hold'];
      case 'resolved':
        return ['resolve'];
      case 'closed':
        return ['close'];
      case 'canceled':
        return ['cancel'];
      case 'new':
        return [];
    }
  });
}

/** `GET /api/incidents/:id/servicenow`: the incident's ServiceNow record and how its sync is doing. */
export type IncidentServiceNowView = ApiSchema<'IncidentSyncView'>;
export type ServiceNowSyncStatus = IncidentServiceNowView['status'];

/** Problem codes the incident pages branch on. */
export const INCIDENT_STALE_VERSION = 'INCIDENT_STALE_VERSION';
export const VALIDATION_FAILED = 'VALIDATION_FAILED';
