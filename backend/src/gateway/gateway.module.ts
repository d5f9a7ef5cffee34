import { Module } from '@nestjs/common';
import type { Role } from '../common/auth/roles';
import type { IncidentEventType } from '../incidents/incident.events';
import { AuthModule } from '../auth/auth.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { LiveEventReaders } from './live-event-readers';
import { LiveGateway } from './live.gateway';

/** Who reads incidents and their timeline (work notes included) over REST (docs/auth.md): every role. */
const INCIDENT_READERS: readonly Role[] = ['viewer', 'responder', 'admin'];

/**
 * The readers of each incident event on the live feed. Every type of the catalogue must be here
 * (`satisfies`): a new incident event does not compile until someone decides who may read it.
 */
const INCIDENT_EVENT_READERS = {
  'incident.created': INCIDENT_READERS,
  'incident.updated': INCIDENT_READERS,
  'incident.state_changed': INCIDENT_READERS,
  'incident.assigned': INCIDENT_READERS,
  'incident.alert_grouped': INCIDENT_READERS,
  'incident.commented': INCIDENT_READERS,
  'incident.work_noted': INCIDENT_READERS,
  'incident.sla_warning': INCIDENT_READERS,
} satisfies Record<IncidentEventType, readonly Role[]>;

/**
 * The live feed. Other modules declare who may read their event types on it through the
 * exported LiveEventReaders (`allow(types, roles)`, in their own `onModuleInit`).
 */
@Module({
  imports: [AuthModule, DeliveriesModule],
  providers: [
    {
      provide: LiveEventReaders,
      useFactory: () => {
        const readers = new LiveEventReaders();
        for (const [type, roles] of Object.entries(INCIDENT_EVENT_READERS)) readers.allow([type], roles);
        return readers;
      },
    },
    LiveGateway,
  ],
  exports: [LiveEventReaders],
})
export class GatewayModule {}
