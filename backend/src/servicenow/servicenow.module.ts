import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ServiceNowCallStats } from './servicenow-call-stats';
import { ServiceNowClient } from './servicenow-client';
import { ServiceNowConnectionChecks } from './servicenow-connection-checks';
import { ServiceNowConnection } from './servicenow-connection.entity';
import { ServiceNowConnectionController } from './servicenow-connection.controller';
import { ServiceNowConnectionService } from './servicenow-connection.service';
import { ServiceNowTokenCache } from './servicenow-token-cache';

/**
 * Two-way sync with ServiceNow's Table API: the connection (settings, OAuth tokens, the client
 * with its retries and circuit breaker, call statistics), outbound writes, inbound webhooks,
 * reconciliation. An integration: it may use Incidents, Inbox, Deliveries, Audit and Auth; none
 * of them knows it.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ServiceNowConnection]), AuditModule],
  controllers: [ServiceNowConnectionController],
  providers: [
    ServiceNowConnectionService,
    ServiceNowCallStats,
    ServiceNowTokenCache,
    ServiceNowClient,
    ServiceNowConnectionChecks,
  ],
  exports: [ServiceNowClient, ServiceNowConnectionService],
})
export class ServiceNowModule {}
