import { ApiProperty } from '@nestjs/swagger';
import { PRIORITIES } from '../../incidents/incident-priority';
import { INCIDENT_SOURCES, type IncidentSource } from '../../incidents/incident-state';

export class SlackRoutingRuleView {
  @ApiProperty({ example: '3c9a7b1e-2d4f-4e6a-8b0c-1d2e3f4a5b6c' })
  id!: string;

  @ApiProperty({ example: 'Major incidents' })
  name!: string;

  @ApiProperty({ example: 'C0123456789' })
  channelId!: string;

  @ApiProperty({ example: [1], type: [Number], enum: PRIORITIES, description: 'Empty: any' })
  priorities!: number[];

  @ApiProperty({ example: [], type: [String], description: 'Empty: any' })
  categories!: string[];

  @ApiProperty({ example: [], type: [String], enum: INCIDENT_SOURCES, description: 'Empty: any' })
  sources!: IncidentSource[];

  @ApiProperty({ example: true })
  internal!: boolean;

  @ApiProperty({ example: true })
  threadComments!: boolean;

  @ApiProperty({ example: true })
  threadWorkNotes!: boolean;

  @ApiProperty({ example: true })
  threadStateChanges!: boolean;

  @ApiProperty({ example: true })
  enabled!: boolean;

  @ApiProperty({ example: 0, description: 'Order among the rules (0 first)' })
  position!: number;

  @ApiProperty({ example: '2026-12-04T09:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-12-04T09:00:00.000Z' })
  updatedAt!: string;
}

export class SlackRoutingRuleListView {
  @ApiProperty({ type: [SlackRoutingRuleView] })
  items!: SlackRoutingRuleView[];

  @ApiProperty({
    example: 'C0INCIDENTS',
    nullable: true,
    type: String,
    description: 'SLACK_DEFAULT_CHANNEL: where a card goes when no enabled rule matches (null: nowhere)',
  })
  defaultChannel!: string | null;
}
