import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PreparedStatements } from '../common/database/prepared-statements';
import { UnitOfWork } from '../common/database/unit-of-work';
import { UsersModule } from '../users/users.module';
import { IncidentTimelineEntry } from './incident-timeline-entry.entity';
import { Incident } from './incident.entity';
import { IncidentMetadataController } from './incident-metadata.controller';
import { IncidentsController } from './incidents.controller';
import { IncidentsService } from './incidents.service';

/**
 * Incidents, their lifecycle and timeline. Publishes domain events through the outbox
 * (DeliveriesModule, global); knows none of the modules that consume them.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Incident, IncidentTimelineEntry]), UsersModule],
  controllers: [IncidentsController, IncidentMetadataController],
  providers: [IncidentsService, UnitOfWork, PreparedStatements],
  exports: [IncidentsService],
})
export class IncidentsModule {}
