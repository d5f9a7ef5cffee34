import { ApiProperty } from '@nestjs/swagger';
import { LEVELS, PRIORITIES, type Priority } from '../incident-priority';
import {
  CLOSE_CODES,
  INCIDENT_SOURCES,
  INCIDENT_STATES,
  type CloseCode,
  type IncidentSource,
  type IncidentState,
} from '../incident-state';
import {
  TIMELINE_KINDS,
  type IncidentTimelineEntry,
  type TimelineKind,
} from '../incident-timeline-entry.entity';
import { PersonView } from '../../users/dto/person.view';

export class ExternalRefsView {
  @ApiProperty({ example: '9d385017c611228701d22104cc95c371', nullable: true, type: String })
  servicenowSysId!: string | null;

  @ApiProperty({ example: 'C0123456789', nullable: true, type: String })
  slackChannel!: string | null;

  @ApiProperty({ example: '1764061920.000200', nullable: true, type: String })
  slackTs!: string | null;
}

export class IncidentView {
  @ApiProperty({ example: '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d' })
  id!: string;

  @ApiProperty({ example: 'INC0001234' })
  number!: string;

  @ApiProperty({ example: 'Checkout API returns 502' })
  title!: string;

  @ApiProperty({ example: 'Since 09:10 UTC about 30% of checkout calls fail.' })
  description!: string;

  @ApiProperty({ example: 'in_progress', enum: INCIDENT_STATES })
  state!: IncidentState;

  @ApiProperty({ example: 1, enum: LEVELS, type: Number, description: '1 high … 3 low' })
  impact!: number;

  @ApiProperty({ example: 2, enum: LEVELS, type: Number, description: '1 high … 3 low' })
  urgency!: number;

  @ApiProperty({ example: 2, enum: PRIORITIES, type: Number, description: 'Derived from impact × urgency' })
  priority!: Priority;

  @ApiProperty({ example: 'network', nullable: true, type: String })
  category!: string | null;

  @ApiProperty({
    type: PersonView,
    nullable: true,
    example: { id: '6a2f0e1c-3b7d-4e59-8c1a-0f9b2d4e6a71', name: 'Alice Moreau', email: 'alice@example.com' },
  })
  assignee!: PersonView | null;

  @ApiProperty({ example: 'Network Operations', nullable: true, type: String })
  assignmentGroup!: string | null;

  @ApiProperty({
    type: PersonView,
    nullable: true,
    example: { id: '9b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d', name: 'Bob Okafor', email: 'bob@example.com' },
  })
  reporter!: PersonView | null;

  @ApiProperty({ example: 'console', enum: INCIDENT_SOURCES })
  source!: IncidentSource;

  @ApiProperty({ example: null, nullable: true, enum: CLOSE_CODES })
  closeCode!: CloseCode | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  closeNotes!: string | null;

  @ApiProperty({
    type: ExternalRefsView,
    example: { servicenowSysId: null, slackChannel: null, slackTs: null },
  })
  external!: ExternalRefsView;

  @ApiProperty({
    example: 'servicenow',
    nullable: true,
    type: String,
    description: 'The system holding a linked twin of this incident (set by an integration)',
  })
  externalSystem!: string | null;

  @ApiProperty({
    example: '9d385017c611228701d22104cc95c371',
    nullable: true,
    type: String,
    description: "The twin's id in that system",
  })
  externalRef!: string | null;

  @ApiProperty({
    example: 'INC0010002',
    nullable: true,
    type: String,
    description: "The twin's number in that system; the list's `q` finds it",
  })
  externalNumber!: string | null;

  @ApiProperty({ example: '2026-11-25T09:12:00.000Z' })
  openedAt!: string;

  @ApiProperty({ example: '2026-11-25T09:14:30.000Z', nullable: true, type: String })
  acknowledgedAt!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  resolvedAt!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  closedAt!: string | null;

  @ApiProperty({ example: '2026-11-25T17:12:00.000Z' })
  slaDueAt!: string;

