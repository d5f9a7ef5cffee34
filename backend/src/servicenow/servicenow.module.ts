import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { InboxModule } from '../inbox/inbox.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { ServiceNowCallStats } from './servicenow-call-stats';
import { ServiceNowClient } from './servicenow-client';
import { ServiceNowChoices } from './servicenow-choices';
import { ServiceNowConnectionChecks } from './servicenow-connection-checks';
import { ServiceNowConnection } from './servicenow-connection.entity';
import { ServiceNowConnectionController } from './servicenow-connection.controller';
import { ServiceNowConnectionService } from './servicenow-connection.service';
import { ServiceNowOutbound } from './servicenow-outbound';
import { ServiceNowReconciler } from './servicenow-reconciler';
import { ServiceNowSyncController } from './servicenow-sync.controller';
import { ServiceNowSyncHandler } from './servicenow-sync-handler';
import { ServiceNowWebhookIntake } from './servicenow-sync-intake';
import { ConnectionSyncSettings, SERVICENOW_SETTINGS } from './servicenow-sync-settings';
import { SERVICENOW_SYNC_STATUS, ServiceNowSyncStatus } from './servicenow-sync-status';
import { ServiceNowSyncStore } from './servicenow-sync-store';
import { ServiceNowTokenCache } from './servicenow-token-cache';
import { ServiceNowWebhookController } from './servicenow-webhook.controller';

/**
 * Two-way sync with ServiceNow's Table API: the connection (settings, OAuth tokens, the client
 * with its retries and circuit breaker, call statistics), outbound writes (a delivery consumer of
 * incident events), inbound webhooks through the inbox, reconciliation. An integration: it acts on
 * incidents through IncidentCommands only; Incidents knows nothing of it.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ServiceNowConnection]),
    AuditModule,
    IncidentsModule,
    InboxModule,
    DeliveriesModule,
  ],
  controllers: [ServiceNowConnectionController, ServiceNowWebhookController, ServiceNowSyncController],
  providers: [
    ServiceNowConnectionService,
    ServiceNowCallStats,
    ServiceNowTokenCache,
    ServiceNowClient,
    ServiceNowConnectionChecks,
    // The sync reads the same connection as the client (console or SERVICENOW_* variables).
    ConnectionSyncSettings,
    { provide: SERVICENOW_SETTINGS, useExisting: ConnectionSyncSettings },
    ServiceNowChoices,
    ServiceNowSyncStore,
    ServiceNowOutbound,
    ServiceNowSyncHandler,
    ServiceNowWebhookIntake,
    ServiceNowReconciler,
    ServiceNowSyncStatus,
    { provide: SERVICENOW_SYNC_STATUS, useExisting: ServiceNowSyncStatus },
  ],
  exports: [ServiceNowClient, ServiceNowConnectionService, ServiceNowSyncStatus],
})
export class ServiceNowModule {}
