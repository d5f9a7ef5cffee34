import { ApiProperty } from '@nestjs/swagger';
import { CLOSE_CODES, type CloseCode } from '../../incidents/incident-state';
import type { SeverityMapping } from '../severity-mapping';
import { SeverityMappingDto } from './event-source.dto';

export class EventSourceCountsView {
  @ApiProperty({ example: 0 }) accepted!: number;
  @ApiProperty({ example: 120 }) processed!: number;
  @ApiProperty({ example: 0 }) failed!: number;
  @ApiProperty({ example: 3 }) duplicate!: number;
}

export class EventSourceView {
  @ApiProperty({ example: '3c9a7b1e-2d4f-4e6a-8b0c-1d2e3f4a5b6c' })
  id!: string;

  @ApiProperty({ example: 'Prometheus (production)' })
  name!: string;

  @ApiProperty({ example: true })
  enabled!: boolean;

  @ApiProperty({ example: 'k3x9p2ma', description: "The integration key's first 8 characters" })
  keyPrefix!: string;

  @ApiProperty({ example: true, description: 'Events must carry X-Nexecute-Signature' })
  signed!: boolean;

  @ApiProperty({ example: 'Database Operations', nullable: true, type: String })
  defaultAssignmentGroup!: string | null;

  @ApiProperty({ example: 'database', nullable: true, type: String })
  defaultCategory!: string | null;

  @ApiProperty({ type: SeverityMappingDto })
  severityMapping!: SeverityMapping;

  @ApiProperty({ example: 'Resolved by caller', enum: CLOSE_CODES })
  resolveCloseCode!: CloseCode;

  @ApiProperty({ example: 6000 })
  rateLimitPerMinute!: number;

  @ApiProperty({ example: '2026-12-01T09:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-12-01T09:00:00.000Z' })
  updatedAt!: string;

  @ApiProperty({ example: '2026-12-01T09:00:00.000Z' })
  keyRotatedAt!: string;

  @ApiProperty({ example: '2026-12-03T09:12:00.000Z', nullable: true, type: String })
  lastEventAt!: string | null;

  @ApiProperty({
    type: EventSourceCountsView,
    example: { accepted: 0, processed: 120, failed: 0, duplicate: 3 },
    description: 'Events received in the last 24 hours, by status',
  })
  counts!: EventSourceCountsView;
}

export class EventSourceListView {
  @ApiProperty({ type: [EventSourceView] })
  items!: EventSourceView[];
}

export class CreatedEventSourceView {
  @ApiProperty({ type: EventSourceView })
  source!: EventSourceView;

  @ApiProperty({
    example: 'k3x9p2ma7qv4c8n1r5t0w2y6z3b8d1f4',
    description: 'Shown once: the routing_key (or Alertmanager bearer credentials)',
  })
  integrationKey!: string;

  @ApiProperty({
    required: false,
    example: 'q8V0c2Yw3m1Jx9bZp4Tn7Lr6Ks5Hd2Fg1Ae0Cw9Uy8I',
    description: 'Shown once, when it was generated',
  })
  signingSecret?: string;
}

export class RotatedKeyView {
  @ApiProperty({ type: EventSourceView })
  source!: EventSourceView;

  @ApiProperty({
    example: 'k3x9p2ma7qv4c8n1r5t0w2y6z3b8d1f4',
    description: 'Shown once; the previous key stops working at once',
  })
  integrationKey!: string;
}

export class RotatedSecretView {
  @ApiProperty({ type: EventSourceView })
  source!: EventSourceView;

  @ApiProperty({
    required: false,
    example: 'q8V0c2Yw3m1Jx9bZp4Tn7Lr6Ks5Hd2Fg1Ae0Cw9Uy8I',
    description: 'Shown once, when it was generated',
  })
  signingSecret?: string;
}
