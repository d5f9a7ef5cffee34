import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Roles } from '../common/auth/access.decorators';
import { CurrentActor } from '../common/auth/current-actor.decorator';
import type { RequestActor } from '../common/auth/principal';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import {
  CreateSlackRoutingRuleDto,
  ReorderSlackRoutingRulesDto,
  UpdateSlackRoutingRuleDto,
} from './dto/slack-routing-rule.dto';
import { SlackRoutingRuleListView, SlackRoutingRuleView } from './dto/slack-routing-rule.view';
import { SlackRoutingRules } from './slack-routing-rules.service';

const WORK_NOTES_PROBLEM = 'SLACK_ROUTE_WORK_NOTES_INTERNAL: work notes go only to channels marked internal';

@ApiTags('integrations')
@ApiBearerAuth()
@Roles('admin')
@Controller('integrations/slack/routes')
export class SlackRoutingController {
  constructor(private readonly rules: SlackRoutingRules) {}

  @Get()
  @ApiOperation({ summary: 'The Slack routing rules in order, and the default channel' })
  @ApiOkResponse({ type: SlackRoutingRuleListView })
  list(): Promise<SlackRoutingRuleListView> {
    return this.rules.list();
  }

  @Post()
  @ApiOperation({ summary: 'Add a routing rule (last in order)' })
  @ApiCreatedResponse({ type: SlackRoutingRuleView })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: WORK_NOTES_PROBLEM })
  create(
    @Body() dto: CreateSlackRoutingRuleDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<SlackRoutingRuleView> {
    return this.rules.create(dto, actor);
  }

  @Put('order')
  @ApiOperation({ summary: 'Put the rules in a new order (every rule id, once)' })
  @ApiOkResponse({ type: SlackRoutingRuleListView })
  @ApiConflictResponse({
    type: ProblemDetailsDto,
    description: 'SLACK_ROUTE_ORDER_MISMATCH: the ids are not exactly the rules (`expected` lists them)',
  })
  reorder(
    @Body() dto: ReorderSlackRoutingRulesDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<SlackRoutingRuleListView> {
    return this.rules.reorder(dto.ids, actor);
  }

  @Get(':id')
  @ApiOkResponse({ type: SlackRoutingRuleView })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'SLACK_ROUTE_NOT_FOUND' })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<SlackRoutingRuleView> {
    return this.rules.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a routing rule; left-out fields keep their value' })
  @ApiOkResponse({ type: SlackRoutingRuleView })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'SLACK_ROUTE_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: WORK_NOTES_PROBLEM })
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateSlackRoutingRuleDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<SlackRoutingRuleView> {
    return this.rules.update(id, dto, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted; cards it routed stay and keep being updated' })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'SLACK_ROUTE_NOT_FOUND' })
  async remove(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: RequestActor): Promise<void> {
    await this.rules.remove(id, actor);
  }
}
