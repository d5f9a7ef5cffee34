// Inbound events as the inbox shows them (docs/events.md): owned by no one feature, since the
// event sources page lists each source's events and an incident's page shows the ones that
// grouped into it.

/** One received event (`InboundEventView`); the incident it touched, if any. */
export interface InboundEventView {
  readonly id: string;
  /** The format it came in: `pagerduty`, `alertmanager`, … */
  readonly channel: string;
  readonly sourceId: string | null;
  /** The source (or API key) that sent it; kept after the source is deleted. */
  readonly sourceLabel: string;
  readonly status: InboundEventStatus;
  readonly receivedAt: string;
  readonly processedAt: string | null;
  readonly attempts: number;
  readonly maxAttempts?: number;
  readonly lastError: string | null;
  readonly dedupKey: string | null;
  /** `trigger`, `acknowledge`, `resolve`; `alerts` for an Alertmanager group. */
  readonly action: string | null;
  readonly summary: string | null;
  /** `opened`, `grouped`, `acknowledged`, `resolved` or `ignored`, once processed. */
  readonly outcome: string | null;
  readonly incidentId: string | null;
  readonly incidentNumber: string | null;
  /** For a duplicate: the first receipt's id. */
  readonly duplicateOf: string | null;
}

/**
 * accepted: stored, processing pending or retrying; processed; failed: gave up after its
 * attempts (an admin may replay it); duplicate: a repeated delivery of `duplicateOf`.
 */
export type InboundEventStatus = 'accepted' | 'processed' | 'failed' | 'duplicate';

export const INBOUND_STATUS_LABELS: Record<InboundEventStatus, string> = {
  accepted: 'Accepted',
  processed: 'Processed',
  failed: 'Failed',
  duplicate: 'Duplicate',
};
export const INBOUND_STATUSES = Object.keys(INBOUND_STATUS_LABELS) as readonly InboundEventStatus[];

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
