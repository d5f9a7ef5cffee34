import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { UsersModule } from '../users/users.module';
import { IncidentTimelineEntry } from './incident-timeline-entry.entity';
import { Incident } from './incident.entity';
import { IncidentMetadataController } from './incident-metadata.controller';
import { IncidentsController } from './incidents.controller';
import { IncidentCommands } from './incident-commands';
import { IncidentQueries } from './incident-queries';

/**
 * Incidents, their lifecycle and timeline. Publishes its domain events (incident.events.ts)
 * through the outbox (DeliveriesModule); knows none of the modules that consume them. Users
 * gives it assignees and reporters.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Incident, IncidentTimelineEntry]), DeliveriesModule, UsersModule],
  controllers: [IncidentsController, IncidentMetadataController],
  providers: [IncidentCommands, IncidentQueries],
  exports: [IncidentCommands, IncidentQueries],
})
export class IncidentsModule {}
