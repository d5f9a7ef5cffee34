import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { WebClient } from '@slack/web-api';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { consumerOf, DeliveryConsumers, type DeliveryContext } from '../deliveries/delivery-consumers';
import type { DeliveredEvent } from '../deliveries/domain-event';
import { PermanentDeliveryError } from '../deliveries/permanent-delivery-error';
import { WorkerTasks } from '../deliveries/worker-tasks';
import type { IncidentView } from '../incidents/dto/incident.view';
import { IncidentQueries } from '../incidents/incident-queries';
import { INCIDENT_EVENTS, type IncidentStateChangedV1 } from '../incidents/incident.events';
import { IncidentError, IncidentErrorCode } from '../incidents/incident.errors';
import { CARD_REFRESH_TASK, type CardRefreshPayload, SCHEDULE_CARD_REFRESH_SQL } from './slack-card-refresh';
import {
  commentReply,
  incidentCard,
  isFinalState,
  stateChangeReply,
  workNoteReply,
  type ThreadReply,
} from './slack-incident-card';
import { SlackMessages, type SlackCardRow } from './slack-messages';
import { classifySlackFailure, type SlackFailure } from './slack-notify.errors';
import { routeIncident, type RouteTarget } from './slack-routing';
import { SlackRoutingRules } from './slack-routing-rules.service';

/** The delivery consumer's name (ledger rows, idempotency keys `slack:<eventId>`). */
export const SLACK_CONSUMER = 'slack';

/** Where the bot's WebClient comes from: SlackWorkspaces (slack-workspaces.ts) in the app. */
export interface SlackBotClients {
  /** Throws an error with code SLACK_NOT_CONNECTED when no workspace is installed. */
  client(teamId?: string | null): Promise<WebClient>;
  defaultTeamId(): Promise<string | null>;
}
export const SLACK_BOT_CLIENTS = Symbol('SLACK_BOT_CLIENTS');

/** A Web API call that failed, or a channel Slack's Retry-After still holds. */
export class SlackSendError extends Error {
  constructor(
    readonly failure:
      SlackFailure | { readonly kind: 'held'; readonly until: Date; readonly message: string },
    readonly channelId: string,
  ) {
    super(`${failure.message} (channel ${channelId})`);
    this.name = 'SlackSendError';
  }

  /** When to try again, for a 429 or a held channel. */
  get retryAt(): Date | null {
    if (this.failure.kind === 'held') return this.failure.until;
    if (this.failure.kind === 'rate_limited')
      return new Date(Date.now() + this.failure.retryAfterSeconds * 1000);
    return null;
  }
}

function isNotConnected(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'SLACK_NOT_CONNECTED';
}

function isIncidentGone(e: unknown): boolean {
  return e instanceof IncidentError && e.code === IncidentErrorCode.NotFound;
}

/**
 * Slack notifications (docs/slack.md, "Notifications"), the `slack` delivery consumer of the
 * incident events:
 * - `incident.created` posts one card per routed channel (slack-routing.ts), its ts stored in
 *   slack_messages (one row per incident and channel, its work serialised by an advisory lock);
 * - every change schedules the card's coalesced refresh (slack-card-refresh.ts): one chat.update
 *   per burst, rendered from the incident as it then is; a channel newly routed (say the incident
 *   became P1) gets its card then;
 * - comments, work notes (internal channels only) and state changes go to the card's thread, as
 *   each channel's rule says, once per event (slack_thread_replies).
 * Sends to a channel are paced (SLACK_CHANNEL_INTERVAL_MS, shared by all instances); a 429 holds
 * the channel for its Retry-After. Posts and replies fail the delivery (the outbox retries it;
 * Slack refusing for good makes it dead in the ledger); refreshes are retried by their own job.
 */
@Injectable()
export class SlackNotifier implements OnModuleInit {
  private readonly logger = new Logger(SlackNotifier.name);

