// Builders for the inbox and event sources specs (docs/events.md).
import { EventSourceView } from '../app/features/admin/event-sources/event-source';
import { InboundEventView } from '../app/shared/inbound-events/inbound-event';

let sequence = 0;
const uuid = (prefix: string, n: number) => `${prefix}0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export function eventSourceView(overrides: Partial<EventSourceView> = {}): EventSourceView {
  sequence += 1;
  return {
    id: uuid('3', sequence),
    name: `Prometheus ${sequence}`,
    enabled: true,
    keyPrefix: 'k3x9p2ma',
    signed: false,
    defaultAssignmentGroup: 'Database Operations',
    defaultCategory: 'database',
    severityMapping: {
      critical: { impact: 1, urgency: 1 },
      error: { impact: 1, urgency: 2 },
      warning: { impact: 2, urgency: 2 },
      info: { impact: 3, urgency: 3 },
    },
    resolveCloseCode: 'Resolved by caller',
    rateLimitPerMinute: 6000,
    createdAt: '2026-12-01T09:00:00.000Z',
    updatedAt: '2026-12-01T09:00:00.000Z',
    keyRotatedAt: '2026-12-01T09:00:00.000Z',
    lastEventAt: null,
    counts: { accepted: 0, processed: 0, failed: 0, duplicate: 0 },
    ...overrides,
  };
}

export function inboundEventView(overrides: Partial<InboundEventView> = {}): InboundEventView {
  sequence += 1;
  const incidentId = overrides.incidentId === undefined ? uuid('1', 1) : overrides.incidentId;
  const incidentNumber = overrides.incidentNumber === undefined ? 'INC0000001' : overrides.incidentNumber;
  const outcome = overrides.outcome === undefined ? 'opened' : overrides.outcome;
  return {
    id: uuid('5', sequence),
    channel: 'pagerduty',
    sourceId: uuid('3', 1),
    sourceLabel: 'Prometheus (production)',
    status: 'processed',
    receivedAt: '2026-12-03T09:12:00.000Z',
    processedAt: '2026-12-03T09:12:00.040Z',
    attempts: 1,
    maxAttempts: 8,
    lastError: null,
    nextAttemptAt: null,
    dedupKey: 'disk-full/db-01',
    action: 'trigger',
    summary: 'Disk 95% full on db-01',
    duplicateOf: null,
    effects: outcome ? [{ outcome, incidentId, incidentNumber, dedupKey: 'disk-full/db-01' }] : [],
    outcome,
    incidentId,
    incidentNumber,
    ...overrides,
  };
}
