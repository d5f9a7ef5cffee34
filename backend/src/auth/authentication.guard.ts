import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard, type AuthGuardAuthenticateOptions } from '@nestjs/passport';
import { ALLOW_PENDING_PASSWORD_CHANGE, PUBLIC_ROUTE } from '../common/auth/access.decorators';
import { PRINCIPAL_KEY, type AuthenticatedRequest } from '../common/auth/current-actor.decorator';
import type { Principal } from '../common/auth/principal';
import { isDomainError } from '../common/errors/domain-error';
import { ApiKeysService } from './api-keys.service';
import { AuthError, AuthErrorCode } from './auth.errors';

function presentedApiKey(req: AuthenticatedRequest): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header.trim();
  const authorization = req.headers.authorization;
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer && ApiKeysService.looksLikeKey(bearer) ? bearer : undefined;
}

/**
 * Global (APP_GUARD): every HTTP route needs a principal unless it is @Public(). An API key
 * (X-Api-Key, or a Bearer value starting nxk_) or a JWT access token through passport-jwt.
 */
@Injectable()
export class AuthenticationGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
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
    await super.canActivate(context);
    const principal = req[PRINCIPAL_KEY];
    if (
      principal?.kind === 'user' &&
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

  override getAuthenticateOptions(): AuthGuardAuthenticateOptions {
    return { session: false, property: PRINCIPAL_KEY };
  }

  override handleRequest<TUser = Principal>(err: unknown, user: unknown, info: unknown): TUser {
    if (isDomainError(err)) throw err;
    if (err || !user) throw AuthenticationGuard.explain(err ?? info);
    return user as TUser;
  }

  /** passport-jwt reports why in `info`: missing header, expired, bad signature. */
  private static explain(reason: unknown): AuthError {
    const name = reason instanceof Error ? reason.name : '';
    const message = reason instanceof Error ? reason.message : '';
    if (name === 'TokenExpiredError') {
      return new AuthError(AuthErrorCode.TokenExpired, 'The access token has expired; refresh it');
    }
    if (/no auth token/i.test(message)) {
      return new AuthError(
        AuthErrorCode.Unauthenticated,
        'Sign in first: send Authorization: Bearer <token>',
      );
    }
    return new AuthError(AuthErrorCode.TokenInvalid, 'The access token is not valid');
  }
}
