import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Role } from '../common/auth/roles';
import { AuthError, AuthErrorCode } from './auth.errors';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

export const JWT_ISSUER = 'nexecute';
export const JWT_AUDIENCE = 'nexecute-api';

/** What an access token says. Authorization still reloads the user: the role here is a hint. */
export interface AccessTokenClaims {
  readonly sub: string;
  readonly sid: string;
  readonly role: Role;
}

@Injectable()
export class AccessTokens {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get ttlSeconds(): number {
    return this.config.auth.accessTokenTtlSeconds;
  }

  sign(claims: AccessTokenClaims): Promise<string> {
    return this.jwt.signAsync(
      { sid: claims.sid, role: claims.role },
      { subject: claims.sub, expiresIn: this.ttlSeconds, issuer: JWT_ISSUER, audience: JWT_AUDIENCE },
    );
  }

  /**
   * For tokens passport does not see (the Socket.IO handshake and its renewals, logout's bearer
   * token). `exp` (Unix seconds) lets a long-lived connection stop trusting the token when it expires.
   */
  async verify(token: string): Promise<{ readonly sub: string; readonly sid: string; readonly exp: number }> {
    try {
      const claims = await this.jwt.verifyAsync<{ sub?: unknown; sid?: unknown; exp?: unknown }>(token, {
        algorithms: ['HS256'],
        issuer: JWT_ISSUER,
        audience: JWT_AUDIENCE,
      });
      if (typeof claims.sub === 'string' && typeof claims.sid === 'string' && typeof claims.exp === 'number')
        return { sub: claims.sub, sid: claims.sid, exp: claims.exp };
    } catch (e) {
      if (e instanceof Error && e.name === 'TokenExpiredError') {
        throw new AuthError(AuthErrorCode.TokenExpired, 'The access token has expired; refresh it');
      }
    }
    throw new AuthError(AuthErrorCode.TokenInvalid, 'The access token is not valid');
  }
}
