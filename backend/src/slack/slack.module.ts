import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { SlackMessages } from './slack-messages';
import { SLACK_BOT_CLIENTS, SlackNotifier, type SlackBotClients } from './slack-notifier';
import { SlackRoutingController } from './slack-routing.controller';
import { SlackRoutingRules } from './slack-routing-rules.service';

/** Until the workspaces (OAuth install, SLACK_BOT_TOKEN) land: no workspace is connected. */
const notConnected: SlackBotClients = {
  client: () => Promise.reject(Object.assign(new Error('Slack is not connected'), { code: 'SLACK_NOT_CONNECTED' })),
  defaultTeamId: () => Promise.resolve(null),
};

/**
 * Slack notifications, buttons, slash commands and threads, every request signature-checked.
 * An integration: it acts on incidents through IncidentCommands and IncidentQueries only, and
 * hears of changes as the `slack` delivery consumer of the incident events.
 */
@Module({
  imports: [AuditModule, DeliveriesModule, IncidentsModule],
  controllers: [SlackRoutingController],
  providers: [
    SlackRoutingRules,
    SlackMessages,
    SlackNotifier,
    { provide: SLACK_BOT_CLIENTS, useValue: notConnected },
  ],
})
export class SlackModule {}
