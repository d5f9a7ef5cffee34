import { applyDecorators, Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles, Scopes } from '../common/auth/access.decorators';
import { ApiProblem } from '../common/http/openapi';
import { ConflictPolicyView, IncidentSyncView } from './dto/servicenow-sync.view';
import { CONFLICT_POLICY } from './servicenow-field-map';
import { ServiceNowSyncStatus } from './servicenow-sync-status';

const Reads = (): MethodDecorator =>
  applyDecorators(Roles('viewer', 'responder', 'admin'), Scopes('incidents:read'));

/** The sync as people see it: one incident's link, and the conflict policy. */
@ApiTags('servicenow')
@ApiBearerAuth()
@Controller()
export class ServiceNowSyncController {
  constructor(private readonly status: ServiceNowSyncStatus) {}

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
}
