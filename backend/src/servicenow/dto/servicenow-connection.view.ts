import { ApiProperty } from '@nestjs/swagger';
import { SERVICENOW_GRANTS, type ServiceNowGrant } from '../../config/app-config';
import { CLOSE_CODES, INCIDENT_STATES } from '../../incidents/incident-state';
import { DEFAULT_MAPPING, MAPPED_LEVELS, type ServiceNowMapping } from '../servicenow-mapping';

const stringMap = (keys: readonly string[]) => ({
  type: 'object' as const,
  properties: Object.fromEntries(keys.map((k) => [k, { type: 'string' as const }])),
  required: [...keys],
  // `required` names the keys; the property itself is required too.
  selfRequired: true,
});

export class ServiceNowMappingView implements ServiceNowMapping {
  @ApiProperty({ ...stringMap(INCIDENT_STATES), example: DEFAULT_MAPPING.states })
  states!: ServiceNowMapping['states'];

  @ApiProperty({ ...stringMap(CLOSE_CODES), example: DEFAULT_MAPPING.closeCodes })
  closeCodes!: ServiceNowMapping['closeCodes'];

  @ApiProperty({ ...stringMap(MAPPED_LEVELS), example: DEFAULT_MAPPING.impact })
  impact!: ServiceNowMapping['impact'];

  @ApiProperty({ ...stringMap(MAPPED_LEVELS), example: DEFAULT_MAPPING.urgency })
  urgency!: ServiceNowMapping['urgency'];
}

/** The connection as the console shows it: never a secret, only whether each is set. */
export class ServiceNowConnectionView {
  @ApiProperty({ example: true, description: 'An instance URL and credentials are set' })
  configured!: boolean;

  @ApiProperty({
    enum: ['environment', 'console'],
    nullable: true,
    example: 'console',
    description: 'environment: SERVICENOW_* variables own it and PUT answers 409',
  })
  source!: 'environment' | 'console' | null;

  @ApiProperty({ example: 'https://acme.service-now.com', nullable: true, type: String })
  instanceUrl!: string | null;

  @ApiProperty({ enum: SERVICENOW_GRANTS, example: 'password' })
  grant!: ServiceNowGrant;

  @ApiProperty({ example: '3e57bb02663102004d010ee8f561307a', nullable: true, type: String })
  clientId!: string | null;

  @ApiProperty({ example: 'nexecute.integration', nullable: true, type: String })
  username!: string | null;

  @ApiProperty({ example: true })
  hasClientSecret!: boolean;

  @ApiProperty({ example: true })
  hasPassword!: boolean;

  @ApiProperty({ example: true })
  hasWebhookSecret!: boolean;

  @ApiProperty({ example: 'Service Desk', nullable: true, type: String })
  defaultAssignmentGroup!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'Network Operations': '287ebd7da9fe198100f92cc8d1d2154e' },
    description: 'Our assignment group name → the instance’s sys_user_group sys_id',
  })
  assignmentGroups!: Readonly<Record<string, string>>;

  @ApiProperty({ type: ServiceNowMappingView })
  mapping!: ServiceNowMapping;

  @ApiProperty({ example: true })
  enabled!: boolean;

  @ApiProperty({ example: '2026-12-04T09:00:00.000Z', nullable: true, type: String })
  updatedAt!: string | null;

  @ApiProperty({
    example: 'admin@example.com',
    nullable: true,
    type: String,
    description: 'Who changed it last',
  })
  updatedBy!: string | null;
}

export class ServiceNowTestStepView {
  @ApiProperty({ enum: ['token', 'read', 'write', 'webhook_secret'], example: 'token' })
  step!: 'token' | 'read' | 'write' | 'webhook_secret';

  @ApiProperty({ example: true })
  ok!: boolean;

  @ApiProperty({
    example: 'Obtained an access token (password grant), valid 1799 s',
    description: 'What happened; on failure, the instance’s own error text',
  })
  detail!: string;

  @ApiProperty({ example: 182 })
  durationMs!: number;
}

export class ServiceNowTestView {
  @ApiProperty({ example: true, description: 'Every step passed' })
  ok!: boolean;

  @ApiProperty({ type: [ServiceNowTestStepView] })
  steps!: ServiceNowTestStepView[];
}
