import { ApiProperty } from '@nestjs/swagger';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../delivery.entity';

export class DeliveryView {
  @ApiProperty({ example: '5d0c8a2e-4f1b-4c3a-9e7d-1a2b3c4d5e6f' })
  id!: string;

  @ApiProperty({ example: '0f3e1c2d-8a7b-4c5d-9e1f-2a3b4c5d6e7f' })
  eventId!: string;

  @ApiProperty({ example: 'incident.state_changed' })
  eventType!: string;

  @ApiProperty({ example: 'incident' })
  aggregateType!: string;

  @ApiProperty({ example: '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d' })
  aggregateId!: string;

  @ApiProperty({
    example: '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d',
    nullable: true,
    type: String,
    description: 'aggregateId when the event is about an incident',
  })
  incidentId!: string | null;

  @ApiProperty({ example: 'slack' })
  consumer!: string;

  @ApiProperty({ example: 'failed', enum: DELIVERY_STATUSES })
  status!: DeliveryStatus;

  @ApiProperty({ example: 2 })
  attempts!: number;

  @ApiProperty({ example: 8 })
  maxAttempts!: number;

  @ApiProperty({ example: 'Slack answered 503', nullable: true, type: String })
  lastError!: string | null;

  @ApiProperty({ example: '2026-11-25T09:14:40.000Z', nullable: true, type: String })
  nextAttemptAt!: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  deliveredAt!: string | null;

  @ApiProperty({ example: '2026-11-25T09:14:30.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-25T09:14:33.000Z' })
  updatedAt!: string;

  @ApiProperty({ example: 'slack:0f3e1c2d-8a7b-4c5d-9e1f-2a3b4c5d6e7f', description: '<consumer>:<eventId>' })
  idempotencyKey!: string;

  @ApiProperty({
    example: false,
    description:
      'Pending or failed, and nothing will attempt it soon: its worker stopped mid-attempt, or its job has been due for DELIVERY_STALLED_AFTER_MS with no worker taking it, or it has no job. Replayable.',
  })
  stalled!: boolean;
}

/** One aggregate's deliveries, e.g. `GET /api/incidents/:id/deliveries`. */
export class DeliveryListView {
  @ApiProperty({ type: [DeliveryView] })
  items!: DeliveryView[];
}

export class DeliveryPageView {
  @ApiProperty({ type: [DeliveryView] })
  items!: DeliveryView[];

  @ApiProperty({
    example: 'MTc2NDA2MTY3MDAwMDAwMC41ZDBj',
    nullable: true,
    type: String,
    description: 'Pass back as cursor; null on the last page',
  })
  nextCursor!: string | null;
}

export class ConsumerDeliveryCounts {
  @ApiProperty({ example: 'slack' })
  consumer!: string;

  @ApiProperty({ example: 0 })
  pending!: number;

  @ApiProperty({ example: 1 })
  failed!: number;

  @ApiProperty({ example: 0 })
  dead!: number;

  @ApiProperty({ example: 1520 })
  delivered!: number;

  @ApiProperty({ example: 0, description: 'Of the pending and failed ones, how many are stalled' })
  stalled!: number;
}

export class DeliverySummaryView {
  @ApiProperty({ type: [ConsumerDeliveryCounts] })
  byConsumer!: ConsumerDeliveryCounts[];
}
