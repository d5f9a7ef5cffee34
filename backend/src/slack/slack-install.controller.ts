import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public, Roles } from '../common/auth/access.decorators';
import { CurrentActor } from '../common/auth/current-actor.decorator';
import type { RequestActor } from '../common/auth/principal';
import { forbidCaching } from '../common/http/cache-headers';
import { ApiProblem } from '../common/http/openapi';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SLACK_RETURN_PATH, SLACK_STATE_TTL_SECONDS, SlackInstallationFlow } from './slack-installation-flow';
import { SlackInstallUrlView } from './slack-installation.views';

/** Binds the install's state to the browser that started it. */
export const SLACK_STATE_COOKIE = 'nx_slack_state';
const STATE_COOKIE_PATH = '/api/slack/oauth';

/** A browser navigation asks for HTML; the console's XHR asks for JSON and navigates itself. */
function wantsJson(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('application/json') && !accept.includes('text/html');
}

/**
 * "Add to Slack" (docs/slack.md, "Install"). The console holds its access token in memory, so a plain
 * link cannot carry it: the console calls GET /api/slack/install with `Accept: application/json`,
 * gets `{url}` (and the state cookie), and sends the browser there. Any other caller gets the 302.
 */
@ApiTags('slack')
@Controller('slack')
export class SlackInstallController {
  constructor(
    private readonly flow: SlackInstallationFlow,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('install')
  @Roles('admin')
  @ApiBearerAuth()
  @ApiOperation({
    summary: "Start installing the Slack app: to Slack's consent page with a single-use state",
  })
  @ApiFoundResponse({ description: "Redirect to Slack's authorize page (browsers)" })
  @ApiOkResponse({
    type: SlackInstallUrlView,
    description: 'With `Accept: application/json`: where to send the browser',
  })
  @ApiProblem(409, '`SLACK_INSTALL_NOT_CONFIGURED`: SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are not set')
  async install(
    @CurrentActor() actor: RequestActor,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { url, state, expiresAt } = await this.flow.begin(actor);
    // Lax, not Strict: Slack's redirect back to us is a cross-site top-level navigation.
    void reply.setCookie(SLACK_STATE_COOKIE, state, {
      httpOnly: true,
      secure: this.config.auth.cookieSecure,
      sameSite: 'lax',
      path: STATE_COOKIE_PATH,
      maxAge: SLACK_STATE_TTL_SECONDS,
    });
    forbidCaching(reply);
    if (wantsJson(req.headers.accept)) {
      await reply.status(200).send({ url, expiresAt: expiresAt.toISOString() } satisfies SlackInstallUrlView);
      return;
    }
    await reply.redirect(url, 302);
  }

  @Get('oauth/callback')
  @Public()
  @ApiOperation({ summary: "Slack's redirect back after the consent page: store the workspace" })
  @ApiFoundResponse({
    description:
      'To the console: /admin/integrations?slack=installed&team=<id>, or ?slack=error&code=<SLACK_OAUTH_…>&reason=<why>',
  })
  async callback(
    @Query() query: Record<string, unknown>,
    @Req() req: FastifyRequest,
    @CurrentActor() actor: RequestActor,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Cross-site by nature (Slack sends the browser here), so no origin check: the state, bound
    // to this browser by nx_slack_state and single use, proves this browser started the install.
    const outcome = await this.flow.complete(query, req.cookies[SLACK_STATE_COOKIE], actor);
    forbidCaching(reply);
    void reply.clearCookie(SLACK_STATE_COOKIE, { path: STATE_COOKIE_PATH });
    const params =
      outcome.kind === 'installed'
        ? new URLSearchParams({ slack: 'installed', team: outcome.teamId })
        : new URLSearchParams({ slack: 'error', code: outcome.code, reason: outcome.reason });
    await reply.redirect(`${SLACK_RETURN_PATH}?${params.toString()}`, 302);
  }
}
