import { applyDecorators, Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles, Scopes } from '../common/auth/access.decorators';
import { ApiProblem } from '../common/http/openapi';
import { ServiceNowChoicesQuery } from './dto/servicenow-choices.query';
import { ServiceNowChoicesView } from './dto/servicenow-choices.view';
import { ConflictPolicyView, IncidentSyncView } from './dto/servicenow-sync.view';
import { ServiceNowChoices } from './servicenow-choices';
import { CONFLICT_POLICY } from './servicenow-field-map';
import { ServiceNowSyncStatus } from './servicenow-sync-status';

const Reads = (): MethodDecorator =>
  applyDecorators(Roles('viewer', 'responder', 'admin'), Scopes('incidents:read'));

/** The sync as people see it: one incident's link, the conflict policy, the instance's choices. */
@ApiTags('servicenow')
@ApiBearerAuth()
@Controller()
export class ServiceNowSyncController {
  constructor(
    private readonly status: ServiceNowSyncStatus,
    private readonly choices: ServiceNowChoices,
  ) {}

  @Get('incidents/:id/servicenow')
  @Reads()
  @ApiOkResponse({ type: IncidentSyncView })
  @ApiProblem(404, '`INCIDENT_NOT_FOUND`')
  incident(@Param('id') id: string): Promise<IncidentSyncView> {
    return this.status.ofIncident(id);
  }

  @Get('integrations/servicenow/conflict-policy')
  @Roles('admin')
  @ApiOkResponse({ type: ConflictPolicyView })
  conflictPolicy(): ConflictPolicyView {
    return { fields: CONFLICT_POLICY.map((p) => ({ ...p })) };
  }

  @Get('integrations/servicenow/choices')
  @Roles('responder', 'admin')
  @Scopes('incidents:write')
  @ApiOperation({
    summary: "An incident field's choices (close_code): the instance's active sys_choice rows, else ours",
    description:
      'Responders resolve with them; admins map our close codes to them. Read from the instance at ' +
      'most every 10 minutes; our own list when no connection is configured or enabled, or the ' +
      'instance could not be read (then `error` says why).',
  })
  @ApiOkResponse({ type: ServiceNowChoicesView })
  choiceList(@Query() query: ServiceNowChoicesQuery): Promise<ServiceNowChoicesView> {
    return this.choices.of(query.element);
  }
}
