import { Injectable, Logger } from '@nestjs/common';
import type { ModalView } from '@slack/types';
import { WebAPIPlatformError } from '@slack/web-api';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Inbox } from '../inbox/inbox';
import { SlackIncidentActions } from './slack-actions';
import { helpReply, parseIncidentCommand, textReply, type SlackReply } from './slack-commands';
import {
  parseEventEnvelope,
  parseInteraction,
  parseSlashCommand,
  type BlockActionsPayload,
  type ViewSubmissionPayload,
} from './slack-inbound';
import { QUEUED_ACTIONS, SLACK_CHANNEL } from './slack-inbound-handler';
import { SlackInboundReplies } from './slack-inbound-replies';
import { SlackInteractionError, SlackInteractionErrorCode } from './slack-interaction.errors';
import {
  CREATE_CALLBACK,
  createModal,
  readCreateSubmission,
  readResolveSubmission,
  RESOLVE_CALLBACK,
  resolveModal,
  type ModalOrigin,
} from './slack-modals';
import { SlackWorkspaces } from './slack-workspaces';

/** Only these take a resolution; a modal for any other would only be refused on submission. */
const RESOLVABLE = new Set(['new', 'in_progress', 'on_hold']);

const notResolvable = (incident: { number: string; state: string }): string =>
  `${incident.number} is ${incident.state.replace('_', ' ')}: there is nothing to resolve.`;

/** Slack waits 3 s for our answer; a modal still opening after this is left to finish alone. */
const MODAL_BUDGET_MS = 2500;

/** views.open's answers that mean the click or command came too late or twice (protocols.md §2.5). */
const SPENT_TRIGGER = new Set(['expired_trigger_id', 'exchanged_trigger_id', 'invalid_trigger_id']);

/** An ephemeral answer in the HTTP response of a slash command (§2.4). */
export interface EphemeralAnswer extends SlackReply {
  readonly response_type: 'ephemeral';
}

/** A view_submission's answer that keeps the modal open with errors under the inputs (§2.5). */
export interface ViewErrorsAnswer {
  readonly response_action: 'errors';
  readonly errors: Record<string, string>;
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const ephemeral = (reply: SlackReply): EphemeralAnswer => ({ response_type: 'ephemeral', ...reply });

const invalid = (detail: string) =>
  new SlackInteractionError(SlackInteractionErrorCode.RequestInvalid, detail);

function digestOf(rawBody: Buffer): string {
  return `sha256:${createHash('sha256').update(rawBody).digest('hex')}`;
}

/**
 * The request path of the three Slack endpoints, after SlackRequestGuard checked the signature:
 * answers what must be answered now (the URL check, help, modals: a trigger_id lives 3 s and
 * works once, so views.open is called before anything slow), stores everything that changes or
 * reads incidents in the inbox before the 200 (SlackInboundHandler carries it out), and never
 * keeps Slack waiting past its 3 s.
 */
@Injectable()
export class SlackInboundIntake {
  private readonly logger = new Logger(SlackInboundIntake.name);

  constructor(
    private readonly inbox: Inbox,
    private readonly workspaces: SlackWorkspaces,
    private readonly actions: SlackIncidentActions,
    private readonly replies: SlackInboundReplies,
  ) {}

  /** Events API: the challenge echoed, or the event stored (a retry is recognised by event_id). */
  async event(
    body: unknown,
    rawBody: Buffer,
    headers: IncomingHttpHeaders,
  ): Promise<{ challenge: string } | { ok: true; duplicate: boolean }> {
    const envelope = parseEventEnvelope(body);
    if (!envelope)
      throw invalid('Not an Events API envelope (url_verification or event_callback with event_id)');
    if (envelope.type === 'url_verification') return { challenge: envelope.challenge };
    const retry = header(headers, 'x-slack-retry-num');
    const event = envelope.event as { type: string; channel?: string };
    const receipt = await this.inbox.receive({
      channel: SLACK_CHANNEL,
      scope: `slack:${envelope.teamId ?? '-'}`,
      sourceId: null,
      sourceLabel: 'Slack',
      idempotencyKey: `event:${envelope.eventId}`,
      orderKey: `slack:event:${event.channel ?? envelope.teamId ?? '-'}`,
      dedupKey: null,
      action: event.type.slice(0, 100),
      summary: `${event.type} ${envelope.eventId}${retry ? ` (retry ${retry})` : ''}`.slice(0, 500),
      contentType: 'application/json',
      rawBody,
    });
    return { ok: true, duplicate: receipt.duplicate };
  }

  /** Interactivity: buttons and modal submissions. Undefined: an empty 200. */
  async interaction(body: unknown, rawBody: Buffer): Promise<ViewErrorsAnswer | undefined> {
    const payload = parseInteraction(body);
    if (!payload) throw invalid('Not an interaction: the form needs a JSON `payload` with a type and a user');
    if (payload.type === 'block_actions') {
      await this.blockActions(payload, rawBody);
      return undefined;
    }
    if (payload.type === 'view_submission') return this.submission(payload, rawBody);
    return undefined; // view_closed, shortcuts: nothing of ours
  }

