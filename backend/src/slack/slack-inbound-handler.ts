import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InboundHandlers, type InboundEffect, type InboundEvent } from '../inbox/inbox-handlers';
import { SlackIncidentActions } from './slack-actions';
import { parseIncidentCommand } from './slack-commands';
import {
  asAppMention,
  decodeStoredRequest,
  type BlockActionsPayload,
  type SlashCommand,
  type ViewSubmissionPayload,
} from './slack-inbound';
import type { ReplyTarget } from './slack-inbound-replies';
import {
  CREATE_CALLBACK,
  readCreateSubmission,
  readResolveSubmission,
  RESOLVE_CALLBACK,
} from './slack-modals';

/** The inbox channel of every stored Slack request (events, clicks, submissions, commands). */
export const SLACK_CHANNEL = 'slack';

/** The incident actions a card's buttons start from the inbox (slack.md: value = incident id). */
export const QUEUED_ACTIONS = new Set(['incident.acknowledge', 'incident.assign_to_me']);

/** A user mention (`<@U123>` or `<@U123|name>`), removed before looking for an incident number. */
const MENTION = /<@[A-Z0-9]+(?:\|[^>]*)?>/g;
const REFERENCE_IN_TEXT = /\b([A-Za-z]{2,10}[-_]?\d{3,})\b/;

/**
 * Processes stored Slack requests (the inbox handler of channel `slack`), once each: an event
 * retried by Slack is a duplicate of its first receipt and never reaches here twice. Runs in the
 * inbox's transaction, so the incident change commits exactly once with the event's processing.
 */
@Injectable()
export class SlackInboundHandler implements OnModuleInit {
  private readonly logger = new Logger(SlackInboundHandler.name);

  constructor(
    private readonly handlers: InboundHandlers,
    private readonly actions: SlackIncidentActions,
  ) {}

  onModuleInit(): void {
    this.handlers.register({ channel: SLACK_CHANNEL, handle: (e, m) => this.handle(e, m) });
  }

  async handle(event: InboundEvent, m: EntityManager): Promise<InboundEffect[]> {
    const stored = decodeStoredRequest(event.rawBody);
    if (!stored) throw new Error('The stored request is not a Slack event, interaction or command');
    switch (stored.kind) {
      case 'event': {
        const mention = asAppMention(stored.envelope.event);
        // a bot's mention (our own answers included) is never answered: no loops
        if (!mention || (mention as { bot_id?: string }).bot_id) return [ignored()];
        const text = mention.text.replace(MENTION, ' ');
        const reference = REFERENCE_IN_TEXT.exec(text)?.[1]?.toUpperCase() ?? null;
        const threadTs = (mention as { thread_ts?: string }).thread_ts ?? mention.ts;
        return [
          await this.actions.answerMention(stored.envelope.teamId, mention.channel, threadTs, reference),
        ];
      }
      case 'interaction':
        return stored.payload.type === 'block_actions'
          ? this.blockActions(stored.payload, m)
          : [await this.submission(stored.payload, m)];
      case 'command':
        return [await this.command(stored.command, m)];
    }
  }

  private async blockActions(payload: BlockActionsPayload, m: EntityManager): Promise<InboundEffect[]> {
    const who: ReplyTarget = {
      teamId: payload.teamId,
      userId: payload.user.id,
      channelId: payload.channelId,
      responseUrl: payload.responseUrl,
    };
    const effects: InboundEffect[] = [];
    for (const action of payload.actions) {
      if (!QUEUED_ACTIONS.has(action.actionId) || !action.value) continue;
      effects.push(
        action.actionId === 'incident.acknowledge'
          ? await this.actions.acknowledge(who, action.value, m)
          : await this.actions.assignToMe(who, action.value, m),
      );
    }
    return effects.length ? effects : [ignored()];
  }

  private async submission(payload: ViewSubmissionPayload, m: EntityManager): Promise<InboundEffect> {
    const { callbackId, values, privateMetadata } = payload.view;
    const read =
      callbackId === RESOLVE_CALLBACK
        ? readResolveSubmission(values, privateMetadata)
        : callbackId === CREATE_CALLBACK
          ? readCreateSubmission(values, privateMetadata)
          : null;
    // validated before it was stored; a form that no longer reads is not retried
    if (!read || 'errors' in read) {
      this.logger.warn(`Ignored a ${callbackId} submission that does not validate`);
      return ignored();
    }
    const who: ReplyTarget = {
      teamId: payload.teamId,
      userId: payload.user.id,
      channelId: read.ok.channel,
      responseUrl: read.ok.responseUrl ?? null,
    };
    return 'incidentId' in read.ok
      ? this.actions.resolve(who, read.ok, m)
      : this.actions.create(who, read.ok, m);
  }

  private command(command: SlashCommand, m: EntityManager): Promise<InboundEffect> {
    const who: ReplyTarget = {
      teamId: command.teamId,
      userId: command.userId,
      channelId: command.channelId,
      responseUrl: command.responseUrl,
    };
    const parsed = parseIncidentCommand(command.text);
    switch (parsed.verb) {
      case 'list':
        return this.actions.list(who, parsed.mine);
      case 'show':
        return this.actions.show(who, parsed.reference);
      case 'ack':
        return this.actions.acknowledge(who, parsed.reference, m, true);
      default:
        // help, create and resolve are answered in the request and never stored
        return Promise.resolve(ignored());
    }
  }
}

function ignored(): InboundEffect {
  return { outcome: 'ignored', incidentId: null, incidentNumber: null, dedupKey: null };
}
