import type { KnownBlock } from '@slack/types';
import type { IncidentView } from '../incidents/dto/incident.view';
import { escapeMrkdwn, mrkdwn, SLACK_LIMITS, truncate } from './slack-block-limits';
import type { SlackReply } from './slack-commands';

/*
 * What the inbound side answers with: an incident's summary (`/incident show`, an @mention) and a
 * list (`/incident list`). Pure, every text escaped and cut (slack-block-limits.ts). The card in
 * channels is the notifier's (slack-incident-card.ts), not this.
 */

const STATE_LABELS: Record<IncidentView['state'], string> = {
  new: 'New',
  in_progress: 'In progress',
  on_hold: 'On hold',
  resolved: 'Resolved',
  closed: 'Closed',
  canceled: 'Canceled',
};

/** How many incidents a list shows (one line each); more are counted, not shown. */
export const LIST_LIMIT = 20;

/** `<url|INC0001234>`: the number linked to the console (a URL with `|` or `>` would break it). */
function link(incident: Pick<IncidentView, 'id' | 'number'>, consoleUrl: string): string {
  const url = `${consoleUrl}/incidents/${encodeURIComponent(incident.id)}`;
  return /[|<>]/.test(url) ? incident.number : `<${url}|${incident.number}>`;
}

export function incidentSummary(incident: IncidentView, consoleUrl: string): SlackReply {
  const facts = [
    `*State:* ${STATE_LABELS[incident.state]}`,
    `*Priority:* P${incident.priority}`,
    `*Assignee:* ${incident.assignee ? escapeMrkdwn(incident.assignee.name || incident.assignee.email) : 'nobody'}`,
    ...(incident.externalNumber ? [`*ServiceNow:* ${escapeMrkdwn(incident.externalNumber)}`] : []),
    `*SLA due:* ${incident.slaDueAt}${incident.slaBreached ? ' (breached)' : ''}`,
  ];
  const head = `*${link(incident, consoleUrl)}* ${mrkdwn(incident.title, SLACK_LIMITS.sectionText - 200)}`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: truncate(head, SLACK_LIMITS.sectionText) } },
    {
      type: 'section',
      fields: facts.map((f) => ({
        type: 'mrkdwn' as const,
        text: truncate(f, SLACK_LIMITS.sectionFieldText),
      })),
    },
  ];
  if (incident.description.trim()) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: mrkdwn(incident.description.trim(), SLACK_LIMITS.contextText) }],
    });
  }
  const text = `${incident.number} ${incident.title} (${STATE_LABELS[incident.state]}, P${incident.priority})`;
  return { text: truncate(text, SLACK_LIMITS.messageText), blocks };
}

export function incidentList(
  incidents: readonly IncidentView[],
  more: boolean,
  heading: string,
  consoleUrl: string,
): SlackReply {
  if (incidents.length === 0) {
    const text = `${heading}: none.`;
    return {
      text,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn(text, SLACK_LIMITS.sectionText) } }],
    };
  }
  const lines = incidents.slice(0, LIST_LIMIT).map((i) => {
    const assignee = i.assignee ? ` · ${escapeMrkdwn(i.assignee.name || i.assignee.email)}` : '';
    // each line at most 1/LIST_LIMIT of a section, so the list fits in a few sections
    return truncate(
      `• ${link(i, consoleUrl)} P${i.priority} · ${STATE_LABELS[i.state]}${assignee} · ${mrkdwn(i.title, 100)}`,
      SLACK_LIMITS.sectionText / 10,
    );
  });
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${mrkdwn(heading, SLACK_LIMITS.headerText)}*` } },
  ];
  for (let i = 0; i < lines.length; i += 10) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncate(lines.slice(i, i + 10).join('\n'), SLACK_LIMITS.sectionText) },
    });
  }
  if (more || incidents.length > LIST_LIMIT) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `More in the console: <${consoleUrl}/incidents|all incidents>` }],
    });
  }
  const text = `${heading}: ${incidents.map((i) => i.number).join(', ')}`;
  return { text: truncate(text, SLACK_LIMITS.messageText), blocks };
}
