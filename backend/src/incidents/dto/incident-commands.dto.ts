import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { LEVELS, type Level } from '../incident-priority';
import { CLOSE_CODES, INCIDENT_SOURCES, type CloseCode, type IncidentSource } from '../incident-state';
import { trimmed } from '../../common/validation/transforms';

/** Optimistic locking in the body, for clients that cannot send If-Match. */
export class VersionedDto {
  @ApiPropertyOptional({
    example: 3,
    description: 'The version you read; a different current version answers 409',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  version?: number;
}

export class CreateIncidentDto {
  @ApiProperty({ example: 'Checkout API returns 502' })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiPropertyOptional({ example: 'Since 09:10 UTC about 30% of checkout calls fail with 502.' })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  description?: string;

  @ApiProperty({ example: 1, enum: LEVELS, type: Number, description: '1 high … 3 low' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3)
  impact!: Level;

  @ApiProperty({ example: 2, enum: LEVELS, type: Number, description: '1 high … 3 low' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3)
  urgency!: Level;

  @ApiPropertyOptional({ example: 'network' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(100)
  category?: string;

  @ApiPropertyOptional({ example: '6a2f0e1c-3b7d-4e59-8c1a-0f9b2d4e6a71' })
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  @ApiPropertyOptional({ example: 'Network Operations' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(100)
  assignmentGroup?: string;

  @ApiPropertyOptional({
    example: 'api',
    enum: INCIDENT_SOURCES,
    description: 'Defaults to console for people, api for keys',
  })
  @IsOptional()
  @IsIn(INCIDENT_SOURCES)
  source?: IncidentSource;
}

export class UpdateIncidentDto extends VersionedDto {
  @ApiPropertyOptional({ example: 'Checkout API returns 502 for EU customers' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ example: 'Only the EU region is affected.' })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  description?: string;

  @ApiPropertyOptional({ example: 2, enum: LEVELS, type: Number })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3)
  impact?: Level;

  @ApiPropertyOptional({ example: 2, enum: LEVELS, type: Number })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3)
  urgency?: Level;

  @ApiPropertyOptional({ example: 'network', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(100)
  category?: string | null;

  @ApiPropertyOptional({ example: 'Network Operations', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(100)
  assignmentGroup?: string | null;
}

export class AssignIncidentDto extends VersionedDto {
  @ApiProperty({
    example: '6a2f0e1c-3b7d-4e59-8c1a-0f9b2d4e6a71',
    nullable: true,
    type: String,
    description: 'null unassigns',
  })
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  assigneeId!: string | null;

  @ApiPropertyOptional({ example: 'Network Operations', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(100)
  assignmentGroup?: string | null;
}

export class ReasonDto extends VersionedDto {
  @ApiProperty({ example: 'Waiting for the vendor' })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  reason!: string;
}

/**
 * Both fields are required to resolve, but a missing or blank one is the lifecycle's to refuse
 * (422 INCIDENT_CLOSE_FIELDS_REQUIRED with `missing`, as documented), not a validation error;
 * a present one must still be valid.
 */
export class ResolveIncidentDto extends VersionedDto {
  @ApiProperty({ example: 'Solution provided', enum: CLOSE_CODES })
  @IsOptional()
  @IsIn(CLOSE_CODES)
  closeCode?: CloseCode;

  @ApiProperty({ example: 'Rolled back the 09:05 deploy of checkout-api.' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(4000)
  closeNotes?: string;
}

export class CommentDto {
  @ApiProperty({ example: 'Rollback is in progress; ETA 10 minutes.' })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  body!: string;

  @ApiPropertyOptional({ example: 'comment', enum: ['comment', 'work_note'], default: 'comment' })
  @IsOptional()
  @IsIn(['comment', 'work_note'])
  kind: 'comment' | 'work_note' = 'comment';
}

export class BulkIdsDto {
  @ApiProperty({ example: ['0b7e2c4a-1d3f-4a5b-9c8d-7e6f5a4b3c2d'], maxItems: 100 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  ids!: string[];
}

export class BulkAssignDto extends BulkIdsDto {
  @ApiProperty({ example: '6a2f0e1c-3b7d-4e59-8c1a-0f9b2d4e6a71', nullable: true, type: String })
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  assigneeId!: string | null;

  @ApiPropertyOptional({ example: 'Network Operations', nullable: true, type: String })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(100)
  assignmentGroup?: string | null;
}
