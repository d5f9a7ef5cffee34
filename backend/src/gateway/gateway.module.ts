import { Module } from '@nestjs/common';
import type { Role } from '../common/auth/roles';
import { AuthModule } from '../auth/auth.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { LiveEventReaders } from './live-event-readers';
import { LiveIncidentEvents } from './live-incident-events';
import { LiveIntegrationWatch } from './live-integration-watch';
import { LiveNotificationListener } from './live-notification-listener';
import type { LiveEventType } from './live-protocol';
import { LiveGateway } from './live.gateway';

/** Who reads incidents and their timeline (work notes included) over REST (docs/auth.md): every role. */
const INCIDENT_READERS: readonly Role[] = ['viewer', 'responder', 'admin'];

/**
 * The readers of each wire event type (docs/live.md), the people who may read the same over
 * REST. Every type must be here (`satisfies`): a new wire type does not compile until someone
 * decides who may read it.
 */
const LIVE_EVENT_READERS = {
  'incident.created': INCIDENT_READERS,
  'incident.updated': INCIDENT_READERS,
  'incident.commented': INCIDENT_READERS,
  'incident.sla_warning': INCIDENT_READERS,
  // The dashboard's data (GET /api/analytics/*) is for every role.
  'analytics.refreshed': ['viewer', 'responder', 'admin'],
  // The integrations' settings and status pages are admin-only.
  'integration.status': ['admin'],
} satisfies Record<LiveEventType, readonly Role[]>;

/**
 * The live feed (docs/live.md): the /live gateway, fed by PostgreSQL NOTIFY on commit. Reads
 * incident views through Incidents' exported IncidentQueries.
 */
@Module({
  imports: [AuthModule, IncidentsModule],
  providers: [
    {
      provide: LiveEventReaders,
      useFactory: () => {
        const readers = new LiveEventReaders();
        for (const [type, roles] of Object.entries(LIVE_EVENT_READERS)) readers.allow([type], roles);
        return readers;
      },
    },
    LiveNotificationListener,
    LiveIncidentEvents,
    LiveGateway,
    { provide: LiveIntegrationWatch, useFactory: () => new LiveIntegrationWatch() },
  ],
  exports: [LiveEventReaders, LiveGateway],
})
export class GatewayModule {}
