import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { UsersModule } from '../../users/users.module';
import { AuthModule } from '../auth.module';
import { SsoStateStore } from './sso-state-store';
import { SsoController } from './sso.controller';
import { SsoService } from './sso.service';
import { SsoStrategy } from './sso.strategy';

/**
 * "Sign in with …" (OAuth 2.0 authorization code + PKCE). Mounted only when SSO_PROVIDER names a
 * provider (AppModule), so an unconfigured app has no SSO routes at all.
 */
@Module({
  imports: [AuthModule, UsersModule, AuditModule],
  controllers: [SsoController],
  providers: [SsoStateStore, SsoStrategy, SsoService],
})
export class SsoModule {}
