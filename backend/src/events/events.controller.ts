import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiForbiddenResponse,
  ApiHeader,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../common/auth/access.decorators';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { AlertsAcceptedView, EventAcceptedView } from './dto/event-accepted.view';
import { EventIntake, type ProducerRequest } from './event-intake';

type RawRequest = FastifyRequest & { rawBody?: Buffer };

function producerRequest(req: RawRequest): ProducerRequest {
  return {
    body: req.body,
    rawBody: req.rawBody,
    headers: req.headers,
    contentType: req.headers['content-type'] ?? 'application/json',
  };
}

const SIGNATURE_HEADERS = [
  ApiHeader({
    name: 'X-Nexecute-Timestamp',
    required: false,
    description: 'Unix seconds; required when the source signs',
  }),
  ApiHeader({
    name: 'X-Nexecute-Signature',
    required: false,
    description:
      'sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>; required when the source signs',
  }),
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A delivery id; without it, a byte-identical body is the same delivery (for 30 days)',
  }),
];

const REFUSALS = [
  ApiBadRequestResponse({
    type: ProblemDetailsDto,
    description: 'VALIDATION_FAILED with errors[{field, message}]; nothing stored',
  }),
  ApiUnauthorizedResponse({
    type: ProblemDetailsDto,
    description:
      'EVENTS_SOURCE_UNKNOWN, EVENTS_SIGNATURE_MISSING, EVENTS_SIGNATURE_INVALID, EVENTS_SIGNATURE_STALE, AUTH_API_KEY_INVALID',
  }),
  ApiForbiddenResponse({
    type: ProblemDetailsDto,
    description: 'EVENTS_SOURCE_DISABLED, AUTH_SCOPE_MISSING (an API key without events:ingest)',
  }),
  ApiPayloadTooLargeResponse({
    type: ProblemDetailsDto,
    description: 'PAYLOAD_TOO_LARGE (BODY_LIMIT_BYTES)',
  }),
  ApiTooManyRequestsResponse({
    type: ProblemDetailsDto,
    description: 'EVENTS_RATE_LIMITED, with Retry-After',
  }),
  ApiServiceUnavailableResponse({
    type: ProblemDetailsDto,
    description: 'DATABASE_UNAVAILABLE: not stored; send it again',
  }),
];

const apply =
  (decorators: readonly MethodDecorator[]): MethodDecorator =>
  (target, key, descriptor) => {
    for (const d of decorators) d(target, key, descriptor);
  };

/**
 * Webhook producers' endpoints. Public to the session/JWT guard: each authenticates its sender
 * itself (the source's integration key, or an events:ingest API key) and, when the source signs,
 * the signature over the raw body (docs/events.md).
 */
@ApiTags('events')
@Public()
@Controller('events')
export class EventsController {
  constructor(private readonly intake: EventIntake) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send an event in PagerDuty Events API v2 shape',
    description:
      'trigger opens an incident or adds to the open one with the same dedup_key; acknowledge and resolve act on it. Stored before the 202, processed right after.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['event_action'],
      properties: {
        routing_key: {
          type: 'string',
          description: "The source's integration key (or send an events:ingest API key)",
        },
        event_action: { type: 'string', enum: ['trigger', 'acknowledge', 'resolve'] },
        dedup_key: { type: 'string', maxLength: 255 },
        payload: {
          type: 'object',
          required: ['summary', 'source', 'severity'],
          properties: {
            summary: { type: 'string', maxLength: 1024 },
            source: { type: 'string' },
            severity: { type: 'string', enum: ['critical', 'error', 'warning', 'info'] },
            timestamp: { type: 'string', format: 'date-time' },
            component: { type: 'string' },
            group: { type: 'string' },
            class: { type: 'string' },
            custom_details: { type: 'object', additionalProperties: true },
          },
        },
        links: {
          type: 'array',
          items: { type: 'object', properties: { href: { type: 'string' }, text: { type: 'string' } } },
        },
        client: { type: 'string' },
        client_url: { type: 'string' },
      },
    },
  })
  @apply(SIGNATURE_HEADERS)
  @ApiAcceptedResponse({ type: EventAcceptedView })
  @apply(REFUSALS)
  async event(@Req() req: RawRequest): Promise<EventAcceptedView> {
    const receipt = await this.intake.pagerDuty(producerRequest(req));
    return {
      status: 'success',
      message: 'Event processed',
      dedup_key: receipt.dedupKey ?? '',
      event_id: receipt.eventId,
      ...(receipt.duplicate ? { duplicate: true } : {}),
    };
  }

  @Post('alertmanager')
  @HttpCode(202)
  @ApiOperation({
    summary: "Prometheus Alertmanager's webhook (payload version 4); Grafana's webhook contact point too",
    description:
      "Authorization: Bearer <the source's integration key> (http_config.authorization), or basic auth with the key as the password. Each alert is grouped by its fingerprint; resolved alerts resolve.",
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['status', 'groupKey', 'alerts'],
      properties: {
        version: { type: 'string', example: '4' },
        status: { type: 'string', enum: ['firing', 'resolved'] },
        groupKey: { type: 'string' },
        alerts: {
          type: 'array',
          items: {
            type: 'object',
            required: ['status', 'fingerprint'],
            properties: {
              status: { type: 'string', enum: ['firing', 'resolved'] },
              labels: { type: 'object', additionalProperties: { type: 'string' } },
              annotations: { type: 'object', additionalProperties: { type: 'string' } },
              startsAt: { type: 'string', format: 'date-time' },
              endsAt: { type: 'string', format: 'date-time' },
              generatorURL: { type: 'string' },
              fingerprint: { type: 'string' },
            },
          },
        },
      },
    },
  })
  @apply(SIGNATURE_HEADERS)
  @ApiAcceptedResponse({ type: AlertsAcceptedView })
  @apply(REFUSALS)
  async alertmanager(@Req() req: RawRequest): Promise<AlertsAcceptedView> {
    const receipt = await this.intake.alertmanager(producerRequest(req));
    return {
      status: 'success',
      message: 'Event processed',
      event_id: receipt.eventId,
      alerts: receipt.alerts,
      ...(receipt.duplicate ? { duplicate: true } : {}),
    };
  }
}
