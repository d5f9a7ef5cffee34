import type { AppMentionEvent } from '@slack/types';

/*
 * What Slack posts to us (protocols.md §2.2–2.5), read into plain typed values. Pure: the
 * controllers use it on the request, the inbox handler on the stored raw bytes. @slack/types has
 * the events and Block Kit; the interaction payloads (Bolt's types) are declared here, only as far
 * as we read them.
 */

/** An Events API envelope: the one-off URL check, or an event. */
export type SlackEventEnvelope =
  | { readonly type: 'url_verification'; readonly challenge: string }
  | {
      readonly type: 'event_callback';
      readonly eventId: string;
      readonly teamId: string | null;
      readonly event: SlackEvent;
    };

/** The events we act on; any other is stored and ignored. */
export type SlackEvent =
  | (Pick<AppMentionEvent, 'type' | 'text' | 'ts' | 'channel' | 'thread_ts' | 'event_ts'> & {
      readonly user?: string;
    })
  | { readonly type: string; readonly channel?: string; readonly ts?: string };

export interface SlackUserRef {
  readonly id: string;
  readonly teamId: string | null;
}

/** A selected or typed value of a view's input (`view.state.values[block][action]`). */
export interface SlackInputState {
  readonly type?: string;
  readonly value?: string | null;
  readonly selected_option?: { readonly value: string } | null;
}

export type SlackViewState = Readonly<Record<string, Readonly<Record<string, SlackInputState>>>>;

export interface SlackBlockAction {
  readonly actionId: string;
  readonly value: string | null;
  readonly actionTs: string | null;
}

export interface BlockActionsPayload {
  readonly type: 'block_actions';
  readonly user: SlackUserRef;
  readonly teamId: string | null;
  readonly triggerId: string | null;
  readonly responseUrl: string | null;
  readonly channelId: string | null;
  readonly messageTs: string | null;
  readonly actions: readonly SlackBlockAction[];
}

export interface ViewSubmissionPayload {
  readonly type: 'view_submission';
  readonly user: SlackUserRef;
  readonly teamId: string | null;
  readonly triggerId: string | null;
  readonly view: {
    readonly id: string | null;
    readonly callbackId: string;
    readonly privateMetadata: string;
    readonly values: SlackViewState;
  };
}

export type InteractionPayload =
  BlockActionsPayload | ViewSubmissionPayload | { readonly type: 'other'; readonly slackType: string };

/** A slash command's form (§2.4). */
export interface SlashCommand {
  readonly command: string;
  readonly text: string;
  readonly userId: string;
  readonly teamId: string | null;
  readonly channelId: string | null;
  readonly responseUrl: string | null;
  readonly triggerId: string | null;
}

type Json = Readonly<Record<string, unknown>>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The envelope, or null when the body is not one (a 400). */
export function parseEventEnvelope(body: unknown): SlackEventEnvelope | null {
  if (!isObject(body)) return null;
  if (body['type'] === 'url_verification') {
    const challenge = str(body['challenge']);
    return challenge ? { type: 'url_verification', challenge } : null;
  }
  if (body['type'] !== 'event_callback') return null;
  const eventId = str(body['event_id']);
  const event = body['event'];
  if (!eventId || !isObject(event) || typeof event['type'] !== 'string') return null;
  return {
    type: 'event_callback',
    eventId,
    teamId: str(body['team_id']),
    event: event as unknown as SlackEvent,
  };
}

/** An app_mention we can answer (it has a channel and a message ts to thread under). */
export function asAppMention(
  event: SlackEvent,
): (SlackEvent & { type: 'app_mention'; text: string; channel: string; ts: string }) | null {
  if (event.type !== 'app_mention') return null;
  const e = event as Json;
  const channel = str(e['channel']);
  const ts = str(e['ts']);
  if (!channel || !ts) return null;
  return { ...(event as object), type: 'app_mention', text: text(e['text']), channel, ts } as never;
}

