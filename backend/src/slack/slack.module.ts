import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
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
import { SlackRequestGuard } from './slack-request.guard';
import { SlackUsers } from './slack-users';
import { SlackWorkspaces } from './slack-workspaces';

/**
 * Slack notifications, buttons, slash commands and threads, every request signature-checked.
 * An integration: it acts on incidents through Incidents' exported services and events only.
 * Platform (docs/slack.md): workspaces (SLACK_BOT_TOKEN or OAuth installs), their WebClients,
 * token rotation and call recording, the install flow and the Integrations page's answer.
 * Inbound: events, clicks, submissions and commands through the inbox (channel `slack`), carried
 * out through IncidentCommands as the Slack user's product user.
 */
@Module({
  imports: [AuditModule, IncidentsModule, InboxModule, UsersModule],
  controllers: [
    SlackInstallController,
    SlackConnectionController,
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
