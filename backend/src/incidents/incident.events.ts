/**
 * The domain events Incidents publishes through the outbox. Consumers (Slack, ServiceNow, the
 * live feed, analytics) subscribe by these names; Incidents knows none of them.
 */
export const INCIDENT_EVENTS = {
  created: 'incident.created',
  updated: 'incident.updated',
  stateChanged: 'incident.state_changed',
  assigned: 'incident.assigned',
  commented: 'incident.commented',
} as const;

export type IncidentEventType = (typeof INCIDENT_EVENTS)[keyof typeof INCIDENT_EVENTS];
