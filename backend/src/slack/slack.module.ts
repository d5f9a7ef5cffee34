import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { SlackCalls } from './slack-calls';
import { SlackConnectionController } from './slack-connection.controller';
import { SlackInstallController } from './slack-install.controller';
import { SlackInstallationFlow } from './slack-installation-flow';
import { SlackInstallationOverview } from './slack-installation-overview';
import { SlackInstallations } from './slack-installations';
import { SlackMessages } from './slack-messages';
import { SLACK_BOT_CLIENTS, SlackNotifier } from './slack-notifier';
import { SlackRoutingController } from './slack-routing.controller';
import { SlackRoutingRules } from './slack-routing-rules.service';
import { SlackWorkspaces } from './slack-workspaces';

/**
 * Slack notifications, buttons, slash commands and threads, every request signature-checked.
 * An integration: it acts on incidents through Incidents' exported services and events only.
 * Platform (docs/slack.md): workspaces (SLACK_BOT_TOKEN or OAuth installs), their WebClients,
 * token rotation and call recording, the install flow and the Integrations page's answer.
 * Notifications: routing rules, the incident cards and their threads (the `slack` delivery
 * consumer of the incident events).
 */
@Module({
  imports: [AuditModule, DeliveriesModule, IncidentsModule],
  controllers: [SlackInstallController, SlackConnectionController, SlackRoutingController],
  providers: [
    SlackCalls,
    SlackInstallations,
    SlackWorkspaces,
    SlackInstallationFlow,
    SlackInstallationOverview,
    SlackRoutingRules,
    SlackMessages,
    SlackNotifier,
    { provide: SLACK_BOT_CLIENTS, useExisting: SlackWorkspaces },
  ],
  exports: [SlackWorkspaces],
})
export class SlackModule {}
