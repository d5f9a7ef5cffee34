import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../common/auth/access.decorators';
import { CurrentActor } from '../common/auth/current-actor.decorator';
import type { RequestActor } from '../common/auth/principal';
import { ApiProblem } from '../common/http/openapi';
import { SlackInstallationFlow } from './slack-installation-flow';
import { SlackInstallationOverview } from './slack-installation-overview';
import { SlackConnectionView } from './slack-installation.views';

@ApiTags('integrations')
@ApiBearerAuth()
@Roles('admin')
@Controller('integrations/slack')
export class SlackConnectionController {
  constructor(
    private readonly overview: SlackInstallationOverview,
    private readonly flow: SlackInstallationFlow,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'What is configured, the workspaces, and Web API calls and errors (24 h); no tokens',
  })
  @ApiOkResponse({ type: SlackConnectionView })
  get(): Promise<SlackConnectionView> {
    return this.overview.view();
  }

  @Delete('workspaces/:teamId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Uninstall a workspace installed from the console (its tokens revoked at Slack)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiProblem(404, '`SLACK_WORKSPACE_NOT_FOUND`')
  @ApiProblem(409, '`INTEGRATION_MANAGED_BY_ENVIRONMENT`: the workspace is SLACK_BOT_TOKEN’s')
  uninstall(@Param('teamId') teamId: string, @CurrentActor() actor: RequestActor): Promise<void> {
    return this.flow.uninstall(teamId, actor);
  }
}