function userOf(payload: Json, teamId: string | null): SlackUserRef | null {
  const user = payload['user'];
  if (!isObject(user)) return null;
  const id = str(user['id']);
  return id ? { id, teamId: str(user['team_id']) ?? teamId } : null;
}

function viewValues(state: unknown): SlackViewState {
  if (!isObject(state) || !isObject(state['values'])) return {};
  return state['values'] as SlackViewState;
}

/**
 * The `payload` field of an interaction form, parsed; null when it is missing or not JSON. A kind
 * we do not handle (view_closed, shortcuts) comes back as `other`.
 */
export function parseInteraction(form: unknown): InteractionPayload | null {
  if (!isObject(form) || typeof form['payload'] !== 'string') return null;
  let payload: unknown;
  try {
    payload = JSON.parse(form['payload']);
  } catch {
    return null;
  }
  if (!isObject(payload) || typeof payload['type'] !== 'string') return null;
  const team = payload['team'];
  const teamId = isObject(team) ? str(team['id']) : null;
  const user = userOf(payload, teamId);
  if (payload['type'] === 'block_actions') {
    if (!user || !Array.isArray(payload['actions'])) return null;
    const channel = payload['channel'];
    const container = isObject(payload['container']) ? payload['container'] : {};
    const message = isObject(payload['message']) ? payload['message'] : {};
    return {
      type: 'block_actions',
      user,
      teamId,
      triggerId: str(payload['trigger_id']),
      responseUrl: str(payload['response_url']),
      channelId: (isObject(channel) ? str(channel['id']) : null) ?? str(container['channel_id']),
      messageTs: str(container['message_ts']) ?? str(message['ts']),
      actions: (payload['actions'] as unknown[]).filter(isObject).map((a) => ({
        actionId: text(a['action_id']),
        value:
          str(a['value']) ?? (isObject(a['selected_option']) ? str(a['selected_option']['value']) : null),
        actionTs: str(a['action_ts']),
      })),
    };
  }
  if (payload['type'] === 'view_submission') {
    const view = payload['view'];
    if (!user || !isObject(view)) return null;
    return {
      type: 'view_submission',
      user,
      teamId,
      triggerId: str(payload['trigger_id']),
      view: {
        id: str(view['id']),
        callbackId: text(view['callback_id']),
        privateMetadata: text(view['private_metadata']),
        values: viewValues(view['state']),
      },
    };
  }
  return { type: 'other', slackType: payload['type'] };
}

/** A slash command's form, or null without the fields every command has. */
export function parseSlashCommand(form: unknown): SlashCommand | null {
  if (!isObject(form)) return null;
  const command = str(form['command']);
  const userId = str(form['user_id']);
  if (!command || !userId) return null;
  return {
    command,
    text: typeof form['text'] === 'string' ? form['text'] : '',
    userId,
    teamId: str(form['team_id']),
    channelId: str(form['channel_id']),
    responseUrl: str(form['response_url']),
    triggerId: str(form['trigger_id']),
  };
}

/** A stored Slack request, told apart by its shape (JSON: an event; a form: an interaction or a command). */
export type StoredSlackRequest =
  | { readonly kind: 'event'; readonly envelope: Extract<SlackEventEnvelope, { type: 'event_callback' }> }
  | { readonly kind: 'interaction'; readonly payload: BlockActionsPayload | ViewSubmissionPayload }
  | { readonly kind: 'command'; readonly command: SlashCommand };

export function decodeStoredRequest(rawBody: Buffer): StoredSlackRequest | null {
  const text = rawBody.toString('utf8');
  if (text.trimStart().startsWith('{')) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return null;
    }
    const envelope = parseEventEnvelope(body);
    return envelope?.type === 'event_callback' ? { kind: 'event', envelope } : null;
  }
  const form = Object.fromEntries(new URLSearchParams(text));
  if ('payload' in form) {
    const payload = parseInteraction(form);
    return payload && payload.type !== 'other' ? { kind: 'interaction', payload } : null;
  }
  const command = parseSlashCommand(form);
  return command ? { kind: 'command', command } : null;
}
