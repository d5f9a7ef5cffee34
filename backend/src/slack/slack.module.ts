import { Module } from '@nestjs/common';

/**
 * Slack notifications, buttons, slash commands and threads, every request signature-checked.
 * Empty until its issue lands; it will then import IncidentsModule (service and events).
 */
@Module({})
export class SlackModule {}
