import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/access.decorators';
import { CurrentActor } from '../../common/auth/current-actor.decorator';
import type { RequestActor } from '../../common/auth/principal';
import { forbidCaching } from '../../common/http/cache-headers';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { setRefreshCookie } from '../refresh-cookie';
import { SsoService } from './sso.service';

const STATE_COOKIE = 'nx_sso';

/** Browser redirects, not JSON: these URLs are navigated to, never fetched. */
@ApiTags('auth')
@Public()
@Controller('auth/sso')
export class SsoController {
  constructor(
    private readonly sso: SsoService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':provider')
  @ApiFoundResponse({ description: "Redirect to the provider's sign-in page" })
  async begin(@Param('provider') provider: string, @Res() reply: FastifyReply): Promise<void> {
    const { url, state } = await this.sso.begin(provider);
    // Lax, not Strict: the provider's redirect back to us is a cross-site top-level navigation.
    void reply.setCookie(STATE_COOKIE, state, {
      httpOnly: true,
      secure: this.config.auth.cookieSecure,
      sameSite: 'lax',
      path: `/api/auth/sso/${provider}`,
      maxAge: 600,
    });
    await reply.redirect(url, 302);
  }

  @Get(':provider/callback')
  @ApiFoundResponse({ description: 'Signed in: redirect to the console; otherwise to /login?error=<reason>' })
  async callback(
    @Param('provider') provider: string,
    @Query() query: Record<string, unknown>,
    @Req() req: FastifyRequest,
    @CurrentActor() actor: RequestActor,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const outcome = await this.sso.complete(provider, query, req.cookies[STATE_COOKIE], actor);
    // Cross-site by nature (the provider sends the browser here), so no origin check: the state,
    // bound to this browser by nx_sso, is what proves this browser started the sign-in.
    forbidCaching(reply);
    void reply.clearCookie(STATE_COOKIE, { path: `/api/auth/sso/${provider}` });
    if (outcome.kind === 'failed') {
      await reply.redirect(`/login?error=${outcome.reason}`, 302);
      return;
    }
    setRefreshCookie(
      reply,
      outcome.tokens.refreshToken,
      outcome.tokens.refreshExpiresIn,
      this.config.auth.cookieSecure,
    );
    await reply.redirect('/', 302);
  }
}
