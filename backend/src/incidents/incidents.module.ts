import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PreparedStatements } from '../common/database/prepared-statements';
import { UnitOfWork } from '../common/database/unit-of-work';
import { UsersModule } from '../users/users.module';
import { IncidentTimelineEntry } from './incident-timeline-entry.entity';
import { Incident } from './incident.entity';
import { IncidentMetadataController } from './incident-metadata.controller';
import { IncidentsController } from './incidents.controller';
import { IncidentCommands } from './incident-commands';
import { IncidentQueries } from './incident-queries';

/**
 * Incidents, their lifecycle and timeline. Publishes its domain events (incident.events.ts)
 * through the outbox (DeliveriesModule, global); knows none of the modules that consume them.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Incident, IncidentTimelineEntry]), UsersModule],
  controllers: [IncidentsController, IncidentMetadataController],
  providers: [IncidentCommands, IncidentQueries, UnitOfWork, PreparedStatements],
  exports: [IncidentCommands, IncidentQueries],
})
export class IncidentsModule {}
