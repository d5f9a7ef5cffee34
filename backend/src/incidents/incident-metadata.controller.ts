import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles, Scopes } from '../common/auth/access.decorators';
import { IncidentMetadataView } from './dto/incident-metadata.view';
import { INCIDENT_METADATA, INCIDENT_METADATA_ETAG, namesEtag } from './incident-metadata';

/**
 * The rules the console (and any client) would otherwise copy: states and the moves between
 * them, close codes, sources, the priority matrix and SLA targets. Its own path, so it never
 * reaches `GET /api/incidents/:id` (Fastify matches the static segment first).
 */
@ApiTags('incidents')
@ApiBearerAuth()
@Roles('viewer', 'responder', 'admin')
@Scopes('incidents:read')
@Controller('incidents/metadata')
export class IncidentMetadataController {
  @Get()
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag you hold' })
  @ApiOkResponse({
    type: IncidentMetadataView,
    headers: { ETag: { description: 'Revalidate with If-None-Match', schema: { type: 'string' } } },
  })
  @ApiResponse({ status: 304, description: 'Not modified: If-None-Match names the current ETag' })
  metadata(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): IncidentMetadataView | undefined {
    // Same for every caller, but only for signed-in ones: private, and revalidated on each use.
    void reply.header('etag', INCIDENT_METADATA_ETAG).header('cache-control', 'private, no-cache');
    if (namesEtag(ifNoneMatch, INCIDENT_METADATA_ETAG)) {
      void reply.status(304);
      return undefined;
    }
    return INCIDENT_METADATA;
  }
}
