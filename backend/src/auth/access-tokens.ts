import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Role } from '../common/auth/roles';
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
}
