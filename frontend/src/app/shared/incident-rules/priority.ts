// Priority, impact and urgency as the API shows them (docs/incidents.md), with the console's labels:
// owned by no one feature, since incidents show them and event sources map severities onto them.
import { type ApiSchema, enumValues } from '../../core/api/api-schema';
import type { Choice } from '../filter-bar/choice-filter';

type IncidentView = ApiSchema<'IncidentView'>;

export type IncidentState = IncidentView['state'];
export type Priority = IncidentView['priority'];
/** Impact and urgency: 1 (high) to 3 (low). */
export type Level = IncidentView['impact'];
export type CloseCode = NonNullable<IncidentView['closeCode']>;

/** ServiceNow's names for the five priorities. */
export const PRIORITY_LABELS: Record<Priority, string> = {
  1: 'Critical',
  2: 'High',
  3: 'Moderate',
  4: 'Low',
  5: 'Planning',
};
export const PRIORITIES = enumValues(PRIORITY_LABELS);
/** The priorities as a filter offers them: "P1 Critical". */
export const PRIORITY_CHOICES: readonly Choice<Priority>[] = PRIORITIES.map((p) => ({
  value: p,
  label: `P${String(p)} ${PRIORITY_LABELS[p]}`,
}));

export const STATE_LABELS: Record<IncidentState, string> = {
  new: 'New',
  in_progress: 'In progress',
  on_hold: 'On hold',
  resolved: 'Resolved',
  closed: 'Closed',
  canceled: 'Canceled',
};
export const INCIDENT_STATES = enumValues(STATE_LABELS);
export const STATE_CHOICES: readonly Choice<IncidentState>[] = INCIDENT_STATES.map((s) => ({
  value: s,
  label: STATE_LABELS[s],
}));

export const LEVEL_LABELS: Record<Level, string> = { 1: 'High', 2: 'Medium', 3: 'Low' };
export const LEVELS = enumValues(LEVEL_LABELS);
