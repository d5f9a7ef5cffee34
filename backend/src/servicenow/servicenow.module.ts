import { Module } from '@nestjs/common';

/**
 * Two-way sync with ServiceNow's Table API: outbound writes, inbound webhooks, reconciliation.
 * Empty until its issue lands; it will then import IncidentsModule (service and events).
 */
@Module({})
export class ServiceNowModule {}
