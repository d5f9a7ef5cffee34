import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AnalyticsModule } from './analytics/analytics.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { SsoModule } from './auth/sso/sso.module';
import { CryptoModule } from './common/crypto/crypto.module';
import { DatabaseModule } from './common/database/database.module';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { RedisModule } from './common/redis/redis.module';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { EventsModule } from './events/events.module';
import { GatewayModule } from './gateway/gateway.module';
import { HealthModule } from './health/health.module';
import { InboxModule } from './inbox/inbox.module';
import { IncidentsModule } from './incidents/incidents.module';
import { ServiceNowModule } from './servicenow/servicenow.module';
import { SlackModule } from './slack/slack.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  /** `extraImports` lets integration tests mount probe controllers on the real stack. */
  static forRoot(
    config: AppConfig,
    databaseUrl: string,
    extraImports: ModuleMetadata['imports'] = [],
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Infrastructure, global: settings, the database (and its unit of work), secrets, Redis.
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(databaseUrl, config.database),
        CryptoModule,
        RedisModule.forRoot(config.redis),
        HealthModule,
        AuditModule,
        UsersModule,
        AuthModule,
        ...(config.auth.sso ? [SsoModule] : []),
        DeliveriesModule,
        IncidentsModule,
        InboxModule,
        EventsModule,
        ServiceNowModule,
        SlackModule,
        AnalyticsModule,
        GatewayModule,
        ...extraImports,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}
