import {
  applyDecorators,
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles, Scopes } from '../common/auth/access.decorators';
import { CurrentActor } from '../common/auth/current-actor.decorator';
import type { RequestActor } from '../common/auth/principal';
import type { JsonBytes } from '../common/http/json-bytes';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { ApiProblem } from '../common/http/openapi';
import { DeliveryListView } from '../deliveries/dto/delivery.view';
import {
  AssignIncidentDto,
  BulkAssignDto,
  BulkIdsDto,
  CommentDto,
  CreateIncidentDto,
  ReasonDto,
  ResolveIncidentDto,
  UpdateIncidentDto,
  VersionedDto,
} from './dto/incident-commands.dto';
import {
  BulkResultsView,
  IncidentPageView,
  IncidentView,
  TimelineEntryView,
  TimelinePageView,
} from './dto/incident.view';
import { ListIncidentsQuery } from './dto/list-incidents.query';
import { TimelineQuery } from './dto/timeline.query';
import { etagOf, ExpectedVersion } from './if-match';
import { IncidentCommands } from './incident-commands';
import { IncidentQueries } from './incident-queries';

/** Viewers read; responders act; admins everything. Keys: incidents:read / incidents:write. */
const Reads = (): MethodDecorator =>
  applyDecorators(Roles('viewer', 'responder', 'admin'), Scopes('incidents:read'));
const Writes = (): MethodDecorator => applyDecorators(Roles('responder', 'admin'), Scopes('incidents:write'));
const VERSION_HEADER_INVALID =
  '`INCIDENT_VERSION_HEADER_INVALID`: If-Match is not an ETag, or disagrees with `version`';
const CURSOR_INVALID = '`INCIDENT_CURSOR_INVALID`: `cursor` is not a `nextCursor` value';
/** A lifecycle action: `POST /api/incidents/:id/<action>` answering the changed incident. */
const IncidentAction = (path: string): MethodDecorator =>
  applyDecorators(
    Post(path),
    HttpCode(200),
    Writes(),
    ApiOkResponse({ type: IncidentView }),
    ApiProblem(400, VERSION_HEADER_INVALID),
    ApiProblem(409, '`INCIDENT_ILLEGAL_TRANSITION` or `INCIDENT_STALE_VERSION`'),
  );

/** Thin: each handler reads the request and makes one call, to IncidentCommands or IncidentQueries. */
@ApiTags('incidents')
@ApiBearerAuth()
@ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'INCIDENT_NOT_FOUND' })
@Controller('incidents')
export class IncidentsController {
  constructor(
    private readonly commands: IncidentCommands,
    private readonly queries: IncidentQueries,
  ) {}

