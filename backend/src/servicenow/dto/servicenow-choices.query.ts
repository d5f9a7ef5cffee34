import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/** The `incident` fields whose choice lists the console offers (sys_choice `element`). */
export const CHOICE_ELEMENTS = ['close_code'] as const;
export type ChoiceElement = (typeof CHOICE_ELEMENTS)[number];

export class ServiceNowChoicesQuery {
  @ApiPropertyOptional({ enum: CHOICE_ELEMENTS, default: 'close_code', description: 'The incident field' })
  @IsOptional()
  @IsIn(CHOICE_ELEMENTS)
  element: ChoiceElement = 'close_code';
}
