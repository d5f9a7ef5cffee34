// The console's labels and defaults for the ServiceNow connection: ServiceNow's state codes
// (docs: protocols.md §1.3), the mapping a new connection starts from, the test steps' names.
import type { CloseCode } from '../../../shared/incident-rules/priority';
import type {
  MappedLevel,
  ServiceNowCircuitState,
  ServiceNowFieldOwner,
  ServiceNowMapping,
  ServiceNowTestStepName,
} from './servicenow-api';

/** Our close codes; the table's type makes the compiler follow the API's list. */
const CLOSE_CODE_SET: Record<CloseCode, true> = {
  'Solution provided': true,
  'Workaround provided': true,
  'Resolved by caller': true,
  'Resolved by change': true,
  'Resolved by problem': true,
  'Resolved by request': true,
  'Known error': true,
  Duplicate: true,
  'User error': true,
  'No resolution provided': true,
};
export const CLOSE_CODES = Object.keys(CLOSE_CODE_SET) as CloseCode[];

/** ServiceNow's base `state` choices (numeric strings on the Table API). */
export const SERVICENOW_STATES: readonly { readonly code: string; readonly label: string }[] = [
  { code: '1', label: 'New' },
  { code: '2', label: 'In Progress' },
  { code: '3', label: 'On Hold' },
  { code: '6', label: 'Resolved' },
  { code: '7', label: 'Closed' },
  { code: '8', label: 'Canceled' },
];

export const MAPPED_LEVEL_LABELS: Record<MappedLevel, string> = { 1: 'High', 2: 'Medium', 3: 'Low' };
export const MAPPED_LEVELS: readonly MappedLevel[] = ['1', '2', '3'];
/** ServiceNow's base impact and urgency choices. */
export const SERVICENOW_LEVELS: readonly { readonly code: string; readonly label: string }[] = [
  { code: '1', label: 'High' },
  { code: '2', label: 'Medium' },
  { code: '3', label: 'Low' },
];

/**
 * The mapping a connection starts from (the API's defaults): ServiceNow's base state codes, close
 * codes of the same name (recent releases use ours; older ones have e.g. "Solved (Permanently)":
 * change them), impact and urgency passed through.
 */
export const DEFAULT_SERVICENOW_MAPPING: ServiceNowMapping = {
  states: { new: '1', in_progress: '2', on_hold: '3', resolved: '6', closed: '7', canceled: '8' },
  closeCodes: Object.fromEntries(CLOSE_CODES.map((code) => [code, code])) as Record<CloseCode, string>,
  impact: { 1: '1', 2: '2', 3: '3' },
  urgency: { 1: '1', 2: '2', 3: '3' },
};

/** A stored mapping with any missing entry filled from the defaults. */
export function completeMapping(mapping: Partial<ServiceNowMapping> | null | undefined): ServiceNowMapping {
  return {
    states: { ...DEFAULT_SERVICENOW_MAPPING.states, ...(mapping?.states ?? {}) },
    closeCodes: { ...DEFAULT_SERVICENOW_MAPPING.closeCodes, ...(mapping?.closeCodes ?? {}) },
    impact: { ...DEFAULT_SERVICENOW_MAPPING.impact, ...(mapping?.impact ?? {}) },
    urgency: { ...DEFAULT_SERVICENOW_MAPPING.urgency, ...(mapping?.urgency ?? {}) },
  };
}

export const TEST_STEP_LABELS: Record<ServiceNowTestStepName, string> = {
  token: 'OAuth token',
  read: 'Read incidents',
  write: 'Write permission',
  webhook_secret: 'Webhook secret',
};

export const CIRCUIT_LABELS: Record<ServiceNowCircuitState, string> = {
  closed: 'Closed: calls go through',
  open: 'Open: calls paused after repeated failures',
  half_open: 'Half-open: trying again',
};

export const OWNER_LABELS: Record<ServiceNowFieldOwner, string> = {
  servicenow: 'ServiceNow',
  nexecute: 'Nexecute',
  last_writer: 'Last writer',
};
