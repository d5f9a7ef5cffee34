import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsFreshness } from './analytics-freshness';
import { AnalyticsRefresher } from './analytics-refresher';
import { AnalyticsService } from './analytics.service';
import { SlaWarnings } from './sla-warnings';

/**
 * MTTA, MTTR, SLA, backlog and source figures read from materialized views that migrations create
 * (docs/metrics.md). Learns of incident changes from their events (a delivery consumer that asks
 * for a refresh) and raises SLA warnings as incident events through the outbox; reads Incidents
 * only through IncidentQueries.
 */
@Module({
  imports: [DeliveriesModule, IncidentsModule],
  controllers: [AnalyticsController],
  providers: [AnalyticsService, AnalyticsRefresher, AnalyticsFreshness, SlaWarnings],
  exports: [AnalyticsRefresher],
})
export class AnalyticsModule {}
