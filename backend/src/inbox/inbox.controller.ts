import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Roles, Scopes } from '../common/auth/access.decorators';
import { CurrentActor } from '../common/auth/current-actor.decorator';
import type { RequestActor } from '../common/auth/principal';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { InboundEventDetailView, InboundEventListView, InboundEventPageView } from './dto/inbound-event.view';
import { ListInboundEventsQuery } from './dto/list-inbound-events.query';
import { InboxService } from './inbox.service';

@ApiTags('inbox')
@ApiBearerAuth()
@Controller()
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Get('inbox')
  @Roles('admin')
  @ApiOkResponse({ type: InboundEventPageView, description: 'Every received event, newest first' })
  @ApiBadRequestResponse({ type: ProblemDetailsDto, description: 'VALIDATION_FAILED, INBOX_CURSOR_INVALID' })
  list(@Query() query: ListInboundEventsQuery): Promise<InboundEventPageView> {
    return this.inbox.list(query);
  }

  @Get('inbox/:id')
  @Roles('admin')
  @ApiOkResponse({ type: InboundEventDetailView })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'INBOX_EVENT_NOT_FOUND' })
  view(@Param('id', ParseUUIDPipe) id: string): Promise<InboundEventDetailView> {
    return this.inbox.view(id);
  }

  @Post('inbox/:id/replay')
  @Roles('admin')
  @HttpCode(200)
  @ApiOkResponse({ type: InboundEventDetailView, description: 'Queued again (status accepted)' })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'INBOX_EVENT_NOT_FOUND' })
  @ApiConflictResponse({
    type: ProblemDetailsDto,
    description: 'INBOX_EVENT_NOT_REPLAYABLE (only failed events)',
  })
  replay(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: RequestActor,
  ): Promise<InboundEventDetailView> {
    return this.inbox.replay(id, actor);
  }

  /** Anyone who reads incidents sees which events grouped into one (without the raw bodies). */
  @Get('incidents/:id/events')
  @Roles('viewer', 'responder', 'admin')
  @Scopes('incidents:read')
  @ApiTags('incidents')
  @ApiOkResponse({
    type: InboundEventListView,
    description: 'The events that acted on the incident, oldest first',
  })
  async forIncident(@Param('id', ParseUUIDPipe) id: string): Promise<InboundEventListView> {
    return { items: await this.inbox.forIncident(id) };
  }
}
