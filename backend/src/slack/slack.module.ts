import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module';

/** Slack notifications, buttons, slash commands and threads, every request signature-checked. */
@Module({ imports: [IncidentsModule] })
export class SlackModule {}
