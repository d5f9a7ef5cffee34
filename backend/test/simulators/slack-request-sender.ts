import { randomBytes } from 'node:crypto';
import { slackSignatureOf } from '../../src/slack/slack-signature';
import type { SlackSimulator } from './slack.simulator';

/**
 * Requests to our app as Slack sends them (protocols.md §2.1–2.5), signed v0 with the simulator's
 * signing secret over the exact bytes sent. Paths are ours: /api/slack/events, /api/slack/commands,
 * /api/slack/interactions. Commands and actions carry a fresh response_url and trigger_id from the
 * simulator (`lastResponseUrl`, `lastTriggerId` say which).
 */
export interface SenderRawOptions {
  /** Unix seconds sent in X-Slack-Request-Timestamp (and signed). Default now. */
  readonly timestamp?: number | string;
  /** Sign with this secret instead of the simulator's. */
  readonly secret?: string;
  /** Send this X-Slack-Signature as is (null: send none). */
  readonly signature?: string | null;
  readonly headers?: Record<string, string>;
  /** Abort the request (Slack gives up after 3 s). */
  readonly signal?: AbortSignal;
}

/** One attempt of `deliverEvent`. */
export interface EventDeliveryAttempt {
  /** 0 for the first send, then the X-Slack-Retry-Num sent. */
  readonly retryNum: number;
  /** Our status; null when we did not answer within the timeout or the connection failed. */
  readonly status: number | null;
  /** Why Slack would retry after it (X-Slack-Retry-Reason of the next attempt); null: acknowledged or stopped. */
  readonly failure: 'http_timeout' | 'http_error' | 'connection_failed' | null;
  /** Our answer carried X-Slack-No-Retry: 1. */
  readonly noRetry: boolean;
}

export class SlackRequestSender {
  /** The response_url of the last command or action sent. */
  lastResponseUrl: string | undefined;
  /** The trigger_id of the last command or action sent. */
  lastTriggerId: string | undefined;
  /** The payload (object) of the last request sent. */
  lastPayload: Record<string, unknown> | undefined;

  private readonly base: string;

  constructor(
    private readonly sim: SlackSimulator,
    appBaseUrl: string,
  ) {
    this.base = appBaseUrl.replace(/\/+$/, '');
  }

  /** An event_callback envelope around `event`, to /api/slack/events. */
  event(
    event: object,
    o: { eventId?: string; retryNum?: number; retryReason?: string; eventTime?: number } = {},
  ): Promise<Response> {
    const envelope = this.envelopeOf(event, o.eventId, o.eventTime);
    this.lastPayload = envelope;
    const headers: Record<string, string> = {};
    if (o.retryNum !== undefined) {
      headers['X-Slack-Retry-Num'] = String(o.retryNum);
      headers['X-Slack-Retry-Reason'] = o.retryReason ?? 'http_timeout';
    }
    return this.raw('/api/slack/events', JSON.stringify(envelope), 'application/json', { headers });
  }

  /**
   * Delivers an event as Slack does (protocols.md §2.3): without a 2xx within `timeoutMs` (3 s) it
   * is sent again, the same envelope and event_id, with X-Slack-Retry-Num 1–3 and
   * X-Slack-Retry-Reason, up to 3 retries after `retryDelaysMs` (Slack: at once, ~1 min, ~5 min;
   * default here 0 ms each). A non-2xx carrying X-Slack-No-Retry: 1 stops the retries (a timeout does not).
   */
  async deliverEvent(
    event: object,
    o: { eventId?: string; timeoutMs?: number; retryDelaysMs?: readonly number[] } = {},
  ): Promise<EventDeliveryAttempt[]> {
    const envelope = this.envelopeOf(event, o.eventId);
    const body = JSON.stringify(envelope);
    const attempts: EventDeliveryAttempt[] = [];
    const delays = o.retryDelaysMs ?? [0, 0, 0];
    for (let retryNum = 0; retryNum <= 3; retryNum += 1) {
      const previous = attempts.at(-1);
      if (previous !== undefined) {
        if (previous.failure === null) break;
        await new Promise((resolve) => setTimeout(resolve, delays[retryNum - 1] ?? 0));
      }
      const headers: Record<string, string> =
        previous !== undefined && previous.failure !== null
          ? { 'X-Slack-Retry-Num': String(retryNum), 'X-Slack-Retry-Reason': previous.failure }
          : {};
      let attempt: EventDeliveryAttempt;
      try {
        const res = await this.raw('/api/slack/events', body, 'application/json', {
          headers,
          signal: AbortSignal.timeout(o.timeoutMs ?? 3000),
        });
        await res.arrayBuffer();
        const noRetry = res.headers.get('x-slack-no-retry') === '1';
        const ok = res.status >= 200 && res.status < 300;
        attempt = { retryNum, status: res.status, failure: ok || noRetry ? null : 'http_error', noRetry };
      } catch (error) {
        // a DOMException (TimeoutError), not always an Error of this realm
        const name =
          typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
        const timedOut = name === 'TimeoutError' || name === 'AbortError';
        attempt = {
          retryNum,
          status: null,
          failure: timedOut ? 'http_timeout' : 'connection_failed',
          noRetry: false,
        };
      }
      attempts.push(attempt);
    }
    this.lastPayload = envelope;
    return attempts;
  }

