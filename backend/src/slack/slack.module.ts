import { Module } from '@nestjs/common';
import { InboxModule } from '../inbox/inbox.module';
import { IncidentsModule } from '../incidents/incidents.module';
import { UsersModule } from '../users/users.module';
import { SlackIncidentActions } from './slack-actions';
import { SlackCommandsController } from './slack-commands.controller';
import { SlackEventsController } from './slack-events.controller';
import { SlackInboundHandler } from './slack-inbound-handler';
import { SlackInboundIntake } from './slack-inbound-intake';
import { SlackInboundReplies } from './slack-inbound-replies';
import { SlackInteractionsController } from './slack-interactions.controller';
import { SlackRequestGuard } from './slack-request.guard';
import { SlackUsers } from './slack-users';

/**
 * Slack notifications, buttons, slash commands and threads, every request signature-checked.
 * An integration: it acts on incidents through IncidentCommands only (inbound: events, clicks,
 * submissions and commands through the inbox, channel `slack`).
 */
@Module({
  imports: [IncidentsModule, InboxModule, UsersModule],
  controllers: [SlackEventsController, SlackInteractionsController, SlackCommandsController],
  providers: [
    SlackRequestGuard,
    SlackUsers,
    SlackInboundReplies,
    SlackIncidentActions,
    SlackInboundIntake,
    SlackInboundHandler,
  ],
})
export class SlackModule {}
