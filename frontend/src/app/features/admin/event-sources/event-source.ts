// Event sources as the API shows them (docs/events.md): webhook producers, each with its own
// integration key (shown once) and optional signing secret, and the settings that turn their
// events into incidents.
import { CloseCode, Level } from '../../../shared/incident-rules/priority';
import { InboundEventStatus, InboundEventView } from '../../../shared/inbound-events/inbound-event';

export interface ImpactUrgency {
  readonly impact: Level;
  readonly urgency: Level;
}

export type Severity = 'critical' | 'error' | 'warning' | 'info';
export type SeverityMapping = Readonly<Record<Severity, ImpactUrgency>>;

export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: 'Critical',
  error: 'Error',
  warning: 'Warning',
  info: 'Info',
};
export const SEVERITIES = Object.keys(SEVERITY_LABELS) as readonly Severity[];

/** What the API uses when a source is created without a mapping: P1, P2, P3, P5. */
export const DEFAULT_SEVERITY_MAPPING: SeverityMapping = {
  critical: { impact: 1, urgency: 1 },
  error: { impact: 1, urgency: 2 },
  warning: { impact: 2, urgency: 2 },
  info: { impact: 3, urgency: 3 },
};

/** Events received in the last 24 hours, by status. */
export type EventSourceCounts = Readonly<Record<InboundEventStatus, number>>;

export interface EventSourceView {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  /** The integration key's first 8 characters, to tell keys apart. */
  readonly keyPrefix: string;
  /** Events must carry `X-Nexecute-Signature`. */
  readonly signed: boolean;
  readonly defaultAssignmentGroup: string | null;
  readonly defaultCategory: string | null;
  readonly severityMapping: SeverityMapping;
  readonly resolveCloseCode: CloseCode;
  /** Events per minute, per instance. */
  readonly rateLimitPerMinute: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly keyRotatedAt: string;
  readonly lastEventAt: string | null;
  readonly counts: EventSourceCounts;
}

export interface EventSourceList {
  readonly items: readonly EventSourceView[];
}

/** The settings create and edit share. */
export interface EventSourceSettings {
  readonly name?: string;
  readonly enabled?: boolean;
  readonly defaultAssignmentGroup?: string | null;
  readonly defaultCategory?: string | null;
  readonly severityMapping?: SeverityMapping;
  readonly resolveCloseCode?: CloseCode;
  readonly rateLimitPerMinute?: number;
}

/** `signed` without `signingSecret`: the API generates one and returns it once. */
export interface NewEventSource extends EventSourceSettings {
  readonly name: string;
  readonly signed?: boolean;
  readonly signingSecret?: string;
}

/** `signed: false` removes the signing secret; rotate-secret sets one. */
export interface EventSourcePatch extends EventSourceSettings {
  readonly signed?: false;
}

/** Both secrets are shown once: the key always, the signing secret when it was generated. */
export interface CreatedEventSource {
  readonly source: EventSourceView;
  readonly integrationKey: string;
  readonly signingSecret?: string;
}

export interface RotatedKey {
  readonly source: EventSourceView;
  readonly integrationKey: string;
}

export interface RotatedSecret {
  readonly source: EventSourceView;
  readonly signingSecret?: string;
}

/** `GET /api/inbox/:id`: the event with its body as received. */
export interface InboundEventDetail extends InboundEventView {
  readonly contentType: string;
  readonly rawBody: string;
}

export interface InboundEventPage {
  readonly items: readonly InboundEventView[];
  readonly nextCursor: string | null;
}

/** A source's events, filtered by status ('' = any). */
export interface SourceEventsQuery {
  readonly sourceId: string;
  readonly status: InboundEventStatus | '';
}

/** Problem codes the pages branch on. */
export const INBOX_EVENT_NOT_REPLAYABLE = 'INBOX_EVENT_NOT_REPLAYABLE';
