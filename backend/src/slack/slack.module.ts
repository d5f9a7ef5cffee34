import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { InboxModule } from '../inbox/inbox.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { UsersModule } from '../users/users.module';
import { SlackIncidentActions } from './slack-actions';
import { SlackCalls } from './slack-calls';
import { SlackCommandsController } from './slack-commands.controller';
import { SlackConnectionController } from './slack-connection.controller';
import { SlackEventsController } from './slack-events.controller';
import { SlackInboundHandler } from './slack-inbound-handler';
import { SlackInboundIntake } from './slack-inbound-intake';
import { SlackInboundReplies } from './slack-inbound-replies';
import { SlackInstallController } from './slack-install.controller';
import { SlackInstallationFlow } from './slack-installation-flow';
import { SlackInstallationOverview } from './slack-installation-overview';
import { SlackInstallations } from './slack-installations';
import { SlackInteractionsController } from './slack-interactions.controller';
import { SlackMessages } from './slack-messages';
import { SLACK_BOT_CLIENTS, SlackNotifier } from './slack-notifier';
import { SlackRequestGuard } from './slack-request.guard';
import { SlackRoutingController } from './slack-routing.controller';
import { SlackRoutingRules } from './slack-routing-rules.service';
import { SlackUsers } from './slack-users';
import { SlackWorkspaces } from './slack-workspaces';

/**
 * Slack notifications, buttons, slash commands and threads, every request signature-checked.
 * An integration: it acts on incidents through Incidents' exported services and events only.
 * Platform (docs/slack.md): workspaces (SLACK_BOT_TOKEN or OAuth installs), their WebClients,
 * token rotation and call recording, the install flow and the Integrations page's answer.
 * Notifications: routing rules, the incident cards and their threads (the `slack` delivery
 * consumer of the incident events).
 * Inbound: events, clicks, submissions and commands through the inbox (channel `slack`), carried
 * out through IncidentCommands as the Slack user's product user.
 */
@Module({
  imports: [AuditModule, DeliveriesModule, IncidentsModule, InboxModule, UsersModule],
  controllers: [
    SlackInstallController,
    SlackConnectionController,
    SlackRoutingController,
    SlackEventsController,
    SlackInteractionsController,
    SlackCommandsController,
  ],
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
    SlackRequestGuard,
    SlackUsers,
    SlackInboundReplies,
    SlackIncidentActions,
    SlackInboundIntake,
    SlackInboundHandler,
  ],
  exports: [SlackWorkspaces],
})
export class SlackModule {}
