import { IntegerParam } from '../../common/validation/integers';
import { toDate } from '../../common/validation/transforms';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

export class ListAuditEventsQuery {
  @ApiPropertyOptional({
    example: 'auth.',
    description: 'An exact action, or a prefix ending in "." (auth. = every auth event)',
  })
  @IsOptional()
  @Matches(/^[a-z_]+(\.[a-z_]+)*\.?$/, { message: 'action must look like auth.login.failed or auth.' })
  action?: string;

  @ApiPropertyOptional({ example: '0d1f3c5e-8f4b-4c1e-9a7d-2b6e4f1a9c33' })
  @IsOptional()
  @IsUUID()
  actorId?: string;

  @ApiPropertyOptional({ example: 'user' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  targetType?: string;

  @ApiPropertyOptional({ example: '0d1f3c5e-8f4b-4c1e-9a7d-2b6e4f1a9c33' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  targetId?: string;

  @ApiPropertyOptional({ example: 'failure', enum: ['success', 'failure'] })
  @IsOptional()
  @IsIn(['success', 'failure'])
  outcome?: 'success' | 'failure';

  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z', description: 'Inclusive' })
  @IsOptional()
  @Transform(toDate)
  @IsDate({ message: 'from must be an ISO 8601 date-time' })
  from?: Date;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'Exclusive' })
  @IsOptional()
  @Transform(toDate)
  @IsDate({ message: 'to must be an ISO 8601 date-time' })
  to?: Date;

  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @IntegerParam(1, 200)
  limit = 50;

  @ApiPropertyOptional({ example: '1042', description: 'nextCursor from the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}
