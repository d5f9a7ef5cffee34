// Event sources as the API shows them (docs/events.md): webhook producers, each with its own
// integration key (shown once) and optional signing secret, and the settings that turn their
// events into incidents.
import { type ApiSchema, enumValues } from '../../../core/api/api-schema';
import { Level } from '../../../shared/incident-rules/priority';
import { InboundEventStatus } from '../../../shared/inbound-events/inbound-event';

export interface ImpactUrgency {
  readonly impact: Level;
  readonly urgency: Level;
}

export type Severity = keyof ApiSchema<'SeverityMappingDto'>;
export type SeverityMapping = Readonly<Record<Severity, ImpactUrgency>>;

export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: 'Critical',
  error: 'Error',
  warning: 'Warning',
  info: 'Info',
};
export const SEVERITIES = enumValues(SEVERITY_LABELS);

/** What the API uses when a source is created without a mapping: P1, P2, P3, P5. */
export const DEFAULT_SEVERITY_MAPPING: SeverityMapping = {
  critical: { impact: 1, urgency: 1 },
  error: { impact: 1, urgency: 2 },
  warning: { impact: 2, urgency: 2 },
  info: { impact: 3, urgency: 3 },
};

/** Events received in the last 24 hours, by status. */
export type EventSourceCounts = ApiSchema<'EventSourceCountsView'>;

// The generated ImpactUrgencyDto has no number type for impact and urgency (the DTO's `Level` is a
// type alias Swagger cannot see), so the mapping is typed here and replaces the generated one.
type WithMapping<T, Optional extends boolean = false> = Omit<T, 'severityMapping'> &
  (Optional extends true
    ? { readonly severityMapping?: SeverityMapping }
    : { readonly severityMapping: SeverityMapping });

/** A source as admins see it; `keyPrefix` tells keys apart, `signed`: events must carry a signature. */
export type EventSourceView = WithMapping<ApiSchema<'EventSourceView'>>;
export type EventSourceList = Omit<ApiSchema<'EventSourceListView'>, 'items'> & {
  readonly items: readonly EventSourceView[];
};
/** `signed` without `signingSecret`: the API generates one and returns it once. */
export type NewEventSource = WithMapping<ApiSchema<'CreateEventSourceDto'>, true>;
/** Only the fields given change; `signed: false` removes the signing secret (rotate-secret sets one). */
export type EventSourcePatch = WithMapping<Omit<ApiSchema<'UpdateEventSourceDto'>, 'signed'>, true> & {
  readonly signed?: false;
};
/** The settings create and edit share. */
export type EventSourceSettings = Omit<EventSourcePatch, 'signed' | 'enabled'>;

type WithSource<T> = Omit<T, 'source'> & { readonly source: EventSourceView };
/** Both secrets are shown once: the key always, the signing secret when it was generated. */
export type CreatedEventSource = WithSource<ApiSchema<'CreatedEventSourceView'>>;
export type RotatedKey = WithSource<ApiSchema<'RotatedKeyView'>>;
export type RotatedSecret = WithSource<ApiSchema<'RotatedSecretView'>>;

/** `GET /api/inbox/:id`: the event with its body as received. */
export type InboundEventDetail = ApiSchema<'InboundEventDetailView'>;
export type InboundEventPage = ApiSchema<'InboundEventPageView'>;

/** A source's events, filtered by status ('' = any). */
export interface SourceEventsQuery {
  readonly sourceId: string;
  readonly status: InboundEventStatus | '';
}

/** Problem codes the pages branch on. */
export const INBOX_EVENT_NOT_REPLAYABLE = 'INBOX_EVENT_NOT_REPLAYABLE';