  constructor(
    private readonly consumers: DeliveryConsumers,
    private readonly tasks: WorkerTasks,
    private readonly messages: SlackMessages,
    private readonly routing: SlackRoutingRules,
    private readonly queries: IncidentQueries,
    @Inject(SLACK_BOT_CLIENTS) private readonly clients: SlackBotClients,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.consumers.register(
      consumerOf(INCIDENT_EVENTS, {
        name: SLACK_CONSUMER,
        events: {
          'incident.created': [1],
          'incident.updated': [1],
          'incident.state_changed': [1],
          'incident.assigned': [1],
          'incident.alert_grouped': [1],
          'incident.commented': [1],
          'incident.work_noted': [1],
        },
        // 429s and a busy channel cost attempts too; 12 spans over an hour of back-off.
        maxAttempts: 12,
        handle: async (event, context) => {
          switch (event.type) {
            case 'incident.created':
              return this.onEvent(event, (target) => this.ensureCard(event.aggregateId, target, context));
            case 'incident.state_changed':
              return this.onEvent(event, async (target) => {
                await this.scheduleRefresh(event.aggregateId, target.channelId);
                if (target.thread.stateChanges) {
                  await this.reply(event, target, this.stateReply(event.payload, event.actor.label), context);
                }
              });
            case 'incident.commented':
              return this.onEvent(event, async (target) => {
                if (target.thread.comments) {
                  await this.reply(
                    event,
                    target,
                    commentReply(event.payload.body, event.actor.label),
                    context,
                  );
                }
              });
            case 'incident.work_noted':
              return this.onEvent(event, async (target) => {
                // Work notes are for the people working the incident: internal channels only.
                if (target.thread.workNotes && target.internal) {
                  await this.reply(
                    event,
                    target,
                    workNoteReply(event.payload.body, event.actor.label),
                    context,
                  );
                }
              });
            default:
              return this.onEvent(event, (target) =>
                this.scheduleRefresh(event.aggregateId, target.channelId),
              );
          }
        },
      }),
    );
    this.tasks.register(CARD_REFRESH_TASK, (payload) => this.refresh(payload as CardRefreshPayload));
  }

  /**
   * Runs `work` for every channel of the incident, each on its own: one channel failing neither
   * stops the others nor repeats them on the retry (their work is recorded). Then a failure that
   * may pass fails the delivery (retried); Slack's lasting refusal makes it dead.
   */
  private async onEvent(event: DeliveredEvent, work: (target: RouteTarget) => Promise<void>): Promise<void> {
    let view: IncidentView;
    try {
      view = await this.queries.get(event.aggregateId);
    } catch (e) {
      if (isIncidentGone(e)) return;
      throw e;
    }
    const targets = await this.targetsOf(view);
    const failures: unknown[] = [];
    for (const target of targets) {
      try {
        await work(target);
      } catch (e) {
        if (isNotConnected(e)) {
          this.logger.debug(`Slack is not connected; ${event.type} of ${view.number} not sent`);
          return;
        }
        failures.push(e);
      }
    }
    if (!failures.length) return;
    const transient = failures.filter(
      (f) => !(f instanceof SlackSendError && f.failure.kind === 'permanent'),
    );
    const message = failures.map((f) => (f instanceof Error ? f.message : String(f))).join('; ');
    if (transient.length) throw new Error(message, { cause: transient[0] });
    throw new PermanentDeliveryError(message, { cause: failures[0] });
  }

  /**
   * The incident's channels: those its routing rules name now (in rule order, with their thread
   * settings), then any other channel that already has its card (kept up to date, with the
   * settings it was posted with).
   */
  async targetsOf(view: IncidentView): Promise<RouteTarget[]> {
    const routed = routeIncident(await this.routing.rules(), view, this.routing.defaultChannel);
    const byChannel = new Map(routed.map((t) => [t.channelId, t]));
    for (const card of await this.messages.cardsOf(view.id)) {
      if (!byChannel.has(card.channelId)) byChannel.set(card.channelId, targetOfCard(card));
    }
    return [...byChannel.values()];
  }

  /** The card of the incident in the target's channel, posted now unless it already is. */
  private ensureCard(incidentId: string, target: RouteTarget, context?: DeliveryContext): Promise<void> {
    return this.withCard(incidentId, target.channelId, async (_m, row) => {
      if (!row?.ts) await this.postCard(incidentId, target, row, context?.signal);
    });
  }

