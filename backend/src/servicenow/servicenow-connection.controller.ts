import { Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Roles } from '../common/auth/access.decorators';
import { CurrentActor } from '../common/auth/current-actor.decorator';
import type { RequestActor } from '../common/auth/principal';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { UpdateServiceNowConnectionDto } from './dto/servicenow-connection.dto';
import { ServiceNowConnectionView, ServiceNowTestView } from './dto/servicenow-connection.view';
import { ServiceNowHealthView } from './dto/servicenow-health.view';
import { ServiceNowConnectionChecks } from './servicenow-connection-checks';
import { ServiceNowConnectionService } from './servicenow-connection.service';

@ApiTags('integrations')
@ApiBearerAuth()
@Roles('admin')
@Controller('integrations/servicenow')
export class ServiceNowConnectionController {
  constructor(
    private readonly connection: ServiceNowConnectionService,
    private readonly checks: ServiceNowConnectionChecks,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The ServiceNow connection (secrets only as has*)' })
  @ApiOkResponse({ type: ServiceNowConnectionView })
  get(): Promise<ServiceNowConnectionView> {
    return this.connection.view();
  }

  @Put()
  @ApiOperation({ summary: 'Change the connection; left-out fields (and secrets) keep their value' })
  @ApiOkResponse({ type: ServiceNowConnectionView })
  @ApiConflictResponse({
    type: ProblemDetailsDto,
    description: 'INTEGRATION_MANAGED_BY_ENVIRONMENT: SERVICENOW_* variables set it',
  })
  @ApiUnprocessableEntityResponse({
    type: ProblemDetailsDto,
    description: 'SERVICENOW_SETTINGS_INCOMPLETE: `missing` names what the grant needs',
  })
  update(
    @Body() dto: UpdateServiceNowConnectionDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<ServiceNowConnectionView> {
    return this.connection.update(dto, actor);
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Test connection: token, read, write permission (a no-change PATCH), webhook secret',
  })
  @ApiOkResponse({
    type: ServiceNowTestView,
    description: 'Each step passed or failed, with the instance’s own text',
  })
  test(): Promise<ServiceNowTestView> {
    return this.checks.test();
  }

  @Get('health')
  @ApiOperation({ summary: 'Calls per operation (24 h), circuit breaker, token expiries, sync status' })
  @ApiOkResponse({ type: ServiceNowHealthView })
  health(): Promise<ServiceNowHealthView> {
    return this.checks.health();
  }
}
