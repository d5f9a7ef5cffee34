import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { SlackReply } from './slack-commands';
import { SlackWorkspaces } from './slack-workspaces';

/** Where a reply to one person goes: their response_url if the request had one, else their channel. */
export interface ReplyTarget {
  readonly teamId: string | null;
  readonly userId: string;
  readonly channelId: string | null;
  readonly responseUrl: string | null;
}

/**
 * The inbound side's answers to people: ephemeral replies (response_url, which takes 5 posts in
 * 30 min, so one per request; else chat.postEphemeral; else a direct message) and threaded
 * answers to mentions (chat.postMessage). Best effort: the incident change they report is already
 * made, and retrying it to resend a reply would repeat it, so a failure is logged, not thrown.
 */
@Injectable()
export class SlackInboundReplies {
  private readonly logger = new Logger(SlackInboundReplies.name);

  constructor(
    private readonly workspaces: SlackWorkspaces,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Shown to this person only. */
  async ephemeral(target: ReplyTarget, reply: SlackReply): Promise<void> {
    try {
      if (target.responseUrl) {
        await this.toResponseUrl(target.responseUrl, reply);
        return;
      }
      const client = await this.workspaces.client(target.teamId);
      if (target.channelId) {
        await client.chat.postEphemeral({
          channel: target.channelId,
          user: target.userId,
          text: reply.text,
          blocks: reply.blocks,
        });
      } else {
        // no channel (a modal opened elsewhere): the app's direct message with the person
        await client.chat.postMessage({ channel: target.userId, text: reply.text, blocks: reply.blocks });
      }
    } catch (e) {
      this.logger.warn(`Could not reply to Slack user ${target.userId}: ${String(e)}`);
    }
  }

  /** In the channel, in the thread of `threadTs`. */
  async inThread(teamId: string | null, channel: string, threadTs: string, reply: SlackReply): Promise<void> {
    try {
      const client = await this.workspaces.client(teamId);
      await client.chat.postMessage({ channel, thread_ts: threadTs, text: reply.text, blocks: reply.blocks });
    } catch (e) {
      this.logger.warn(`Could not answer in Slack channel ${channel}: ${String(e)}`);
    }
  }

  /** A JSON post to a response_url (protocols.md §2.2): ephemeral, never replacing the original. */
  async toResponseUrl(url: string, reply: SlackReply): Promise<void> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        response_type: 'ephemeral',
        replace_original: false,
        text: reply.text,
        blocks: reply.blocks,
      }),
      signal: AbortSignal.timeout(this.config.slack.timeoutMs),
    });
    if (!res.ok) throw new Error(`response_url answered ${res.status}`);
  }
}
