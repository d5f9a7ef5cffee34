import { ApiProperty } from '@nestjs/swagger';
import { LEVELS, PRIORITIES, type Level, type Priority } from '../incident-priority';
import {
  CLOSE_CODES,
  INCIDENT_SOURCES,
  INCIDENT_STATES,
  type CloseCode,
  type IncidentSource,
  type IncidentState,
} from '../incident-state';

export class IncidentStateRuleView {
  @ApiProperty({ example: 'on_hold', enum: INCIDENT_STATES })
  state!: IncidentState;

  @ApiProperty({ example: true, description: 'Still being worked: its SLA is running' })
  open!: boolean;

  @ApiProperty({
    example: ['in_progress', 'resolved', 'canceled'],
    enum: INCIDENT_STATES,
    isArray: true,
    description: 'The states it may move to; none for a final state',
  })
  next!: IncidentState[];
}

export class PriorityRuleView {
  @ApiProperty({ example: 1, enum: LEVELS, type: Number })
  impact!: Level;

  @ApiProperty({ example: 2, enum: LEVELS, type: Number })
  urgency!: Level;

  @ApiProperty({ example: 2, enum: PRIORITIES, type: Number })
  priority!: Priority;
}

export class SlaTargetView {
  @ApiProperty({ example: 2, enum: PRIORITIES, type: Number })
  priority!: Priority;

  @ApiProperty({ example: 8, description: 'Hours from opening to resolution' })
  resolutionHours!: number;
}

/** The incident rules clients would otherwise copy (docs/incidents.md, "Metadata"). */
export class IncidentMetadataView {
  @ApiProperty({ type: [IncidentStateRuleView], description: 'Every state, in lifecycle order' })
  states!: IncidentStateRuleView[];

  @ApiProperty({ example: ['Solution provided', 'Duplicate'], enum: CLOSE_CODES, isArray: true })
  closeCodes!: CloseCode[];

  @ApiProperty({ example: ['console', 'api'], enum: INCIDENT_SOURCES, isArray: true })
  sources!: IncidentSource[];

  @ApiProperty({ type: [PriorityRuleView], description: 'Priority for each impact and urgency' })
  priorityMatrix!: PriorityRuleView[];

  @ApiProperty({ type: [SlaTargetView], description: 'Resolution target for each priority' })
  slaTargets!: SlaTargetView[];
}
