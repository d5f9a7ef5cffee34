import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module';

/** Two-way sync with ServiceNow's Table API: outbound writes, inbound webhooks, reconciliation. */
@Module({ imports: [IncidentsModule] })
export class ServiceNowModule {}
