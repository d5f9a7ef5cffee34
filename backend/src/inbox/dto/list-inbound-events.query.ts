import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IntegerParam } from '../../common/validation/integers';
import { INBOUND_STATUSES, type InboundStatus } from './inbound-event.view';

export class ListInboundEventsQuery {
  @ApiPropertyOptional({ example: '3c9a7b1e-2d4f-4e6a-8b0c-1d2e3f4a5b6c' })
  @IsOptional()
  @IsUUID()
  sourceId?: string;

  @ApiPropertyOptional({ example: 'alertmanager' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_-]{0,31}$/, { message: 'channel must be a channel name such as pagerduty' })
  channel?: string;

  @ApiPropertyOptional({ example: 'failed', enum: INBOUND_STATUSES })
  @IsOptional()
  @IsIn(INBOUND_STATUSES)
  status?: InboundStatus;

  @ApiPropertyOptional({
    example: '0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d',
    description: 'Events that touched this incident',
  })
  @IsOptional()
  @IsUUID()
  incidentId?: string;

  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @IntegerParam(1, 200)
  limit = 50;

  @ApiPropertyOptional({ description: 'nextCursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  cursor?: string;
}
