import { Module } from '@nestjs/common';
import type { Role } from '../common/auth/roles';
import { INCIDENT_EVENTS } from '../incidents/incident.events';
import { IncidentsModule } from '../incidents/incidents.module';
import { AccessChangeListener } from './access-change-listener';
import { LiveEventReaders } from './live-event-readers';
import { LiveGateway } from './live.gateway';

/** Who reads incidents and their timeline over REST (docs/auth.md): every role. */
const INCIDENT_READERS: readonly Role[] = ['viewer', 'responder', 'admin'];

/**
 * The live feed. Other modules declare who may read their event types on it through the
 * exported LiveEventReaders (`allow(types, roles)`, in their own `onModuleInit`).
 */
@Module({
  imports: [IncidentsModule],
  providers: [
    {
      provide: LiveEventReaders,
      useFactory: () => new LiveEventReaders().allow(Object.values(INCIDENT_EVENTS), INCIDENT_READERS),
    },
    AccessChangeListener,
    LiveGateway,
  ],
  exports: [LiveEventReaders],
})
export class GatewayModule {}
