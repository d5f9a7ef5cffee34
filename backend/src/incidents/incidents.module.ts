import { Module } from '@nestjs/common';

/**
 * Incidents, their lifecycle, timeline and domain events. The hub the other feature modules
 * depend on; it imports none of them.
 */
@Module({})
export class IncidentsModule {}
