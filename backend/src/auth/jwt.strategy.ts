import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { UserPrincipal } from '../common/auth/principal';
import { ServerSecrets } from '../common/crypto/server-secrets';
import { JWT_AUDIENCE, JWT_ISSUER } from './access-tokens';
import { AuthError, AuthErrorCode } from './auth.errors';
import { AuthService } from './auth.service';

interface VerifiedClaims {
  readonly sub?: unknown;
  readonly sid?: unknown;
}

/** Bearer JWTs: passport-jwt checks signature, expiry, issuer and audience; we check the rest. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly auth: AuthService,
    @Inject(ServerSecrets) secrets: ServerSecrets,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // jsonwebtoken takes a KeyObject (see ServerSecrets.jwtKey); passport-jwt's typings predate it.
      secretOrKey: secrets.jwtKey as unknown as Buffer,
      algorithms: ['HS256'],
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      ignoreExpiration: false,
    });
  }

  validate(claims: VerifiedClaims): Promise<UserPrincipal> {
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string') {
      return Promise.reject(new AuthError(AuthErrorCode.TokenInvalid, 'The access token is not valid'));
    }
    // Through the principal cache: the user and session are re-read only when they changed.
    return this.auth.requestPrincipal(claims.sub, claims.sid);
  }
}
