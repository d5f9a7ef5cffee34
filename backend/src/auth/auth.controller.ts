import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
  ApiExtraModels,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_KEY_SCOPES } from '../common/auth/roles';
import { AllowPendingPasswordChange, Public, Scopes } from '../common/auth/access.decorators';
import { CurrentActor, CurrentPrincipal } from '../common/auth/current-actor.decorator';
import type { Principal, RequestActor, UserPrincipal } from '../common/auth/principal';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { forbidCaching } from '../common/http/cache-headers';
import { CrossSiteCheck } from '../common/http/cross-site-check';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { UserView } from '../users/dto/user.view';
import { UsersService } from '../users/users.service';
import { AuthError, AuthErrorCode } from './auth.errors';
import { AuthService, type IssuedTokens } from './auth.service';
import { bearerTokenOf } from './bearer-token';
import { ChangePasswordDto } from './dto/change-password.dto';
import { LoginDto } from './dto/login.dto';
import { RefreshDto } from './dto/refresh.dto';
import { ApiKeyIdentityView, AuthProvidersView, SessionListView, TokenView } from './dto/token.view';
import { UpdateProfileDto } from './dto/update-profile.dto';
import { LoginThrottleGuard } from './login-throttle.guard';
import { clearRefreshCookie, refreshCookieOf, setRefreshCookie } from './refresh-cookie';

/** Every body here is JSON (common/http/body-media-types.ts). */
const ApiJsonBodyOnly = (): MethodDecorator =>
  ApiUnsupportedMediaTypeResponse({
    type: ProblemDetailsDto,
    description: 'UNSUPPORTED_MEDIA_TYPE: JSON only',
  });