  @Get()
  @Reads()
  @ApiOkResponse({ type: IncidentPageView })
  @ApiProblem(400, CURSOR_INVALID)
  list(
    @Query() query: ListIncidentsQuery,
    @CurrentActor() actor: RequestActor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JsonBytes<IncidentPageView>> {
    void reply.type('application/json; charset=utf-8');
    return this.queries.list(query, actor);
  }

  @Post()
  @Writes()
  @ApiCreatedResponse({ type: IncidentView })
  @ApiProblem(422, '`INCIDENT_ASSIGNEE_UNKNOWN`: no active user with that `assigneeId`')
  async create(
    @Body() dto: CreateIncidentDto,
    @CurrentActor() actor: RequestActor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<IncidentView> {
    const incident = await this.commands.create(dto, actor);
    void reply.header('location', `/api/incidents/${incident.id}`).header('etag', etagOf(incident.version));
    return incident;
  }

  @Post('bulk/acknowledge')
  @HttpCode(200)
  @Writes()
  @ApiOkResponse({ type: BulkResultsView })
  async bulkAcknowledge(
    @Body() dto: BulkIdsDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<BulkResultsView> {
    return { results: await this.commands.acknowledgeAll(dto.ids, actor) };
  }

  @Post('bulk/assign')
  @HttpCode(200)
  @Writes()
  @ApiOkResponse({ type: BulkResultsView })
  async bulkAssign(
    @Body() dto: BulkAssignDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<BulkResultsView> {
    return { results: await this.commands.assignAll(dto, actor) };
  }

  @Get(':id')
  @Reads()
  @ApiOkResponse({ type: IncidentView })
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<IncidentView> {
    const incident = await this.queries.get(id);
    void reply.header('etag', etagOf(incident.version));
    return incident;
  }

  @Patch(':id')
  @Writes()
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag you read, e.g. "3"' })
  @ApiOkResponse({ type: IncidentView })
  @ApiConflictResponse({ type: ProblemDetailsDto, description: 'INCIDENT_STALE_VERSION' })
  @ApiProblem(400, VERSION_HEADER_INVALID)
  update(
    @Param('id') id: string,
    @Body() dto: UpdateIncidentDto,
    @ExpectedVersion() expected: number | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.commands.update(id, dto, expected, actor);
  }

  @IncidentAction(':id/acknowledge')
  acknowledge(
    @Param('id') id: string,
    @Body() _body: VersionedDto,
    @ExpectedVersion() expected: number | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.commands.acknowledge(id, expected, actor);
  }

  @IncidentAction(':id/assign')
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'INCIDENT_ASSIGNEE_UNKNOWN' })
  assign(
    @Param('id') id: string,
    @Body() dto: AssignIncidentDto,
    @ExpectedVersion() expected: number | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.commands.assign(id, dto, expected, actor);
  }

  @IncidentAction(':id/hold')
  hold(
    @Param('id') id: string,
    @Body() dto: ReasonDto,
    @ExpectedVersion() expected: number | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.commands.hold(id, dto, expected, actor);
  }

  @IncidentAction(':id/resolve')
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'INCIDENT_CLOSE_FIELDS_REQUIRED' })
  resolve(
    @Param('id') id: string,
    @Body() dto: ResolveIncidentDto,
    @ExpectedVersion() expected: number | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.commands.resolve(id, dto, expected, actor);
  }

  @IncidentAction(':id/close')
  close(
    @Param('id') id: string,
    @Body() _body: VersionedDto,
    @ExpectedVersion() expected: number | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.commands.close(id, expected, actor);
  }

  @IncidentAction(':id/cancel')
  cancel(
    @Param('id') id: string,
    @Body() dto: ReasonDto,
    @ExpectedVersion() expected: number | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.commands.cancel(id, dto, expected, actor);
  }

  @IncidentAction(':id/reopen')
  reopen(
    @Param('id') id: string,
    @Body() dto: ReasonDto,
    @ExpectedVersion() expected: number | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.commands.reopen(id, dto, expected, actor);
  }

  @IncidentAction(':id/resume')
  resume(
    @Param('id') id: string,
    @Body() dto: ReasonDto,
    @ExpectedVersion() expected: number | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.commands.resume(id, dto, expected, actor);
  }

  @Post(':id/comments')
  @Writes()
  @ApiCreatedResponse({ type: TimelineEntryView })
  comment(
    @Param('id') id: string,
    @Body() dto: CommentDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<TimelineEntryView> {
    return this.commands.comment(id, dto, actor);
  }

  @Get(':id/timeline')
  @Reads()
  @ApiOkResponse({ type: TimelinePageView })
  @ApiProblem(400, CURSOR_INVALID)
  timeline(@Param('id') id: string, @Query() query: TimelineQuery): Promise<TimelinePageView> {
    return this.queries.timelineOf(id, query.cursor, query.limit);
  }

  @Get(':id/deliveries')
  @Reads()
  @ApiOkResponse({ type: DeliveryListView })
  async deliveries(@Param('id') id: string): Promise<DeliveryListView> {
    return { items: await this.queries.deliveriesOf(id) };
  }
}
