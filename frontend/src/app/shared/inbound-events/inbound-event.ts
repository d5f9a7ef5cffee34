// Inbound events as the inbox shows them (docs/events.md): owned by no one feature, since the
// event sources page lists each source's events and an incident's page shows the ones that
// grouped into it.
import { type ApiSchema, enumValues } from '../../core/api/api-schema';

/**
 * One received event: its channel (`pagerduty`, `alertmanager`, …), source, status, what it asked
 * for (`action`: trigger, acknowledge, resolve; alerts for an Alertmanager group) and what
 * processing did to which incident (`effects`, one per incident; `outcome`/`incidentId` are the first).
 */
export type InboundEventView = ApiSchema<'InboundEventView'>;
export type InboundEffectView = ApiSchema<'InboundEffectView'>;
export type InboundEventList = ApiSchema<'InboundEventListView'>;
/**
 * accepted: stored, processing pending or retrying; processed; failed: gave up after its
 * attempts (an admin may replay it); duplicate: a repeated delivery of `duplicateOf`.
 */
export type InboundEventStatus = InboundEventView['status'];

export const INBOUND_STATUS_LABELS: Record<InboundEventStatus, string> = {
  accepted: 'Accepted',
  processed: 'Processed',
  failed: 'Failed',
  duplicate: 'Duplicate',
};
export const INBOUND_STATUSES = enumValues(INBOUND_STATUS_LABELS);

const ACTION_LABELS: Readonly<Record<string, string>> = {
  trigger: 'Trigger',
  acknowledge: 'Acknowledge',
  resolve: 'Resolve',
  alerts: 'Alerts',
};

const OUTCOME_LABELS: Readonly<Record<string, string>> = {
  opened: 'Opened',
  grouped: 'Grouped',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  ignored: 'Ignored',
};

const CHANNEL_LABELS: Readonly<Record<string, string>> = {
  pagerduty: 'Events API',
  alertmanager: 'Alertmanager',
};

/** The API names actions, outcomes and channels as open sets: a new one shows as sent. */
export function actionLabel(action: string | null): string {
  return action === null ? '—' : (ACTION_LABELS[action] ?? action);
}

export function outcomeLabel(outcome: string | null): string {
  return outcome === null ? '—' : (OUTCOME_LABELS[outcome] ?? outcome);
}

export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}
