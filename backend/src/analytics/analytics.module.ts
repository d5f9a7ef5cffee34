import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents/incidents.module';

/** MTTA and MTTR figures read from materialized views that migrations create. */
@Module({ imports: [IncidentsModule] })
export class AnalyticsModule {}
