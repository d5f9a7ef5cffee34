import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { SlackCalls } from './slack-calls';
import { SlackConnectionController } from './slack-connection.controller';
import { SlackInstallController } from './slack-install.controller';
import { SlackInstallationFlow } from './slack-installation-flow';
import { SlackInstallationOverview } from './slack-installation-overview';
import { SlackInstallations } from './slack-installations';
import { SlackWorkspaces } from './slack-workspaces';

/**
 * Slack notifications, buttons, slash commands and threads, every request signature-checked.
 * An integration: it acts on incidents through Incidents' exported services and events only.
 * Platform (docs/slack.md): workspaces (SLACK_BOT_TOKEN or OAuth installs), their WebClients,
 * token rotation and call recording, the install flow and the Integrations page's answer.
 */
@Module({
  imports: [AuditModule],
  controllers: [SlackInstallController, SlackConnectionController],
  providers: [
    SlackCalls,
    SlackInstallations,
    SlackWorkspaces,
    SlackInstallationFlow,
    SlackInstallationOverview,
  ],
  exports: [SlackWorkspaces],
})
export class SlackModule {}
