import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, Matches, ValidateBy, ValidateNested } from 'class-validator';
import { CLOSE_CODES } from '../../incidents/incident-state';
import { DEFAULT_MAPPING } from '../servicenow-mapping';

const CODE = /^-?\d{1,4}$/;
const CODE_MESSAGE = '$property must be a ServiceNow choice value such as "2"';

export class StateMappingDto {
  @ApiPropertyOptional({ example: '1' }) @IsOptional() @Matches(CODE, { message: CODE_MESSAGE }) new?: string;
  @ApiPropertyOptional({ example: '2' })
  @IsOptional()
  @Matches(CODE, { message: CODE_MESSAGE })
  in_progress?: string;
  @ApiPropertyOptional({ example: '3' })
  @IsOptional()
  @Matches(CODE, { message: CODE_MESSAGE })
  on_hold?: string;
  @ApiPropertyOptional({ example: '6' })
  @IsOptional()
  @Matches(CODE, { message: CODE_MESSAGE })
  resolved?: string;
  @ApiPropertyOptional({ example: '7' })
  @IsOptional()
  @Matches(CODE, { message: CODE_MESSAGE })
  closed?: string;
  @ApiPropertyOptional({ example: '8' })
  @IsOptional()
  @Matches(CODE, { message: CODE_MESSAGE })
  canceled?: string;
}

export class LevelMappingDto {
  @ApiPropertyOptional({ example: '1' }) @IsOptional() @Matches(CODE, { message: CODE_MESSAGE }) '1'?: string;
  @ApiPropertyOptional({ example: '2' }) @IsOptional() @Matches(CODE, { message: CODE_MESSAGE }) '2'?: string;
  @ApiPropertyOptional({ example: '3' }) @IsOptional() @Matches(CODE, { message: CODE_MESSAGE }) '3'?: string;
}

/** An object whose keys are our close codes and whose values are non-empty strings of ≤ 100 characters. */
const IsCloseCodeMapping = () =>
  ValidateBy({
    name: 'isCloseCodeMapping',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.entries(value).every(
          ([k, v]) =>
            (CLOSE_CODES as readonly string[]).includes(k) &&
            typeof v === 'string' &&
            v.trim().length > 0 &&
            v.length <= 100,
        ),
      defaultMessage: () =>
        `closeCodes must map our close codes (${CLOSE_CODES.join(', ')}) to ServiceNow close_code values (1-100 characters)`,
    },
  });

/** Any part of the mapping, any key of it; what is left out keeps its value. */
export class ServiceNowMappingDto {
  @ApiPropertyOptional({ type: StateMappingDto, example: DEFAULT_MAPPING.states })
  @IsOptional()
  @ValidateNested()
  @Type(() => StateMappingDto)
  states?: StateMappingDto;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'Solution provided': 'Solved (Permanently)' },
    description: 'Our close code → the instance’s close_code value (sys_choice)',
  })
  @IsOptional()
  @IsCloseCodeMapping()
  closeCodes?: Record<string, string>;

  @ApiPropertyOptional({ type: LevelMappingDto, example: DEFAULT_MAPPING.impact })
  @IsOptional()
  @ValidateNested()
  @Type(() => LevelMappingDto)
  impact?: LevelMappingDto;

  @ApiPropertyOptional({ type: LevelMappingDto, example: DEFAULT_MAPPING.urgency })
  @IsOptional()
  @ValidateNested()
  @Type(() => LevelMappingDto)
  urgency?: LevelMappingDto;
}
