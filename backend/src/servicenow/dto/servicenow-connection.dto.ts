import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { trimmed } from '../../common/validation/transforms';
import { SERVICENOW_GRANTS, type ServiceNowGrant } from '../../config/app-config';
import { ServiceNowMappingDto } from './servicenow-mapping.dto';

const stripTrailingSlash = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().replace(/\/+$/, '') : value;

const SYS_ID = /^[0-9a-f]{32}$/;

/** Our group names (1-100 characters, trimmed) to sys_user_group sys_ids, at most 200 of them. */
const IsAssignmentGroupMap = () =>
  ValidateBy({
    name: 'isAssignmentGroupMap',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.keys(value).length <= 200 &&
        Object.entries(value).every(
          ([name, id]) =>
            name.trim() === name &&
            name.length >= 1 &&
            name.length <= 100 &&
            typeof id === 'string' &&
            SYS_ID.test(id),
        ),
      defaultMessage: () =>
        'assignmentGroups must map group names (1-100 characters) to sys_user_group sys_ids (32 hex characters), at most 200',
    },
  });

/**
 * `PUT /api/integrations/servicenow`: every field optional, what is left out keeps its value.
 * Secrets are write-only: left out, they stay; `null` removes them. `instanceUrl: null`
 * disconnects (settings, secrets and tokens are cleared; the mapping stays).
 */
export class UpdateServiceNowConnectionDto {
  @ApiPropertyOptional({ example: 'https://acme.service-now.com', nullable: true, type: String })
  @IsOptional()
  @Transform(stripTrailingSlash)
  @ValidateIf((_o, v) => v !== null)
  @Matches(/^https?:\/\/[^\s/]+$/, {
    message: 'instanceUrl must be an instance URL like https://acme.service-now.com',
  })
  @MaxLength(200)
  instanceUrl?: string | null;

  @ApiPropertyOptional({ enum: SERVICENOW_GRANTS, example: 'password' })
  @IsOptional()
  @IsIn(SERVICENOW_GRANTS)
  grant?: ServiceNowGrant;

  @ApiPropertyOptional({ example: '3e57bb02663102004d010ee8f561307a' })
  @IsOptional()
  @Transform(trimmed)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  clientId?: string;

  @ApiPropertyOptional({ example: 'nexecute.integration', nullable: true, type: String })
  @IsOptional()
  @Transform(trimmed)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  username?: string | null;

  @ApiPropertyOptional({
    example: 'Application Registry secret',
    nullable: true,
    type: String,
    writeOnly: true,
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  clientSecret?: string | null;

  @ApiPropertyOptional({
    example: 'integration user password',
    nullable: true,
    type: String,
    writeOnly: true,
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  password?: string | null;

  @ApiPropertyOptional({
    example: 'a-long-shared-webhook-secret-0123456789',
    nullable: true,
    type: String,
    writeOnly: true,
    description: 'Signs the business rule’s webhooks (16 to 256 characters)',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  webhookSecret?: string | null;

  @ApiPropertyOptional({ example: 'Service Desk', nullable: true, type: String })
  @IsOptional()
  @Transform(trimmed)
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(100)
  defaultAssignmentGroup?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'Network Operations': '287ebd7da9fe198100f92cc8d1d2154e' },
    description:
      'Our assignment group name → the instance’s sys_user_group sys_id, used both ways; replaces the whole map',
  })
  @IsOptional()
  @IsAssignmentGroupMap()
  assignmentGroups?: Record<string, string>;

  @ApiPropertyOptional({ type: ServiceNowMappingDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ServiceNowMappingDto)
  mapping?: ServiceNowMappingDto;

  @ApiPropertyOptional({ example: true, description: 'false pauses every call to the instance' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
