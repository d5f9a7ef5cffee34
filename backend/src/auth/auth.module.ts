import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ServerSecrets } from '../common/crypto/server-secrets';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { UserPrincipal } from '../common/auth/principal';
import { UserAccessChanges } from '../users/user-access-changes';
import { UsersModule } from '../users/users.module';
import { AccessChangeListener } from './access-change-listener';
import { AccessTokens } from './access-tokens';
import { AdminBootstrap } from './admin-bootstrap';
import { ApiKey } from './api-key.entity';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { AuthSession } from './auth-session.entity';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AuthenticationGuard } from './authentication.guard';
import { JwtStrategy } from './jwt.strategy';
import { LoginLockout } from './login-lockout';
import {
  LOGIN_BY_ACCOUNT,
  LOGIN_BY_IP,
  loginAccountTracker,
  LoginThrottleGuard,
} from './login-throttle.guard';
import { PRINCIPAL_CACHE_MAX_ENTRIES, PrincipalCache } from './principal-cache';
import { RefreshToken } from './refresh-token.entity';
import { RolesGuard } from './roles.guard';
import { SessionStore } from './session-store';

/**
 * Who is calling and what they may do. Registers the two global guards (authentication on by
 * default, then roles/scopes), so every module's routes are protected without importing this.
 * Exports AuthService for those that check tokens themselves (the live gateway, SSO).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([AuthSession, RefreshToken, ApiKey]),
    UsersModule,
    AuditModule,
    PassportModule,
    JwtModule.registerAsync({
      inject: [ServerSecrets],
      useFactory: (secrets: ServerSecrets) => ({
        secret: secrets.jwtSecret,
        signOptions: { algorithm: 'HS256' },
      }),
    }),
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => {
        const { rateLimitPerIp, rateLimitPerAccount, rateLimitWindowSeconds } = c.auth.login;
        return {
          throttlers: [
            { name: LOGIN_BY_IP, ttl: rateLimitWindowSeconds * 1000, limit: rateLimitPerIp },
            {
              name: LOGIN_BY_ACCOUNT,
              ttl: rateLimitWindowSeconds * 1000,
              limit: rateLimitPerAccount,
              getTracker: loginAccountTracker,
            },
          ],
        };
      },
    }),
  ],
  controllers: [AuthController, ApiKeysController],
  providers: [
    AccessChangeListener,
    {
      // Invalidated by the database's signal (every instance) and by Users' in-process call
      // (this instance, before the signal arrives); serves only while the signal is received.
      provide: PrincipalCache,
      inject: [APP_CONFIG, AccessChangeListener, UserAccessChanges],
      useFactory: (config: AppConfig, listener: AccessChangeListener, users: UserAccessChanges) => {
        const cache = new PrincipalCache<UserPrincipal>({
          ttlMs: config.auth.principalCacheTtlMs,
          maxEntries: PRINCIPAL_CACHE_MAX_ENTRIES,
          signalled: () => listener.listening,
        });
        listener.onChange((change) =>
          change.kind === 'all' ? cache.invalidateAll() : cache.invalidateUser(change.userId),
        );
        users.subscribe((userId) => cache.invalidateUser(userId));
        return cache;
      },
    },
    AccessTokens,
    AuthService,
    SessionStore,
    LoginLockout,
    ApiKeysService,
    JwtStrategy,
    LoginThrottleGuard,
    AdminBootstrap,
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AuthService, ApiKeysService, AccessChangeListener],
})
export class AuthModule {}