  /** `/incident …`: help and modals now, the rest from the inbox through response_url. */
  async command(body: unknown, rawBody: Buffer): Promise<EphemeralAnswer | undefined> {
    const command = parseSlashCommand(body);
    if (!command) throw invalid('Not a slash command: `command` and `user_id` are required');
    const parsed = parseIncidentCommand(command.text);
    const origin: ModalOrigin = {
      channel: command.channelId,
      messageTs: null,
      responseUrl: command.responseUrl,
    };
    switch (parsed.verb) {
      case 'help':
        return ephemeral(helpReply(command.command, parsed.problem));
      case 'create': {
        const problem = await this.openModal(
          command.teamId,
          command.triggerId,
          createModal(parsed.title, origin),
        );
        return problem ? ephemeral(textReply(problem)) : undefined;
      }
      case 'resolve': {
        const incident = await this.actions.find(parsed.reference);
        if (!incident) return ephemeral(textReply(`No incident ${parsed.reference}.`));
        if (!RESOLVABLE.has(incident.state)) return ephemeral(textReply(notResolvable(incident)));
        const problem = await this.openModal(
          command.teamId,
          command.triggerId,
          resolveModal(incident, origin),
        );
        return problem ? ephemeral(textReply(problem)) : undefined;
      }
      default:
        await this.inbox.receive({
          channel: SLACK_CHANNEL,
          scope: `slack:${command.teamId ?? '-'}`,
          sourceId: null,
          sourceLabel: 'Slack',
          idempotencyKey: digestOf(rawBody),
          orderKey: `slack:user:${command.userId}`,
          dedupKey: null,
          action: `command:${parsed.verb}`,
          summary: `${command.command} ${command.text}`.slice(0, 500),
          contentType: 'application/x-www-form-urlencoded',
          rawBody,
        });
        return undefined;
    }
  }

  private async blockActions(payload: BlockActionsPayload, rawBody: Buffer): Promise<void> {
    const resolve = payload.actions.find((a) => a.actionId === 'incident.resolve');
    if (resolve?.value) {
      // The modal first, while the trigger is fresh; its submission does the work.
      const incident = await this.actions.find(resolve.value);
      const origin: ModalOrigin = { channel: payload.channelId, messageTs: payload.messageTs };
      const problem = !incident
        ? 'That incident no longer exists.'
        : !RESOLVABLE.has(incident.state)
          ? notResolvable(incident)
          : await this.openModal(payload.teamId, payload.triggerId, resolveModal(incident, origin));
      if (problem) {
        void this.replies.ephemeral(
          {
            teamId: payload.teamId,
            userId: payload.user.id,
            channelId: payload.channelId,
            responseUrl: payload.responseUrl,
          },
          textReply(problem),
        );
      }
    }
    const queued = payload.actions.filter((a) => QUEUED_ACTIONS.has(a.actionId) && a.value);
    if (queued.length === 0) return; // incident.open (a link) and anything else: acknowledged only
    const incidentRef = queued[0]!.value!;
    await this.inbox.receive({
      channel: SLACK_CHANNEL,
      scope: `slack:${payload.teamId ?? '-'}`,
      sourceId: null,
      sourceLabel: 'Slack',
      idempotencyKey: digestOf(rawBody),
      orderKey: `slack:incident:${incidentRef}`,
      dedupKey: null,
      action: queued
        .map((a) => a.actionId)
        .join(',')
        .slice(0, 100),
      summary: `${queued[0]!.actionId} on ${incidentRef} by ${payload.user.id}`.slice(0, 500),
      contentType: 'application/x-www-form-urlencoded',
      rawBody,
    });
  }

  private async submission(
    payload: ViewSubmissionPayload,
    rawBody: Buffer,
  ): Promise<ViewErrorsAnswer | undefined> {
    const { callbackId, values, privateMetadata } = payload.view;
    let orderKey: string;
    if (callbackId === RESOLVE_CALLBACK) {
      const read = readResolveSubmission(values, privateMetadata);
      if ('errors' in read) return { response_action: 'errors', errors: read.errors };
      orderKey = `slack:incident:${read.ok.incidentId}`;
    } else if (callbackId === CREATE_CALLBACK) {
      const read = readCreateSubmission(values, privateMetadata);
      if ('errors' in read) return { response_action: 'errors', errors: read.errors };
      orderKey = `slack:user:${payload.user.id}`;
    } else {
      return undefined; // not one of our modals: closes
    }
    await this.inbox.receive({
      channel: SLACK_CHANNEL,
      scope: `slack:${payload.teamId ?? '-'}`,
      sourceId: null,
      sourceLabel: 'Slack',
      idempotencyKey: digestOf(rawBody),
      orderKey,
      dedupKey: null,
      action: `view_submission:${callbackId}`.slice(0, 100),
      summary: `${callbackId} submitted by ${payload.user.id}`.slice(0, 500),
      contentType: 'application/x-www-form-urlencoded',
      rawBody,
    });
    return undefined; // an empty 200 closes the modal
  }

  /**
   * views.open within the 3 s Slack gives us; null when it opened (or is still opening past the
   * budget), else the sentence to show the person (a trigger spent or expired, Slack unreachable).
   */
  private async openModal(
    teamId: string | null,
    triggerId: string | null,
    view: ModalView,
  ): Promise<string | null> {
    if (!triggerId) return 'Slack sent no trigger to open a form with: try again.';
    const opening = (async () => {
      const client = await this.workspaces.client(teamId);
      await client.views.open({ trigger_id: triggerId, view });
      return null;
    })().catch((e: unknown) => {
      if (e instanceof WebAPIPlatformError && SPENT_TRIGGER.has(e.data.error)) {
        return 'That took too long and Slack closed the window for the form: try again.';
      }
      this.logger.warn(`views.open failed: ${String(e)}`);
      return 'Slack did not open the form: try again in a moment.';
    });
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), MODAL_BUDGET_MS);
    });
    try {
      return await Promise.race([opening, budget]);
    } finally {
      clearTimeout(timer);
    }
  }
}