/** Refresh and logout read the nx_refresh cookie when the body has no token. */
const ApiCookieRequestRefusals = (): MethodDecorator =>
  applyDecorators(
    ApiForbiddenResponse({
      type: ProblemDetailsDto,
      description: 'AUTH_CROSS_SITE_REQUEST: the nx_refresh cookie was sent by a page on another site',
    }),
    ApiJsonBodyOnly(),
  );

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  private readonly crossSite: CrossSiteCheck;

  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.crossSite = new CrossSiteCheck([config.publicUrl, ...config.http.corsOrigins]);
  }

  @Public()
  @Get('providers')
  @ApiOkResponse({ type: AuthProvidersView })
  providers(): AuthProvidersView {
    const sso = this.config.auth.sso;
    return {
      local: true,
      sso: sso ? [{ id: sso.id, name: sso.displayName, authorizeUrl: `/api/auth/sso/${sso.id}` }] : [],
    };
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @UseGuards(LoginThrottleGuard)
  @ApiOkResponse({ type: TokenView, description: 'Sent with Cache-Control: no-store' })
  @ApiUnauthorizedResponse({ type: ProblemDetailsDto, description: 'AUTH_INVALID_CREDENTIALS' })
  @ApiForbiddenResponse({
    type: ProblemDetailsDto,
    description: 'AUTH_USER_DISABLED, or AUTH_CROSS_SITE_REQUEST (tokenDelivery "cookie" from another site)',
  })
  @ApiJsonBodyOnly()
  @ApiTooManyRequestsResponse({
    type: ProblemDetailsDto,
    description: 'AUTH_ACCOUNT_LOCKED or AUTH_RATE_LIMITED',
  })
  async login(
    @Body() dto: LoginDto,
    @Req() req: FastifyRequest,
    @CurrentActor() actor: RequestActor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenView> {
    // Only a cookie can sign a browser in behind its user's back (login CSRF).
    if (dto.tokenDelivery === 'cookie') this.refuseCrossSite(req);
    const tokens = await this.auth.login(dto.email, dto.password, actor);
    return this.deliver(tokens, dto.tokenDelivery, reply);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenView, description: 'Sent with Cache-Control: no-store' })
  @ApiUnauthorizedResponse({
    type: ProblemDetailsDto,
    description: 'AUTH_REFRESH_INVALID or AUTH_REFRESH_REUSED',
  })
  @ApiCookieRequestRefusals()
  async refresh(
    @Body() dto: RefreshDto,
    @Req() req: FastifyRequest,
    @CurrentActor() actor: RequestActor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenView> {
    if (dto.refreshToken === undefined) this.refuseCrossSite(req);
    const fromCookie = dto.refreshToken === undefined ? refreshCookieOf(req) : undefined;
    try {
      const tokens = await this.auth.refresh(dto.refreshToken ?? fromCookie, actor);
      return this.deliver(tokens, fromCookie ? 'cookie' : 'body', reply);
    } catch (e) {
      if (fromCookie) clearRefreshCookie(reply, this.config.auth.cookieSecure);
      throw e;
    }
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({
    description:
      'Ends the session of the refresh token (body or cookie) or, without one, of the bearer access token',
  })
  @ApiCookieRequestRefusals()
  async logout(
    @Body() dto: RefreshDto,
    @Req() req: FastifyRequest,
    @CurrentActor() actor: RequestActor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    if (dto.refreshToken === undefined) this.refuseCrossSite(req);
    await this.auth.logout(
      { refreshToken: dto.refreshToken ?? refreshCookieOf(req), accessToken: bearerTokenOf(req) },
      actor,
    );
    clearRefreshCookie(reply, this.config.auth.cookieSecure);
  }

  @Get('me')
  @ApiBearerAuth()
  @AllowPendingPasswordChange()
  @Scopes(...API_KEY_SCOPES)
  @ApiExtraModels(UserView, ApiKeyIdentityView)
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(UserView) }, { $ref: getSchemaPath(ApiKeyIdentityView) }] },
  })
  me(@CurrentPrincipal() principal: Principal): Promise<UserView | ApiKeyIdentityView> {
    return this.auth.me(principal);
  }

  @Patch('me')
  @ApiBearerAuth()
  @ApiOkResponse({ type: UserView })
  updateMe(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: UpdateProfileDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<UserView> {
    return this.users.updateOwnName(this.person(principal).id, dto.name, actor);
  }

  @Post('password')
  @HttpCode(204)
  @ApiBearerAuth()
  @AllowPendingPasswordChange()
  @ApiNoContentResponse()
  @ApiForbiddenResponse({ type: ProblemDetailsDto, description: 'AUTH_CURRENT_PASSWORD_INCORRECT' })
  @ApiUnprocessableEntityResponse({
    type: ProblemDetailsDto,
    description: 'AUTH_PASSWORD_POLICY (with violations), the current password reused included',
  })
  @ApiTooManyRequestsResponse({
    type: ProblemDetailsDto,
    description: 'AUTH_ACCOUNT_LOCKED: too many wrong current passwords (the login lock-out)',
  })
  @ApiJsonBodyOnly()
  async changePassword(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: ChangePasswordDto,
    @CurrentActor() actor: RequestActor,
  ): Promise<void> {
    await this.auth.changePassword(this.person(principal), dto, actor);
  }

  @Get('sessions')
  @ApiBearerAuth()
  @ApiOkResponse({ type: SessionListView })
  async sessions(@CurrentPrincipal() principal: Principal): Promise<SessionListView> {
    return { items: await this.auth.listSessions(this.person(principal)) };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse()
  async revokeSession(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: RequestActor,
  ): Promise<void> {
    await this.auth.revokeSession(this.person(principal), id, actor);
  }

  /** The RolesGuard admits API keys only on routes with @Scopes, so this cannot fail in practice. */
  private person(principal: Principal): UserPrincipal {
    if (principal.kind !== 'user')
      throw new AuthError(AuthErrorCode.Forbidden, 'Only a signed-in person can do this');
    return principal;
  }

  /** Cookie-authenticated and cookie-setting requests must come from our own pages. */
  private refuseCrossSite(req: FastifyRequest): void {
    if (this.crossSite.isCrossSite(req)) {
      throw new AuthError(
        AuthErrorCode.CrossSiteRequest,
        'This request came from a page on another site; sign in from the console itself',
      );
    }
  }

  private deliver(tokens: IssuedTokens, delivery: 'cookie' | 'body', reply: FastifyReply): TokenView {
    forbidCaching(reply);
    const { refreshToken, ...rest } = tokens;
    if (delivery === 'body') return { ...rest, refreshToken };
    setRefreshCookie(reply, refreshToken, tokens.refreshExpiresIn, this.config.auth.cookieSecure);
    return rest;
  }
}
