import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../common/auth/access.decorators';
import { CurrentActor } from '../common/auth/current-actor.decorator';
import type { RequestActor } from '../common/auth/principal';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { CreateEventSourceDto, RotateSecretDto, UpdateEventSourceDto } from './dto/event-source.dto';
import {
  CreatedEventSourceView,
  EventSourceListView,
  EventSourceView,
  RotatedKeyView,
  RotatedSecretView,
} from './dto/event-source.view';
import { EventSourcesService } from './event-sources.service';

@ApiTags('event sources')
@ApiBearerAuth()
@Roles('admin')
@Controller('event-sources')
export class EventSourcesController {
  constructor(private readonly sources: EventSourcesService) {}

  @Get()
  @ApiOkResponse({ type: EventSourceListView })
  async list(): Promise<EventSourceListView> {
    return { items: await this.sources.list() };
  }

  @Post()
  @ApiCreatedResponse({
    type: CreatedEventSourceView,
    description: 'The integration key (and a generated secret) are shown this once',
  })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'EVENT_SOURCE_NAME_TAKEN' })
  create(
    @Body() dto: CreateEventSourceDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<CreatedEventSourceView> {
    return this.sources.create(dto, actor);
  }

  @Get(':id')
  @ApiOkResponse({ type: EventSourceView })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'EVENT_SOURCE_NOT_FOUND' })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<EventSourceView> {
    return this.sources.get(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: EventSourceView })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'EVENT_SOURCE_NOT_FOUND' })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'EVENT_SOURCE_NAME_TAKEN' })
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateEventSourceDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<EventSourceView> {
    return this.sources.update(id, dto, actor);
  }

  @Post(':id/rotate-key')
  @HttpCode(200)
  @ApiOkResponse({ type: RotatedKeyView })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'EVENT_SOURCE_NOT_FOUND' })
  rotateKey(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: RequestActor,
  ): Promise<RotatedKeyView> {
    return this.sources.rotateKey(id, actor);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOkResponse({ type: RotatedSecretView })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'EVENT_SOURCE_NOT_FOUND' })
  rotateSecret(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: RotateSecretDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<RotatedSecretView> {
    return this.sources.rotateSecret(id, dto.signingSecret, actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted; its events stay in the inbox' })
  @ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'EVENT_SOURCE_NOT_FOUND' })
  async remove(@Param('id', ParseUUIDPipe) id: string, @CurrentActor() actor: RequestActor): Promise<void> {
    await this.sources.remove(id, actor);
  }
}
