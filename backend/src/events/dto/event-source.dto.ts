import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { trimmed } from '../../common/validation/transforms';
import { CLOSE_CODES, type CloseCode } from '../../incidents/incident-state';
import type { Level } from '../../incidents/incident-priority';

export class ImpactUrgencyDto {
  @ApiProperty({ example: 1, type: Number, enum: [1, 2, 3] })
  @IsInt()
  @Min(1)
  @Max(3)
  impact!: Level;

  @ApiProperty({ example: 1, type: Number, enum: [1, 2, 3] })
  @IsInt()
  @Min(1)
  @Max(3)
  urgency!: Level;
}

export class SeverityMappingDto {
  @ApiProperty({ type: ImpactUrgencyDto, example: { impact: 1, urgency: 1 } })
  @ValidateNested()
  @Type(() => ImpactUrgencyDto)
  critical!: ImpactUrgencyDto;

  @ApiProperty({ type: ImpactUrgencyDto, example: { impact: 1, urgency: 2 } })
  @ValidateNested()
  @Type(() => ImpactUrgencyDto)
  error!: ImpactUrgencyDto;

  @ApiProperty({ type: ImpactUrgencyDto, example: { impact: 2, urgency: 2 } })
  @ValidateNested()
  @Type(() => ImpactUrgencyDto)
  warning!: ImpactUrgencyDto;

  @ApiProperty({ type: ImpactUrgencyDto, example: { impact: 3, urgency: 3 } })
  @ValidateNested()
  @Type(() => ImpactUrgencyDto)
  info!: ImpactUrgencyDto;
}

/** What create and update share; every field optional here. */
export class EventSourceSettingsDto {
  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ example: 'Database Operations', nullable: true, type: String })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(100)
  defaultAssignmentGroup?: string | null;

  @ApiPropertyOptional({ example: 'database', nullable: true, type: String })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MaxLength(100)
  defaultCategory?: string | null;

  @ApiPropertyOptional({
    type: SeverityMappingDto,
    example: {
      critical: { impact: 1, urgency: 1 },
      error: { impact: 1, urgency: 2 },
      warning: { impact: 2, urgency: 2 },
      info: { impact: 3, urgency: 3 },
    },
    description: 'Each severity → impact × urgency (hence priority)',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => SeverityMappingDto)
  severityMapping?: SeverityMappingDto;

  @ApiPropertyOptional({
    example: 'Resolved by caller',
    enum: CLOSE_CODES,
    description: 'Close code of a resolve event',
  })
  @IsOptional()
  @IsIn(CLOSE_CODES)
  resolveCloseCode?: CloseCode;

  @ApiPropertyOptional({
    example: 6000,
    minimum: 1,
    maximum: 1000000,
    description: 'Events per minute, per instance',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000000)
  rateLimitPerMinute?: number;
}

export class CreateEventSourceDto extends EventSourceSettingsDto {
  @ApiProperty({ example: 'Prometheus (production)' })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({
    example: true,
    description: 'Generate a signing secret (shown once); events must then be signed',
  })
  @IsOptional()
  @IsBoolean()
  signed?: boolean;

  @ApiPropertyOptional({
    example: 'a-long-shared-secret-of-your-own-0123456789',
    description: 'Your own signing secret instead of a generated one (32 to 256 characters)',
  })
  @IsOptional()
  @IsString()
  @MinLength(32)
  @MaxLength(256)
  signingSecret?: string;
}

export class UpdateEventSourceDto extends EventSourceSettingsDto {
  @ApiPropertyOptional({ example: 'Prometheus (production)' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({
    example: false,
    description: 'false removes the signing secret; to set one, rotate-secret',
  })
  @IsOptional()
  @IsIn([false], { message: 'signed can only be set to false here (rotate-secret sets a secret)' })
  signed?: false;
}

export class RotateSecretDto {
  @ApiPropertyOptional({
    example: 'a-long-shared-secret-of-your-own-0123456789',
    description: 'Your own secret (32 to 256 characters); left out, one is generated',
  })
  @IsOptional()
  @IsString()
  @MinLength(32)
  @MaxLength(256)
  signingSecret?: string;
}
