import { ApiProperty } from '@nestjs/swagger';

export const INBOUND_STATUSES = ['accepted', 'processed', 'failed', 'duplicate'] as const;
export type InboundStatus = (typeof INBOUND_STATUSES)[number];

export class InboundEffectView {
  @ApiProperty({ example: 'opened', description: 'opened, grouped, acknowledged, resolved or ignored' })
  outcome!: string;

  @ApiProperty({ example: '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d', nullable: true, type: String })
  incidentId!: string | null;

  @ApiProperty({ example: 'INC0001234', nullable: true, type: String })
  incidentNumber!: string | null;

  @ApiProperty({ example: 'disk-full/db-01', nullable: true, type: String })
  dedupKey!: string | null;
}

/** One received event, as the inbox log shows it. */
export class InboundEventView {
  @ApiProperty({ example: '5f0c1b7e-8a2d-4c3e-9f1a-2b3c4d5e6f70' })
  id!: string;

  @ApiProperty({ example: 'pagerduty', description: 'The format it came in: pagerduty, alertmanager, …' })
  channel!: string;

  @ApiProperty({ example: '3c9a7b1e-2d4f-4e6a-8b0c-1d2e3f4a5b6c', nullable: true, type: String })
  sourceId!: string | null;

  @ApiProperty({ example: 'Prometheus (production)', description: 'The source, or API key, that sent it' })
  sourceLabel!: string;

  @ApiProperty({
    example: 'processed',
    enum: INBOUND_STATUSES,
    description:
      'accepted: stored, processing pending (or retrying: see attempts, lastError); processed; failed: gave up after its attempts (replayable); duplicate: a repeated delivery of duplicateOf',
  })
  status!: InboundStatus;

  @ApiProperty({ example: '2026-12-03T09:12:00.000Z' })
  receivedAt!: string;

  @ApiProperty({ example: '2026-12-03T09:12:00.040Z', nullable: true, type: String })
  processedAt!: string | null;

  @ApiProperty({ example: 1 })
  attempts!: number;

  @ApiProperty({ example: 8 })
  maxAttempts!: number;

  @ApiProperty({ example: null, nullable: true, type: String })
  lastError!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String, description: 'When a retry is due' })
  nextAttemptAt!: string | null;

  @ApiProperty({ example: 'disk-full/db-01', nullable: true, type: String })
  dedupKey!: string | null;

  @ApiProperty({
    example: 'trigger',
    nullable: true,
    type: String,
    description: 'trigger, acknowledge, resolve; alerts for a group',
  })
  action!: string | null;

  @ApiProperty({ example: 'Disk 95% full on db-01', nullable: true, type: String })
  summary!: string | null;

  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'The first receipt, for a duplicate',
  })
  duplicateOf!: string | null;

  @ApiProperty({ type: [InboundEffectView], description: 'What processing did, per incident' })
  effects!: InboundEffectView[];

  @ApiProperty({ example: 'opened', nullable: true, type: String, description: "The first effect's outcome" })
  outcome!: string | null;

  @ApiProperty({ example: '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d', nullable: true, type: String })
  incidentId!: string | null;

  @ApiProperty({ example: 'INC0001234', nullable: true, type: String })
  incidentNumber!: string | null;
}

export class InboundEventDetailView extends InboundEventView {
  @ApiProperty({ example: 'application/json' })
  contentType!: string;

  @ApiProperty({
    example: '{"routing_key":"…","event_action":"trigger"}',
    description: 'The body as received (UTF-8)',
  })
  rawBody!: string;
}

export class InboundEventPageView {
  @ApiProperty({ type: [InboundEventView] })
  items!: InboundEventView[];

  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'Pass as cursor for the next (older) page',
  })
  nextCursor!: string | null;
}

export class InboundEventListView {
  @ApiProperty({ type: [InboundEventView] })
  items!: InboundEventView[];
}
