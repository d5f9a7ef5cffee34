import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ALLOW_PENDING_PASSWORD_CHANGE, PUBLIC_ROUTE } from '../common/auth/access.decorators';
import { PRINCIPAL_KEY, type AuthenticatedRequest } from '../common/auth/current-actor.decorator';
import type { UserPrincipal } from '../common/auth/principal';
import { ApiKeysService } from './api-keys.service';
import { AuthError, AuthErrorCode } from './auth.errors';
import { bearerTokenOf } from './bearer-token';
import { JwtStrategy } from './jwt.strategy';
import { runStrategy } from './passport-flow';

function presentedApiKey(req: AuthenticatedRequest): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header.trim();
  const bearer = bearerTokenOf(req);
  return bearer && ApiKeysService.looksLikeKey(bearer) ? bearer : undefined;
}

/** passport-jwt says why it refused in its challenge: missing header, expired, bad signature. */
function refusal(challenge: unknown): AuthError {
  const name = challenge instanceof Error ? challenge.name : '';
  const message = challenge instanceof Error ? challenge.message : '';
  if (name === 'TokenExpiredError') {
    return new AuthError(AuthErrorCode.TokenExpired, 'The access token has expired; refresh it');
  }
  if (/no auth token/i.test(message)) {
    return new AuthError(AuthErrorCode.Unauthenticated, 'Sign in first: send Authorization: Bearer <token>');
  }
  return new AuthError(AuthErrorCode.TokenInvalid, 'The access token is not valid');
}

/**
 * Global (APP_GUARD): every HTTP route needs a principal unless it is @Public(). Either an API
 * key (X-Api-Key, or a Bearer value starting nxk_) or a JWT access token, checked by this app's
 * passport-jwt strategy instance.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly jwt: JwtStrategy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Socket.IO authenticates its handshake in the gateway; this guard is for HTTP.
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const apiKey = presentedApiKey(req);
    if (apiKey) {
      req[PRINCIPAL_KEY] = await this.apiKeys.authenticate(apiKey);
      return true;
    }
    const outcome = await runStrategy<UserPrincipal>(this.jwt, req);
    // Not a refusal: the token could not be checked (the database is down, a bug). The error
    // travels on as it is, to a 503 or a 500; turning it into a 401 would sign the console out.
    if (outcome.kind === 'error') throw outcome.error;
    if (outcome.kind !== 'success') throw refusal(outcome.kind === 'fail' ? outcome.challenge : undefined);
    const principal = outcome.user;
    req[PRINCIPAL_KEY] = principal;
    if (
      principal.mustChangePassword &&
      !this.reflector.getAllAndOverride<boolean>(ALLOW_PENDING_PASSWORD_CHANGE, targets)
    ) {
      throw new AuthError(
        AuthErrorCode.PasswordChangeRequired,
        'This account has a temporary password; change it (POST /api/auth/password) first',
      );
    }
    return true;
  }
}