  /** An `app_mention` event in `channel` from `user`: `<@BOT> text`. */
  mention(
    text: string,
    o: { userId?: string; channelId?: string; eventId?: string } = {},
  ): Promise<Response> {
    const ts = `${Math.floor(this.sim.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
    return this.event(
      {
        type: 'app_mention',
        user: o.userId ?? this.sim.defaultUserId(),
        text: `<@${this.sim.botUserId}> ${text}`,
        ts,
        channel: o.channelId ?? 'C0SIMINC01',
        event_ts: ts,
      },
      { eventId: o.eventId },
    );
  }

  urlVerification(challenge: string): Promise<Response> {
    const body = { token: 'legacy-verification-token', challenge, type: 'url_verification' };
    this.lastPayload = body;
    return this.raw('/api/slack/events', JSON.stringify(body), 'application/json');
  }

  /** A slash command (form-encoded) to /api/slack/commands. */
  command(
    text: string,
    o: {
      userId?: string;
      channelId?: string;
      command?: string;
      responseUrl?: string;
      triggerId?: string;
    } = {},
  ): Promise<Response> {
    const userId = o.userId ?? this.sim.defaultUserId();
    const channelId = o.channelId ?? 'C0SIMINC01';
    this.lastResponseUrl = o.responseUrl ?? this.sim.responseUrl();
    this.lastTriggerId = o.triggerId ?? this.sim.issueTrigger(userId);
    const fields = {
      token: 'legacy-verification-token',
      team_id: this.sim.teamId,
      team_domain: 'nexecute-sim',
      channel_id: channelId,
      channel_name: this.sim.channelName(channelId),
      user_id: userId,
      user_name: this.sim.user(userId)?.name ?? userId.toLowerCase(),
      command: o.command ?? '/incident',
      text,
      api_app_id: this.sim.appId,
      is_enterprise_install: 'false',
      response_url: this.lastResponseUrl,
      trigger_id: this.lastTriggerId,
    };
    this.lastPayload = fields;
    return this.raw(
      '/api/slack/commands',
      new URLSearchParams(fields).toString(),
      'application/x-www-form-urlencoded',
    );
  }

  /** A button click (block_actions) to /api/slack/interactions; the button is looked up in the message when it exists. */
  action(
    actionId: string,
    value: string,
    o: { userId?: string; channelId?: string; messageTs?: string; blockId?: string } = {},
  ): Promise<Response> {
    const userId = o.userId ?? this.sim.defaultUserId();
    const channelId = o.channelId ?? 'C0SIMINC01';
    const message = o.messageTs === undefined ? undefined : this.sim.message(channelId, o.messageTs);
    const button = findElement(message?.blocks, actionId);
    this.lastResponseUrl = this.sim.responseUrl();
    this.lastTriggerId = this.sim.issueTrigger(userId);
    const actionTs = `${(this.sim.now() / 1000).toFixed(6)}`;
    const payload = {
      type: 'block_actions',
      user: {
        id: userId,
        username: this.sim.user(userId)?.name ?? userId,
        name: this.sim.user(userId)?.name ?? userId,
        team_id: this.sim.teamId,
      },
      api_app_id: this.sim.appId,
      token: 'legacy-verification-token',
      container: {
        type: 'message',
        message_ts: o.messageTs ?? actionTs,
        channel_id: channelId,
        is_ephemeral: false,
      },
      trigger_id: this.lastTriggerId,
      team: { id: this.sim.teamId, domain: 'nexecute-sim' },
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: channelId, name: this.sim.channelName(channelId) },
      message: message ? this.sim.messageJson(message) : undefined,
      state: { values: {} },
      response_url: this.lastResponseUrl,
      actions: [
        {
          type: 'button',
          action_id: actionId,
          block_id: o.blockId ?? button?.blockId ?? randomBytes(3).toString('base64url'),
          text: { type: 'plain_text', text: button?.text ?? actionId, emoji: true },
          value,
          ...(button?.url !== undefined ? { url: button.url } : {}),
          ...(button?.style !== undefined ? { style: button.style } : {}),
          action_ts: actionTs,
        },
      ],
    };
    return this.payload(payload);
  }

  /** A modal's submission (view_submission) to /api/slack/interactions. */
  viewSubmission(
    view: {
      callback_id: string;
      private_metadata?: string;
      state: { values: Record<string, Record<string, unknown>> };
      id?: string;
    },
    o: { userId?: string } = {},
  ): Promise<Response> {
    const userId = o.userId ?? this.sim.defaultUserId();
    const opened = [...this.sim.views()]
      .reverse()
      .find((v) => (view.id !== undefined ? v.id === view.id : v.view.callback_id === view.callback_id));
    this.lastTriggerId = this.sim.issueTrigger(userId);
    const base = opened
      ? this.sim.viewJson(opened, this.sim.teamId)
      : { id: view.id ?? 'V0SIMUNKNOWN', type: 'modal', hash: '1.abc' };
    const payload = {
      type: 'view_submission',
      team: { id: this.sim.teamId, domain: 'nexecute-sim' },
      user: {
        id: userId,
        username: this.sim.user(userId)?.name ?? userId,
        name: this.sim.user(userId)?.name ?? userId,
        team_id: this.sim.teamId,
      },
      api_app_id: this.sim.appId,
      token: 'legacy-verification-token',
      trigger_id: this.lastTriggerId,
      view: {
        ...base,
        callback_id: view.callback_id,
        private_metadata:
          view.private_metadata ?? (opened?.view.private_metadata as string | undefined) ?? '',
        state: view.state,
      },
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    return this.payload(payload);
  }

  /** Slack's unsigned certificate check on a slash command URL. */
  sslCheck(): Promise<Response> {
    return fetch(`${this.base}/api/slack/commands`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'ssl_check=1&token=legacy-verification-token',
    });
  }

  /** Any body to any of our paths, signed unless told otherwise (tampering tests). */
  raw(path: string, body: string, contentType: string, o: SenderRawOptions = {}): Promise<Response> {
    const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
    const signature =
      o.signature === undefined
        ? slackSignatureOf(o.secret ?? this.sim.signingSecret, timestamp, body)
        : o.signature;
    const headers: Record<string, string> = {
      'Content-Type': contentType,
      'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'X-Slack-Request-Timestamp': timestamp,
      ...(signature === null ? {} : { 'X-Slack-Signature': signature }),
      ...o.headers,
    };
    return fetch(`${this.base}${path}`, { method: 'POST', headers, body, signal: o.signal });
  }

  private envelopeOf(event: object, eventId?: string, eventTime?: number): Record<string, unknown> {
    const eventTs = `${(this.sim.now() / 1000).toFixed(6)}`;
    return {
      token: 'legacy-verification-token',
      team_id: this.sim.teamId,
      api_app_id: this.sim.appId,
      event: { event_ts: eventTs, ...event },
      type: 'event_callback',
      event_id: eventId ?? `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event_time: eventTime ?? Math.floor(this.sim.now() / 1000),
      authorizations: [
        {
          enterprise_id: null,
          team_id: this.sim.teamId,
          user_id: this.sim.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(12).toString('base64url')}`,
    };
  }

  private payload(payload: Record<string, unknown>): Promise<Response> {
    this.lastPayload = payload;
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    return this.raw('/api/slack/interactions', body, 'application/x-www-form-urlencoded');
  }
}

interface FoundElement {
  readonly blockId: string | undefined;
  readonly text: string | undefined;
  readonly url: string | undefined;
  readonly style: string | undefined;
}

function findElement(blocks: unknown[] | undefined, actionId: string): FoundElement | undefined {
  for (const block of blocks ?? []) {
    if (typeof block !== 'object' || block === null) continue;
    const b = block as { block_id?: string; elements?: unknown[]; accessory?: unknown };
    for (const element of [...(b.elements ?? []), b.accessory]) {
      if (typeof element !== 'object' || element === null) continue;
      const e = element as { action_id?: string; text?: { text?: string }; url?: string; style?: string };
      if (e.action_id === actionId)
        return { blockId: b.block_id, text: e.text?.text, url: e.url, style: e.style };
    }
  }
  return undefined;
}
