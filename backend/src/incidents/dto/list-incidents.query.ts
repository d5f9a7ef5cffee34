import { IntegerParam } from '../../common/validation/integers';
import { toDate, toIntegerList, toList } from '../../common/validation/transforms';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  INCIDENT_SOURCES,
  INCIDENT_STATES,
  type IncidentSource,
  type IncidentState,
} from '../incident-state';

export const INCIDENT_SORTS = ['-openedAt', 'openedAt', 'priority', '-updatedAt', 'slaDueAt'] as const;
export type IncidentSort = (typeof INCIDENT_SORTS)[number];

export class ListIncidentsQuery {
  @ApiPropertyOptional({ example: ['new', 'in_progress'], enum: INCIDENT_STATES, isArray: true })
  @IsOptional()
  @Transform(toList)
  @IsIn(INCIDENT_STATES, { each: true })
  state?: IncidentState[];

  @ApiPropertyOptional({ example: [1, 2], isArray: true, type: Number })
  @IsOptional()
  @Transform(toIntegerList)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(5, { each: true })
  priority?: number[];

  @ApiPropertyOptional({ example: 'me', description: 'A user id, `me`, or `none` (unassigned)' })
  @IsOptional()
  @Matches(/^(me|none|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, {
    message: 'assigneeId must be a user id, me or none',
  })
  assigneeId?: string;

  @ApiPropertyOptional({ example: 'Network Operations' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  assignmentGroup?: string;

  @ApiPropertyOptional({ example: 'slack', enum: INCIDENT_SOURCES })
  @IsOptional()
  @IsIn(INCIDENT_SOURCES)
  source?: IncidentSource;

  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z', description: 'Inclusive' })
  @IsOptional()
  @Transform(toDate)
  @IsDate({ message: 'openedFrom must be an ISO 8601 date-time' })
  openedFrom?: Date;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'Exclusive' })
  @IsOptional()
  @Transform(toDate)
  @IsDate({ message: 'openedTo must be an ISO 8601 date-time' })
  openedTo?: Date;

  @ApiPropertyOptional({
    example: '2026-12-04T09:30:00.000Z',
    description:
      'Inclusive: incidents whose updatedAt is at or after this time (a live client resyncing from the newest updatedAt it saw; docs/live.md)',
  })
  @IsOptional()
  @Transform(toDate)
  @IsDate({ message: 'updatedSince must be an ISO 8601 date-time' })
  updatedSince?: Date;

  @ApiPropertyOptional({
    example: 'checkout 502',
    description: 'Full text over number, title and description; partial numbers match',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ example: '-openedAt', enum: INCIDENT_SORTS, default: '-openedAt' })
  @IsOptional()
  @IsIn(INCIDENT_SORTS)
  sort: IncidentSort = '-openedAt';

  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @IntegerParam(1, 200)
  limit = 50;

  @ApiPropertyOptional({
    example: 'WyIyMDI2LTExLTI1VDA5OjEyOjAwLjAwMFoiLCIwYjdlIl0',
    description: 'nextCursor of the previous page',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}