  /**
   * Runs `work` holding the card's lock (one transaction of `m`), with its row as it then is.
   * Every post, update and reply of one card goes through here, on any instance.
   */
  private withCard<T>(
    incidentId: string,
    channelId: string,
    work: (m: EntityManager, row: SlackCardRow | null) => Promise<T>,
  ): Promise<T> {
    return this.messages.dataSource.transaction(async (m) => {
      await this.messages.lockCard(m, incidentId, channelId);
      return work(m, await this.messages.card(m, incidentId, channelId));
    });
  }

  /**
   * chat.postMessage of the card, rendered from the incident as it is now. Call holding the
   * card's lock. The row is marked `posting` (committed) before the call and given the ts after:
   * should the process die in between, the next attempt posts again (the card may then be in the
   * channel twice; the first copy is never updated) rather than leave the channel without one, and
   * warns. Slack's own answer (ok:false, 429) proves nothing was posted and clears the mark.
   */
  private async postCard(
    incidentId: string,
    target: RouteTarget,
    row: SlackCardRow | null,
    signal?: AbortSignal,
  ): Promise<string> {
    const channel = target.channelId;
    if (row?.postingAt) {
      this.logger.warn(
        `A post of incident ${incidentId}'s card to ${channel} started at ${row.postingAt.toISOString()} never recorded its answer; posting again`,
      );
    }
    const teamId = row?.teamId ?? (await this.clients.defaultTeamId());
    const client = await this.clients.client(teamId);
    const view = await this.queries.get(incidentId);
    await this.paced(channel, signal);
    await this.messages.markPosting(target, incidentId, teamId);
    const card = incidentCard(view, { publicUrl: this.config.publicUrl, now: new Date() });
    try {
      const answer = await client.chat.postMessage({
        channel,
        text: card.text,
        blocks: card.blocks,
        metadata: card.metadata,
        unfurl_links: false,
        unfurl_media: false,
      });
      if (!answer.ts) throw new Error('chat.postMessage answered without a ts');
      await this.messages.posted(incidentId, channel, answer.ts, view.version, isFinalState(view.state));
      return answer.ts;
    } catch (e) {
      const error = await this.failed(e, channel);
      if (error.failure.kind !== 'unknown')
        await this.messages.postRefused(incidentId, channel, error.message);
      else await this.messages.failed(incidentId, channel, error.message);
      throw error;
    }
  }

  /** A thread reply under the card (posted first if it is not yet), once per event and channel. */
  private async reply(
    event: DeliveredEvent,
    target: RouteTarget,
    message: ThreadReply,
    context: DeliveryContext,
  ): Promise<void> {
    const incidentId = event.aggregateId;
    const channel = target.channelId;
    await this.withCard(incidentId, channel, async (m, row) => {
      const threadTs = row?.ts ?? (await this.postCard(incidentId, target, row, context.signal));
      const earlier = await this.messages.reply(m, incidentId, channel, event.id);
      if (earlier?.ts) return;
      if (earlier) {
        this.logger.warn(`A reply to ${event.id} in ${channel} may have been posted already; posting again`);
      }
      const client = await this.clients.client(row?.teamId ?? (await this.clients.defaultTeamId()));
      await this.paced(channel, context.signal);
      await this.messages.markReplying(incidentId, channel, event.id);
      try {
        const answer = await client.chat.postMessage({
          channel,
          thread_ts: threadTs,
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
        });
        await this.messages.replied(incidentId, channel, event.id, answer.ts ?? '');
      } catch (e) {
        const error = await this.failed(e, channel);
        if (error.failure.kind !== 'unknown') await this.messages.replyRefused(incidentId, channel, event.id);
        throw error;
      }
    });
  }

  private stateReply(payload: IncidentStateChangedV1, author: string | null): ThreadReply {
    const { state, closeCode, closeNotes } = payload.changes;
    const resolving = state.to === 'resolved' || state.to === 'closed';
    return stateChangeReply(
      state.from,
      state.to,
      author,
      resolving
        ? {
            code: closeCode?.to ?? payload.incident.closeCode,
            notes: closeNotes?.to ?? payload.incident.closeNotes,
          }
        : undefined,
    );
  }

