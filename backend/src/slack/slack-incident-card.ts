import type {
  ActionsBlock,
  Button,
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  MessageMetadata,
  SectionBlock,
} from '@slack/types';
import type { IncidentView } from '../incidents/dto/incident.view';
import type { IncidentState } from '../incidents/incident-state';
import { mrkdwn, SLACK_LIMITS, truncate } from './slack-block-limits';

/*
 * The Block Kit card of an incident (docs/slack.md, "Notifications"), and its thread replies. Pure:
 * the same incident view gives the same message. Every text in it is cut to its Block Kit limit
 * (slack-block-limits.ts), so a long title or description is shortened, never refused by Slack.
 */

/** The button action ids the interactions endpoint handles (slack.md, "Card buttons"). */
export const CARD_ACTIONS = {
  acknowledge: 'incident.acknowledge',
  assignToMe: 'incident.assign_to_me',
  resolve: 'incident.resolve',
  open: 'incident.open',
} as const;

/** The card message's metadata event type: finds our cards in a channel's history. */
export const CARD_METADATA_EVENT = 'nexecute_incident_card';

/** How much of the description a card shows (a channel card, not the incident page). */
export const CARD_DESCRIPTION_LENGTH = 700;

/** States whose card has no buttons left: nothing to acknowledge, assign or resolve. */
const FINAL_STATES: ReadonlySet<IncidentState> = new Set(['resolved', 'closed', 'canceled']);

const PRIORITY_LABEL: Readonly<Record<number, string>> = {
  1: 'P1 Critical',
  2: 'P2 High',
  3: 'P3 Moderate',
  4: 'P4 Low',
  5: 'P5 Planning',
};

const PRIORITY_EMOJI: Readonly<Record<number, string>> = {
  1: ':red_circle:',
  2: ':large_orange_circle:',
  3: ':large_yellow_circle:',
  4: ':large_blue_circle:',
  5: ':white_circle:',
};

const STATE_LABEL: Readonly<Record<IncidentState, string>> = {
  new: 'New',
  in_progress: 'In progress',
  on_hold: 'On hold',
  resolved: 'Resolved',
  closed: 'Closed',
  canceled: 'Canceled',
};

/** What a card is rendered from besides the incident. */
export interface CardContext {
  /** PUBLIC_URL, without a trailing slash: the console the deep link opens. */
  readonly publicUrl: string;
  /** The moment the fallback text counts the SLA from (Slack's clients count live). */
  readonly now: Date;
}

/** chat.postMessage / chat.update arguments for a card (channel and ts are added by the caller). */
export interface CardMessage {
  /** The notification and screen-reader fallback. */
  readonly text: string;
  readonly blocks: KnownBlock[];
  readonly metadata: MessageMetadata;
}

export function isFinalState(state: IncidentState): boolean {
  return FINAL_STATES.has(state);
}

export function priorityLabel(priority: number): string {
  return PRIORITY_LABEL[priority] ?? `P${priority}`;
}

export function stateLabel(state: IncidentState): string {
  return STATE_LABEL[state] ?? state;
}

export function consoleLink(publicUrl: string, incidentId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/incidents/${encodeURIComponent(incidentId)}`;
}

/** The ServiceNow twin's number, when the incident has one. */
export function serviceNowNumber(incident: IncidentView): string | null {
  return incident.externalSystem === 'servicenow' ? incident.externalNumber : null;
}

/** "2 h 05 min", "12 min", "3 d 4 h": a span for people. */
export function humanSpan(ms: number): string {
  const minutes = Math.max(0, Math.round(Math.abs(ms) / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${String(mins).padStart(2, '0')} min`;
  return `${mins} min`;
}

/**
 * The SLA line: the due time and a countdown in Slack's date token, which each reader's client
 * shows in their own time zone and keeps counting (`{ago}`: "in 3 hours", "20 minutes ago");
 * the fallback after `|` is what older clients and notifications show, counted at render time.
 * Resolved incidents say whether they met it instead.
 */
export function slaText(incident: IncidentView, now: Date): string {
  const due = new Date(incident.slaDueAt);
  const unix = Math.floor(due.getTime() / 1000);
  const fallbackDue = due.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const dueToken = `<!date^${unix}^{date_short_pretty} {time}|${fallbackDue}>`;
  if (isFinalState(incident.state)) {
    return incident.slaBreached ? `:x: Missed (due ${dueToken})` : `:white_check_mark: Met (due ${dueToken})`;
  }
  const left = due.getTime() - now.getTime();
  const countdown = `<!date^${unix}^{ago}|${left >= 0 ? `in ${humanSpan(left)}` : `${humanSpan(left)} ago`}>`;
  return left >= 0 || !incident.slaBreached
    ? `:hourglass_flowing_sand: Due ${countdown} (${dueToken})`
    : `:rotating_light: *Breached* ${countdown} (due ${dueToken})`;
}

function field(label: string, value: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: truncate(`*${label}*\n${value}`, SLACK_LIMITS.sectionFieldText) };
}

function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.buttonText), emoji: true },
    action_id: actionId,
    value: truncate(value, SLACK_LIMITS.buttonValue),
    ...(style ? { style } : {}),
  };
}

/**
 * The card: header (number and title), the facts (priority, state, assignee, SLA, ServiceNow
 * number, group, category), the description, and, while the incident is open, the buttons
 * Acknowledge (until acknowledged), Assign to me, Resolve and Open in console. A resolved, closed
 * or canceled card keeps only a link to the console.
 */