  @ApiProperty({ example: false, description: 'Still open past its SLA, or resolved after it' })
  slaBreached!: boolean;

  @ApiProperty({
    example: 0,
    description: "Alerts grouped into it by webhook producers' triggers with its dedup key (0: none)",
  })
  alertCount!: number;

  @ApiProperty({ example: null, nullable: true, type: String, description: 'When the last alert arrived' })
  lastAlertAt!: string | null;

  @ApiProperty({ example: 3 })
  version!: number;

  @ApiProperty({ example: '2026-11-25T09:12:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-25T09:20:00.000Z' })
  updatedAt!: string;

  @ApiProperty({ example: 0, description: 'Side effects (Slack, ServiceNow, …) not yet delivered' })
  deliveriesBehind!: number;
}

export class IncidentPageView {
  @ApiProperty({ type: [IncidentView] })
  items!: IncidentView[];

  @ApiProperty({ example: 'WyIyMDI2LTExLTI1VDA5OjEyOjAwLjAwMFoiLCIwYjdlIl0', nullable: true, type: String })
  nextCursor!: string | null;
}

export class TimelineActorView {
  @ApiProperty({ example: 'user', enum: ['user', 'api_key', 'system', 'anonymous'] })
  type!: 'user' | 'api_key' | 'system' | 'anonymous';

  @ApiProperty({ example: '6a2f0e1c-3b7d-4e59-8c1a-0f9b2d4e6a71', nullable: true, type: String })
  id!: string | null;

  @ApiProperty({ example: 'alice@example.com', nullable: true, type: String })
  label!: string | null;
}

export class TimelineEntryView {
  @ApiProperty({ example: '42' })
  id!: string;

  @ApiProperty({ example: '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d' })
  incidentId!: string;

  @ApiProperty({ example: 'state_changed', enum: TIMELINE_KINDS })
  kind!: TimelineKind;

  @ApiProperty({
    type: TimelineActorView,
    example: { type: 'user', id: '6a2f0e1c-3b7d-4e59-8c1a-0f9b2d4e6a71', label: 'alice@example.com' },
  })
  actor!: TimelineActorView;

  @ApiProperty({ example: '2026-11-25T09:14:30.000Z' })
  at!: string;

  @ApiProperty({ example: 'Rollback is in progress.', nullable: true, type: String })
  body!: string | null;

  @ApiProperty({
    example: { state: { from: 'new', to: 'in_progress' } },
    nullable: true,
    type: Object,
    additionalProperties: { type: 'object', properties: { from: {}, to: {} }, required: ['from', 'to'] },
  })
  changes!: Record<string, { from: unknown; to: unknown }> | null;

  static of(e: IncidentTimelineEntry): TimelineEntryView {
    return {
      id: e.id,
      incidentId: e.incidentId,
      kind: e.kind,
      actor: { type: e.actorType, id: e.actorId, label: e.actorLabel },
      at: e.at.toISOString(),
      body: e.body,
      changes: e.changes,
    };
  }
}

export class TimelinePageView {
  @ApiProperty({ type: [TimelineEntryView] })
  items!: TimelineEntryView[];

  @ApiProperty({ example: null, nullable: true, type: String })
  nextCursor!: string | null;
}

export class BulkResultView {
  @ApiProperty({ example: '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d' })
  id!: string;

  @ApiProperty({ example: true })
  ok!: boolean;

  @ApiProperty({ type: IncidentView, required: false, example: undefined })
  incident?: IncidentView;

  @ApiProperty({
    required: false,
    type: Object,
    example: {
      code: 'INCIDENT_ILLEGAL_TRANSITION',
      status: 409,
      detail: 'An incident that is closed cannot be acknowledged',
    },
  })
  problem?: { code: string; status: number; detail: string };
}

export class BulkResultsView {
  @ApiProperty({ type: [BulkResultView] })
  results!: BulkResultView[];
}
