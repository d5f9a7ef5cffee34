import { Module } from '@nestjs/common';

/**
 * MTTA and MTTR figures read from materialized views that migrations create.
 * Empty until its issue lands; it will then import IncidentsModule (service and events).
 */
@Module({})
export class AnalyticsModule {}
