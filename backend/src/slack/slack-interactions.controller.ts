import { Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/auth/access.decorators';
import { AcceptsFormBody } from '../common/http/body-media-types';
import { ApiSlackSigned } from './slack-events.controller';
import { SlackInboundIntake, type ViewErrorsAnswer } from './slack-inbound-intake';
import { refusedWithoutRetry, SlackRequestGuard, type SlackRequest } from './slack-request.guard';

/** Slack's interactivity request URL: card buttons and modal submissions (docs/slack.md). */
@ApiTags('slack')
@Public()
@UseGuards(SlackRequestGuard)
@Controller('slack/interactions')
export class SlackInteractionsController {
  constructor(private readonly intake: SlackInboundIntake) {}

  @Post()
  @HttpCode(200)
  @AcceptsFormBody()
  @ApiOperation({
    summary: 'Slack interactivity: block_actions (card buttons) and view_submission (our modals)',
    description:
      'Acknowledged within 3 s. incident.resolve opens the resolve modal at once (views.open); incident.acknowledge and incident.assign_to_me are stored in the inbox and carried out as the mapped user; a submission that does not validate answers `response_action: errors`, a valid one is stored and the modal closes.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['payload'],
      properties: { payload: { type: 'string', description: 'The interaction payload as JSON' } },
    },
  })
  @ApiOkResponse({
    description: 'Empty, or `{"response_action":"errors","errors":{<block_id>: message}}` for a modal',
  })
  @ApiSlackSigned()
  receive(
    @Req() req: SlackRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ViewErrorsAnswer | undefined> {
    return this.intake
      .interaction(req.body, req.rawBody ?? Buffer.alloc(0))
      .catch(refusedWithoutRetry(reply));
  }
}
