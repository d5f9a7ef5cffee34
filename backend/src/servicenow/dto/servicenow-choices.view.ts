import { ApiProperty } from '@nestjs/swagger';
import { CLOSE_CODES, type CloseCode } from '../../incidents/incident-state';
import { CHOICE_ELEMENTS, type ChoiceElement } from './servicenow-choices.query';

export class ServiceNowChoiceView {
  @ApiProperty({ example: 'Solved (Permanently)', description: 'The raw value the Table API takes' })
  value!: string;

  @ApiProperty({ example: 'Solved (Permanently)' })
  label!: string;

  @ApiProperty({
    enum: CLOSE_CODES,
    nullable: true,
    example: 'Solution provided',
    description:
      'Our close code this choice is kept as, when resolving with it writes this very value back; ' +
      'null when none does (map one of ours to it on the Integrations page to offer it)',
  })
  closeCode!: CloseCode | null;
}

/** An incident field's choices: the instance's active `sys_choice` rows, or ours when it cannot say. */
export class ServiceNowChoicesView {
  @ApiProperty({ enum: CHOICE_ELEMENTS, example: 'close_code' })
  element!: ChoiceElement;

  @ApiProperty({
    enum: ['servicenow', 'nexecute'],
    example: 'servicenow',
    description: "servicenow: the instance's list; nexecute: ours (not connected, or the instance failed)",
  })
  source!: 'servicenow' | 'nexecute';

  @ApiProperty({ type: [ServiceNowChoiceView] })
  choices!: ServiceNowChoiceView[];

  @ApiProperty({
    nullable: true,
    type: String,
    example: null,
    description: "Why the instance's list is not shown (its own error text), when connected",
  })
  error!: string | null;
}
