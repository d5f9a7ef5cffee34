import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AnalyticsModule } from './analytics/analytics.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CryptoModule } from './common/crypto/crypto.module';
import { DatabaseModule } from './common/database/database.module';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { DeliveriesModule } from './deliveries/deliveries.module';
import { GatewayModule } from './gateway/gateway.module';
import { HealthModule } from './health/health.module';
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
      global: true,
      imports: [
        DatabaseModule.forRoot(databaseUrl, config.database),
        CryptoModule,
        HealthModule,
        AuditModule,
        UsersModule,
        AuthModule.forRoot(config),
        DeliveriesModule,
        IncidentsModule,
        ServiceNowModule,
        SlackModule,
        AnalyticsModule,
        GatewayModule,
        ...extraImports,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
      exports: [APP_CONFIG],
    };
  }
}
