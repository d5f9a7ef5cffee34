import { Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/auth/access.decorators';
import { ApiProblem } from '../common/http/openapi';
import { SlackInboundIntake } from './slack-inbound-intake';
import { refusedWithoutRetry, SlackRequestGuard, type SlackRequest } from './slack-request.guard';

export const SLACK_SIGNATURE_DOC = {
  401: '`SLACK_SIGNATURE_MISSING`, `SLACK_SIGNATURE_INVALID`, `SLACK_SIGNATURE_STALE`, `SLACK_SIGNATURE_VERSION`, `SLACK_NO_SIGNING_SECRET` (none configured): nothing stored; `X-Slack-No-Retry: 1`',
  400: '`SLACK_REQUEST_INVALID`: signed, but not a request this endpoint takes; `X-Slack-No-Retry: 1`',
} as const;

/** Slack signs (v0) everything it posts; the signature over the raw body is the authentication. */
export const ApiSlackSigned = (): MethodDecorator => (target, key, descriptor) => {
  ApiHeader({ name: 'X-Slack-Request-Timestamp', required: true, description: 'Unix seconds' })(
    target,
    key,
    descriptor,
  );
  ApiHeader({
    name: 'X-Slack-Signature',
    required: true,
    description: 'v0=<hex HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)>',
  })(target, key, descriptor);
  ApiProblem(401, SLACK_SIGNATURE_DOC[401])(target, key, descriptor);
  ApiProblem(400, SLACK_SIGNATURE_DOC[400])(target, key, descriptor);
};

/** The Events API's request URL (docs/slack.md). */
@ApiTags('slack')
@Public()
@UseGuards(SlackRequestGuard)
@Controller('slack/events')
export class SlackEventsController {
  constructor(private readonly intake: SlackInboundIntake) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Slack Events API: the URL check, and events such as app_mention',
    description:
      'url_verification answers `{"challenge"}`. An event_callback is stored in the inbox (keyed by event_id) before the 200 and processed once: a retry (X-Slack-Retry-Num) of a stored event answers 200 and is not processed again.',
  })
  @ApiSlackSigned()
  @ApiHeader({ name: 'X-Slack-Retry-Num', required: false, description: "Slack's retry count (1–3)" })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { type: 'string', enum: ['url_verification', 'event_callback'] },
        challenge: { type: 'string' },
        event_id: { type: 'string', example: 'Ev0PV52K21' },
        team_id: { type: 'string', example: 'T0001' },
        event: { type: 'object', additionalProperties: true },
      },
    },
  })
  @ApiOkResponse({
    schema: {
      oneOf: [
        { type: 'object', properties: { challenge: { type: 'string' } } },
        { type: 'object', properties: { ok: { type: 'boolean' }, duplicate: { type: 'boolean' } } },
      ],
    },
  })
  receive(
    @Req() req: SlackRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ challenge: string } | { ok: true; duplicate: boolean }> {
    return this.intake
      .event(req.body, req.rawBody ?? Buffer.alloc(0), req.headers)
      .catch(refusedWithoutRetry(reply));
  }
}
