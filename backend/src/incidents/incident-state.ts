/** An incident's states, named as ServiceNow names them (its numbers are the ServiceNow module's to map). */
export const INCIDENT_STATES = ['new', 'in_progress', 'on_hold', 'resolved', 'closed', 'canceled'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

export const INCIDENT_SOURCES = ['console', 'api', 'slack', 'servicenow', 'webhook'] as const;
export type IncidentSource = (typeof INCIDENT_SOURCES)[number];

/** ServiceNow's resolution codes (Utah and later), required to resolve. */
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
