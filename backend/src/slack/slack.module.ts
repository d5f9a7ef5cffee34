import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { SlackCalls } from './slack-calls';
import { SlackInstallations } from './slack-installations';
import { SlackWorkspaces } from './slack-workspaces';

/**
 * Slack notifications, buttons, slash commands and threads, every request signature-checked.
 * An integration: it acts on incidents through Incidents' exported services and events only.
 * Platform (docs/slack.md): workspaces (SLACK_BOT_TOKEN or OAuth installs), their WebClients,
 * token rotation and call recording.
 */
@Module({
  imports: [AuditModule],
  providers: [SlackCalls, SlackInstallations, SlackWorkspaces],
  exports: [SlackWorkspaces],
})
export class SlackModule {}
