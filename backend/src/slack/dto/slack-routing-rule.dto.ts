import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { trimmed } from '../../common/validation/transforms';
import { PRIORITIES } from '../../incidents/incident-priority';
import { INCIDENT_SOURCES, type IncidentSource } from '../../incidents/incident-state';

/** A Slack channel id: C… (public), G… (private), D… (a DM). */
export const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

const trimmedList = ({ value }: { value: unknown }): unknown =>
  Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'string' ? v.trim() : v)) : value;

/** Every field of a rule; create requires name and channelId, update (PATCH) none. */
export class SlackRoutingRuleFieldsDto {
  @ApiPropertyOptional({
    example: [1, 2],
    type: [Number],
    enum: PRIORITIES,
    description: 'Empty: any priority',
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(5, { each: true })
  priorities?: number[];

  @ApiPropertyOptional({
    example: ['network'],
    type: [String],
    description: 'Incident categories, matched case-insensitively. Empty: any category',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Transform(trimmedList)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(100, { each: true })
  categories?: string[];

  @ApiPropertyOptional({
    example: ['webhook'],
    type: [String],
    enum: INCIDENT_SOURCES,
    description: 'Empty: any source',
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(INCIDENT_SOURCES, { each: true })
  sources?: IncidentSource[];

  @ApiPropertyOptional({
    example: false,
    description: 'The channel is for the people working incidents only: work notes may be posted there',
  })
  @IsOptional()
  @IsBoolean()
  internal?: boolean;

  @ApiPropertyOptional({ example: true, description: "Comments as replies in the card's thread" })
  @IsOptional()
  @IsBoolean()
  threadComments?: boolean;

  @ApiPropertyOptional({
    example: false,
    description: "Work notes as replies in the card's thread (internal channels only)",
  })
  @IsOptional()
  @IsBoolean()
  threadWorkNotes?: boolean;

  @ApiPropertyOptional({ example: true, description: "State changes as replies in the card's thread" })
  @IsOptional()
  @IsBoolean()
  threadStateChanges?: boolean;

  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class CreateSlackRoutingRuleDto extends SlackRoutingRuleFieldsDto {
  @ApiProperty({ example: 'Network team' })
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({ example: 'C0123456789', description: 'The Slack channel id (not its name)' })
  @Transform(trimmed)
  @IsString()
  @Matches(CHANNEL_ID, { message: '$property must be a Slack channel id such as C0123456789' })
  channelId!: string;
}

export class UpdateSlackRoutingRuleDto extends SlackRoutingRuleFieldsDto {
  @ApiPropertyOptional({ example: 'Network team' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ example: 'C0123456789' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @Matches(CHANNEL_ID, { message: '$property must be a Slack channel id such as C0123456789' })
  channelId?: string;
}

export class ReorderSlackRoutingRulesDto {
  @ApiProperty({
    example: ['3c9a7b1e-2d4f-4e6a-8b0c-1d2e3f4a5b6c'],
    type: [String],
    description: 'Every rule id, in the new order',
  })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  ids!: string[];
}