  /** Queues (or joins) the card's coalesced refresh. */
  async scheduleRefresh(incidentId: string, channelId: string): Promise<void> {
    await this.messages.dataSource.query(SCHEDULE_CARD_REFRESH_SQL, [
      incidentId,
      channelId,
      this.config.slack.updateCoalesceMs,
      'preserve_run_at',
    ]);
  }

  /**
   * The refresh task: chat.update of the card from the incident as it is now, unless the card
   * already shows this version (or posts it, should it not be there yet). A 429 or a held channel
   * moves the job to when Slack allows (no attempt spent); Slack's lasting refusal is recorded on
   * the card and not retried; anything else throws and graphile-worker retries with back-off.
   */
  async refresh({ incidentId, channelId }: CardRefreshPayload): Promise<void> {
    try {
      await this.withCard(incidentId, channelId, async (m, row) => {
        let view: IncidentView;
        try {
          view = await this.queries.get(incidentId);
        } catch (e) {
          if (isIncidentGone(e)) return;
          throw e;
        }
        if (!row?.ts) {
          const target = row
            ? targetOfCard(row)
            : (await this.targetsOf(view)).find((t) => t.channelId === channelId);
          if (target) await this.postCard(incidentId, target, row);
          return;
        }
        if (row.renderedVersion !== null && row.renderedVersion >= view.version) return;
        const client = await this.clients.client(row.teamId);
        await this.paced(channelId);
        const card = incidentCard(view, { publicUrl: this.config.publicUrl, now: new Date() });
        try {
          await client.chat.update({ channel: channelId, ts: row.ts, text: card.text, blocks: card.blocks });
        } catch (e) {
          throw await this.failed(e, channelId);
        }
        await this.messages.updated(m, incidentId, channelId, view.version, isFinalState(view.state));
      });
    } catch (e) {
      if (isNotConnected(e)) return;
      if (!(e instanceof SlackSendError)) throw e;
      const retryAt = e.retryAt;
      if (retryAt) {
        const delay = Math.max(0, retryAt.getTime() - Date.now());
        await this.messages.dataSource.query(SCHEDULE_CARD_REFRESH_SQL, [
          incidentId,
          channelId,
          delay,
          'replace',
        ]);
        this.logger.debug(`Card of ${incidentId} in ${channelId}: ${e.message}; again in ${delay} ms`);
        return;
      }
      await this.messages.failed(incidentId, channelId, e.message);
      if (e.failure.kind === 'permanent') {
        this.logger.warn(`Card of ${incidentId} in ${channelId} not updated: ${e.message}`);
        return;
      }
      throw e;
    }
  }

  /**
   * Waits for the channel's next send slot (about one message a second per channel, across
   * instances). A channel Slack's Retry-After still holds is not waited for: the caller is told
   * when to come back (the delivery is retried, the refresh job moved).
   */
  private async paced(channelId: string, signal?: AbortSignal): Promise<void> {
    const interval = this.config.slack.channelIntervalMs;
    const slot = await this.messages.claimSlot(channelId, interval);
    if (slot.heldUntil) {
      throw new SlackSendError(
        {
          kind: 'held',
          until: slot.heldUntil,
          message: `Slack asked us to wait (429 Retry-After) until ${slot.heldUntil.toISOString()}`,
        },
        channelId,
      );
    }
    if (slot.waitMs > 0) await sleep(slot.waitMs, undefined, signal ? { signal } : undefined);
  }

  /** The SlackSendError for a failed call; a 429 holds the channel for every instance first. */
  private async failed(e: unknown, channelId: string): Promise<SlackSendError> {
    if (isNotConnected(e)) throw e;
    const failure = classifySlackFailure(e);
    if (failure.kind === 'rate_limited') await this.messages.hold(channelId, failure.retryAfterSeconds);
    return new SlackSendError(failure, channelId);
  }
}

function targetOfCard(card: SlackCardRow): RouteTarget {
  return { channelId: card.channelId, ruleId: card.ruleId, internal: card.internal, thread: card.thread };
}