export function incidentCard(incident: IncidentView, ctx: CardContext): CardMessage {
  const link = consoleLink(ctx.publicUrl, incident.id);
  const final = isFinalState(incident.state);
  const snNumber = serviceNowNumber(incident);
  const header: HeaderBlock = {
    type: 'header',
    block_id: 'incident.header',
    text: {
      type: 'plain_text',
      text: truncate(`${incident.number}: ${incident.title}`, SLACK_LIMITS.headerText),
      emoji: false,
    },
  };
  const fields = [
    field(
      'Priority',
      `${PRIORITY_EMOJI[incident.priority] ?? ''} ${priorityLabel(incident.priority)}`.trim(),
    ),
    field('State', stateLabel(incident.state)),
    field(
      'Assignee',
      incident.assignee ? mrkdwn(incident.assignee.name, SLACK_LIMITS.sectionFieldText - 20) : '_Unassigned_',
    ),
    field('SLA', slaText(incident, ctx.now)),
  ];
  if (snNumber) fields.push(field('ServiceNow', mrkdwn(snNumber, 200)));
  if (incident.assignmentGroup) {
    fields.push(field('Group', mrkdwn(incident.assignmentGroup, SLACK_LIMITS.sectionFieldText - 20)));
  }
  if (incident.category) {
    fields.push(field('Category', mrkdwn(incident.category, SLACK_LIMITS.sectionFieldText - 20)));
  }
  const facts: SectionBlock = {
    type: 'section',
    block_id: 'incident.facts',
    fields: fields.slice(0, SLACK_LIMITS.sectionFields),
  };
  const blocks: KnownBlock[] = [header, facts];
  const description = incident.description.trim();
  if (description) {
    blocks.push({
      type: 'section',
      block_id: 'incident.description',
      text: { type: 'mrkdwn', text: mrkdwn(description, CARD_DESCRIPTION_LENGTH) },
    });
  }
  if (final) {
    const closing = [
      incident.closeCode ? `*${mrkdwn(incident.closeCode, 100)}*` : null,
      incident.closeNotes ? mrkdwn(incident.closeNotes, 500) : null,
    ].filter((s): s is string => s !== null);
    if (closing.length) {
      blocks.push({
        type: 'section',
        block_id: 'incident.resolution',
        text: { type: 'mrkdwn', text: truncate(closing.join(': '), SLACK_LIMITS.sectionText) },
      });
    }
  }
  const context: ContextBlock = {
    type: 'context',
    block_id: 'incident.context',
    elements: [
      {
        type: 'mrkdwn',
        text: truncate(
          `Opened <!date^${Math.floor(new Date(incident.openedAt).getTime() / 1000)}^{date_short_pretty} {time}|${incident.openedAt}> · source ${incident.source}` +
            (final ? ` · <${link}|Open in console>` : ''),
          SLACK_LIMITS.contextText,
        ),
      },
    ],
  };
  blocks.push(context);
  if (!final) {
    const actions: ActionsBlock = {
      type: 'actions',
      block_id: 'incident.actions',
      elements: [
        ...(incident.acknowledgedAt
          ? []
          : [button('Acknowledge', CARD_ACTIONS.acknowledge, incident.id, 'primary')]),
        button('Assign to me', CARD_ACTIONS.assignToMe, incident.id),
        button('Resolve', CARD_ACTIONS.resolve, incident.id, 'danger'),
        {
          ...button('Open in console', CARD_ACTIONS.open, incident.id),
          url: truncate(link, SLACK_LIMITS.buttonUrl),
        },
      ],
    };
    blocks.push(actions);
  }
  const text = truncate(
    `${incident.number} [${priorityLabel(incident.priority)}] ${incident.title} (${stateLabel(incident.state)})`,
    SLACK_LIMITS.messageText,
  );
  return {
    text,
    blocks: blocks.slice(0, SLACK_LIMITS.messageBlocks),
    metadata: {
      event_type: CARD_METADATA_EVENT,
      event_payload: { incident_id: incident.id, number: incident.number, version: incident.version },
    },
  };
}

/** A thread reply: one mrkdwn section and its fallback text. */
export interface ThreadReply {
  readonly text: string;
  readonly blocks: KnownBlock[];
}

function reply(text: string): ThreadReply {
  const cut = truncate(text, SLACK_LIMITS.sectionText);
  return {
    text: truncate(text, SLACK_LIMITS.messageText),
    blocks: [{ type: 'section', block_id: 'incident.reply', text: { type: 'mrkdwn', text: cut } }],
  };
}

/** Who did it, for a reply ("by alice@example.com"). */
function by(author: string | null): string {
  return author ? ` by ${mrkdwn(author, 200)}` : '';
}

export function commentReply(body: string, author: string | null): ThreadReply {
  return reply(`:speech_balloon: *Comment*${by(author)}\n${mrkdwn(body, SLACK_LIMITS.sectionText - 300)}`);
}

export function workNoteReply(body: string, author: string | null): ThreadReply {
  return reply(`:lock: *Work note*${by(author)}\n${mrkdwn(body, SLACK_LIMITS.sectionText - 300)}`);
}

export function stateChangeReply(
  from: IncidentState,
  to: IncidentState,
  author: string | null,
  close?: { readonly code: string | null; readonly notes: string | null },
): ThreadReply {
  const closing =
    close && (close.code || close.notes)
      ? `\n${[
          close.code ? `*${mrkdwn(close.code, 100)}*` : null,
          close.notes ? mrkdwn(close.notes, 2000) : null,
        ]
          .filter((s) => s !== null)
          .join(': ')}`
      : '';
  return reply(
    `:arrows_counterclockwise: State *${stateLabel(from)}* → *${stateLabel(to)}*${by(author)}${closing}`,
  );
}
