import { applyDecorators, Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles, Scopes } from '../common/auth/access.decorators';
import { ApiProblem } from '../common/http/openapi';
import { backlogCsv, responseTimesCsv, slaCsv, sourcesCsv, summaryCsv } from './analytics-csv';
import { AnalyticsService, type Answer, type HeldCheck } from './analytics.service';
import { AnalyticsBacklogQuery, AnalyticsRangeQuery, AnalyticsSeriesQuery } from './dto/analytics.query';
import { BacklogView, ResponseTimesView, SlaView, SourcesView, SummaryView } from './dto/analytics.view';

const RANGE_INVALID =
  '`ANALYTICS_RANGE_INVALID`: `from` is not before `to`, a date that does not exist, or a range longer than the bucket allows (hour: 31 days; day, week and the summary: 400); `VALIDATION_FAILED`: a bad `bucket`, `tz`, `priority` or date format';

type Format = 'json' | 'csv';

/** The same readers as the incident list: viewers, responders, admins, keys with incidents:read. */
const AnalyticsRead = (view: object, csvColumns: string): MethodDecorator =>
  applyDecorators(
    Roles('viewer', 'responder', 'admin'),
    Scopes('incidents:read'),
    ApiProduces('application/json', 'text/csv'),
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description: 'The ETag you hold (304 when current)',
    }),
    ApiHeader({
      name: 'Accept',
      required: false,
      description: `\`text/csv\` for the series as CSV (${csvColumns}); JSON otherwise`,
    }),
    ApiOkResponse({
      type: view as new () => unknown,
      headers: {
        ETag: { description: 'Changes with each refresh of the views', schema: { type: 'string' } },
      },
    }),
    ApiResponse({ status: 304, description: 'Not modified: no refresh since the ETag you hold' }),
  );

function formatOf(accept: string | undefined): Format {
  return accept && /\btext\/csv\b/i.test(accept) ? 'csv' : 'json';
}

/** Weak: the same data in JSON and CSV are not the same bytes, so each format has its own. */
function etagOf(refreshedAt: Date, format: Format): string {
  return `W/"analytics-${refreshedAt.getTime()}-${format}"`;
}

function holds(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (tag: string): string => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/**
 * Figures from the analytics views (docs/metrics.md). Thin: each handler asks AnalyticsService;
 * `answer` turns its result into JSON or CSV with the ETag of the refresh, or a 304.
 */
@ApiTags('analytics')
@ApiBearerAuth()
@Controller('analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('summary')
  @AnalyticsRead(SummaryView, 'metric, period, value')
  @ApiProblem(400, RANGE_INVALID)
  summary(
    @Query() q: AnalyticsRangeQuery,
    @Headers('accept') accept: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SummaryView | string | undefined> {
    return answer(reply, accept, ifNoneMatch, (held) => this.analytics.summary(q, held), summaryCsv);
  }

  @Get('response-times')
  @AnalyticsRead(ResponseTimesView, 'series, start, count, mean_seconds, median_seconds, p90_seconds')
  @ApiProblem(400, RANGE_INVALID)
  responseTimes(
    @Query() q: AnalyticsSeriesQuery,
    @Headers('accept') accept: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ResponseTimesView | string | undefined> {
    return answer(
      reply,
      accept,
      ifNoneMatch,
      (held) => this.analytics.responseTimes(q, held),
      responseTimesCsv,
    );
  }

  @Get('backlog')
  @AnalyticsRead(BacklogView, 'state, priority, open, unacknowledged, overdue, oldest_opened_at')
  backlog(
    @Query() q: AnalyticsBacklogQuery,
    @Headers('accept') accept: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BacklogView | string | undefined> {
    return answer(reply, accept, ifNoneMatch, (held) => this.analytics.backlog(q, held), backlogCsv);
  }

  @Get('sla')
  @AnalyticsRead(SlaView, 'start, resolved, met, breached, percent')
  @ApiProblem(400, RANGE_INVALID)
  sla(
    @Query() q: AnalyticsSeriesQuery,
    @Headers('accept') accept: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SlaView | string | undefined> {
    return answer(reply, accept, ifNoneMatch, (held) => this.analytics.sla(q, held), slaCsv);
  }

  @Get('sources')
  @AnalyticsRead(SourcesView, 'start, source, opened, alerts')
  @ApiProblem(400, RANGE_INVALID)
  sources(
    @Query() q: AnalyticsSeriesQuery,
    @Headers('accept') accept: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SourcesView | string | undefined> {
    return answer(reply, accept, ifNoneMatch, (held) => this.analytics.sources(q, held), sourcesCsv);
  }
}

async function answer<V>(
  reply: FastifyReply,
  accept: string | undefined,
  ifNoneMatch: string | undefined,
  read: (held: HeldCheck) => Promise<Answer<V>>,
  csv: (view: V) => string,
): Promise<V | string | undefined> {
  const format = formatOf(accept);
  const { refreshedAt, view } = await read((at) => holds(ifNoneMatch, etagOf(at, format)));
  // Per caller (authorised reads), and revalidated on each use: the ETag makes that cheap.
  void reply
    .header('etag', etagOf(refreshedAt, format))
    .header('cache-control', 'private, no-cache')
    .header('vary', 'Accept, Authorization, X-Api-Key');
  if (view === undefined) {
    void reply.status(304);
    return undefined;
  }
  if (format === 'csv') {
    void reply.type('text/csv; charset=utf-8');
    return csv(view);
  }
  return view;
}
