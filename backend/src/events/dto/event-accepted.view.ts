import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** PagerDuty's answer, plus our event id. */
export class EventAcceptedView {
  @ApiProperty({ example: 'success' })
  status!: 'success';

  @ApiProperty({
    example: 'Event processed',
    description: "PagerDuty's wording: stored, and processed shortly",
  })
  message!: string;

  @ApiProperty({
    example: 'disk-full/db-01',
    description: 'The one sent, or the one generated for a trigger without',
  })
  dedup_key!: string;

  @ApiProperty({
    example: '5f0c1b7e-8a2d-4c3e-9f1a-2b3c4d5e6f70',
    description: 'The inbox receipt (the first one, for a duplicate)',
  })
  event_id!: string;

  @ApiPropertyOptional({
    example: true,
    description: 'Present when this delivery repeats one already received',
  })
  duplicate?: boolean;
}

export class AlertsAcceptedView {
  @ApiProperty({ example: 'success' })
  status!: 'success';

  @ApiProperty({ example: 'Event processed' })
  message!: string;

  @ApiProperty({ example: '5f0c1b7e-8a2d-4c3e-9f1a-2b3c4d5e6f70' })
  event_id!: string;

  @ApiProperty({ example: 2, description: 'Alerts in the notification' })
  alerts!: number;

  @ApiPropertyOptional({ example: true })
  duplicate?: boolean;
}
