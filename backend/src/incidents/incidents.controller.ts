import {
  applyDecorators,
  Body,
  Controller,
  Get,
  Headers,
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
import { etagOf, expectedVersion } from './if-match';
import { IncidentsService } from './incidents.service';

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

/** Thin: each handler reads the request and makes one IncidentsService call. */
@ApiTags('incidents')
@ApiBearerAuth()
@ApiNotFoundResponse({ type: ProblemDetailsDto, description: 'INCIDENT_NOT_FOUND' })
@Controller('incidents')
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

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
    return this.incidents.list(query, actor);
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
    const incident = await this.incidents.create(dto, actor);
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
    return {
      results: await this.incidents.bulk(dto.ids, (id) => this.incidents.acknowledge(id, undefined, actor)),
    };
  }

  @Post('bulk/assign')
  @HttpCode(200)
  @Writes()
  @ApiOkResponse({ type: BulkResultsView })
  async bulkAssign(
    @Body() dto: BulkAssignDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<BulkResultsView> {
    const assignment = { assigneeId: dto.assigneeId, assignmentGroup: dto.assignmentGroup };
    return {
      results: await this.incidents.bulk(dto.ids, (id) =>
        this.incidents.assign(id, assignment, undefined, actor),
      ),
    };
  }

  @Get(':id')
  @Reads()
  @ApiOkResponse({ type: IncidentView })
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<IncidentView> {
    const incident = await this.incidents.get(id);
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
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.incidents.update(id, dto, expectedVersion(ifMatch, dto.version), actor);
  }

  @IncidentAction(':id/acknowledge')
  acknowledge(
    @Param('id') id: string,
    @Body() dto: VersionedDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.incidents.acknowledge(id, expectedVersion(ifMatch, dto.version), actor);
  }

  @IncidentAction(':id/assign')
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'INCIDENT_ASSIGNEE_UNKNOWN' })
  assign(
    @Param('id') id: string,
    @Body() dto: AssignIncidentDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.incidents.assign(id, dto, expectedVersion(ifMatch, dto.version), actor);
  }

  @IncidentAction(':id/hold')
  hold(
    @Param('id') id: string,
    @Body() dto: ReasonDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.incidents.moveTo(id, 'on_hold', dto, expectedVersion(ifMatch, dto.version), actor);
  }

  @IncidentAction(':id/resolve')
  @ApiUnprocessableEntityResponse({ type: ProblemDetailsDto, description: 'INCIDENT_CLOSE_FIELDS_REQUIRED' })
  resolve(
    @Param('id') id: string,
    @Body() dto: ResolveIncidentDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.incidents.resolve(id, dto, expectedVersion(ifMatch, dto.version), actor);
  }

  @IncidentAction(':id/close')
  close(
    @Param('id') id: string,
    @Body() dto: VersionedDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.incidents.moveTo(id, 'closed', dto, expectedVersion(ifMatch, dto.version), actor);
  }

  @IncidentAction(':id/cancel')
  cancel(
    @Param('id') id: string,
    @Body() dto: ReasonDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.incidents.moveTo(id, 'canceled', dto, expectedVersion(ifMatch, dto.version), actor);
  }

  @IncidentAction(':id/reopen')
  reopen(
    @Param('id') id: string,
    @Body() dto: ReasonDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.incidents.moveTo(
      id,
      'in_progress',
      dto,
      expectedVersion(ifMatch, dto.version),
      actor,
      'resolved',
    );
  }

  @IncidentAction(':id/resume')
  resume(
    @Param('id') id: string,
    @Body() dto: ReasonDto,
    @Headers('if-match') ifMatch: string | undefined,
    @CurrentActor() actor: RequestActor,
  ): Promise<IncidentView> {
    return this.incidents.moveTo(
      id,
      'in_progress',
      dto,
      expectedVersion(ifMatch, dto.version),
      actor,
      'on_hold',
    );
  }

  @Post(':id/comments')
  @Writes()
  @ApiCreatedResponse({ type: TimelineEntryView })
  comment(
    @Param('id') id: string,
    @Body() dto: CommentDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<TimelineEntryView> {
    return this.incidents.comment(id, dto, actor);
  }

  @Get(':id/timeline')
  @Reads()
  @ApiOkResponse({ type: TimelinePageView })
  @ApiProblem(400, CURSOR_INVALID)
  timeline(@Param('id') id: string, @Query() query: TimelineQuery): Promise<TimelinePageView> {
    return this.incidents.timelineOf(id, query.cursor, query.limit);
  }

  @Get(':id/deliveries')
  @Reads()
  @ApiOkResponse({ type: DeliveryListView })
  async deliveries(@Param('id') id: string): Promise<DeliveryListView> {
    return { items: await this.incidents.deliveriesOf(id) };
  }
}
