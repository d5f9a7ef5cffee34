import { Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/auth/access.decorators';
import { AcceptsFormBody } from '../common/http/body-media-types';
import { ApiSlackSigned } from './slack-events.controller';
import { SlackInboundIntake, type EphemeralAnswer } from './slack-inbound-intake';
import {
  AcceptsSlackSslCheck,
  refusedWithoutRetry,
  SlackRequestGuard,
  type SlackRequest,
} from './slack-request.guard';

/** The `/incident` slash command's request URL (docs/slack.md). */
@ApiTags('slack')
@Public()
@UseGuards(SlackRequestGuard)
@Controller('slack/commands')
export class SlackCommandsController {
  constructor(private readonly intake: SlackInboundIntake) {}

  @Post()
  @HttpCode(200)
  @AcceptsFormBody()
  @AcceptsSlackSslCheck()
  @ApiOperation({
    summary: '/incident create|list|show|ack|resolve|help',
    description:
      'Answered within 3 s, ephemerally. help (and an unknown verb) answers in the response; create and resolve open a modal at once; list, show and ack are stored in the inbox and answered through response_url. An unsigned `ssl_check=1` post answers an empty 200.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        command: { type: 'string', example: '/incident' },
        text: { type: 'string', example: 'ack INC0001234' },
        user_id: { type: 'string' },
        team_id: { type: 'string' },
        channel_id: { type: 'string' },
        response_url: { type: 'string' },
        trigger_id: { type: 'string' },
        ssl_check: { type: 'string', enum: ['1'] },
      },
    },
  })
  @ApiOkResponse({
    description: 'Empty, or an ephemeral message `{"response_type":"ephemeral","text","blocks"}`',
  })
  @ApiSlackSigned()
  async receive(
    @Req() req: SlackRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EphemeralAnswer | undefined> {
    if (req.slackSslCheck) return undefined;
    return this.intake.command(req.body, req.rawBody ?? Buffer.alloc(0)).catch(refusedWithoutRetry(reply));
  }
}
