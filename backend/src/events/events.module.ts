import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { InboxModule } from '../inbox/inbox.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { AlertGrouping } from './alert-grouping';
import { EventIntake } from './event-intake';
import { EventSource } from './event-source.entity';
import { EventSourcesController } from './event-sources.controller';
import { EventSourcesService } from './event-sources.service';
import { EventsController } from './events.controller';
import { SourceDirectory } from './source-directory';

/**
 * Webhook producers (monitoring, CI, scripts): event sources, the PagerDuty Events v2 and
 * Alertmanager endpoints, and alert grouping into incidents. Requests go through the inbox
 * (InboxModule); grouping acts on incidents through IncidentCommands only.
 */
@Module({
  imports: [TypeOrmModule.forFeature([EventSource]), AuditModule, AuthModule, InboxModule, IncidentsModule],
  controllers: [EventsController, EventSourcesController],
  providers: [EventIntake, EventSourcesService, SourceDirectory, AlertGrouping],
})
export class EventsModule {}
