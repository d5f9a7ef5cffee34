import type { KnownBlock } from '@slack/types';
import { mrkdwn, SLACK_LIMITS, truncate } from './slack-block-limits';

/*
 * `/incident <verb> …` (protocols.md §2.4): the text parsed into one command, and the help text.
 * Pure; slack-actions.ts carries the commands out.
 */

export type IncidentCommand =
  | { readonly verb: 'create'; readonly title: string }
  | { readonly verb: 'list'; readonly mine: boolean }
  | { readonly verb: 'show' | 'ack' | 'resolve'; readonly reference: string }
  | { readonly verb: 'help'; readonly problem: string | null };

/** Our numbers (INC0001234) and another system's (ServiceNow INC0010002, CHG…): letters then digits. */
export const INCIDENT_REFERENCE = /^[A-Za-z]{2,10}[-_]?\d{3,}$/;

const NEEDS_REFERENCE = new Set(['show', 'ack', 'resolve']);

/** Slack escapes `&`, `<`, `>` in command text; a title is stored as the user typed it. */
function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function parseIncidentCommand(text: string): IncidentCommand {
  const trimmed = text.trim();
  const [first = '', ...rest] = trimmed.split(/\s+/);
  const verb = first.toLowerCase();
  const args = rest.join(' ');
  if (verb === '' || verb === 'help') return { verb: 'help', problem: null };
  if (verb === 'create' || verb === 'new') {
    // everything after the verb, spacing kept
    const title = unescapeSlack(trimmed.slice(first.length).trim());
    return { verb: 'create', title };
  }
  if (verb === 'list' || verb === 'ls') {
    const filter = args.toLowerCase();
    if (filter === '' || filter === 'open') return { verb: 'list', mine: false };
    if (filter === 'mine' || filter === 'my') return { verb: 'list', mine: true };
    return { verb: 'help', problem: `\`list\` takes \`open\` or \`mine\`, not "${args}"` };
  }
  const normalized = verb === 'acknowledge' ? 'ack' : verb;
  if (NEEDS_REFERENCE.has(normalized)) {
    const reference = rest[0] ?? '';
    if (rest.length !== 1 || !INCIDENT_REFERENCE.test(reference)) {
      return {
        verb: 'help',
        problem: `\`${normalized}\` needs one incident number, e.g. \`/incident ${normalized} INC0001234\``,
      };
    }
    return { verb: normalized as 'show' | 'ack' | 'resolve', reference: reference.toUpperCase() };
  }
  return { verb: 'help', problem: `Unknown command "${first}"` };
}

const USAGE: readonly (readonly [string, string])[] = [
  ['create <title>', 'open a new incident (a form, prefilled with the title)'],
  ['list', 'open incidents'],
  ['list mine', 'open incidents assigned to you'],
  ['show INC0001234', 'one incident (our number or the ServiceNow number)'],
  ['ack INC0001234', 'acknowledge it'],
  ['resolve INC0001234', 'resolve it (a form for the close code and notes)'],
  ['help', 'this help'],
];

/** A reply message: fallback text plus blocks, every text cut to its limit. */
export interface SlackReply {
  readonly text: string;
  readonly blocks: KnownBlock[];
}

export function helpReply(command = '/incident', problem: string | null = null): SlackReply {
  const lines = USAGE.map(([usage, what]) => `\`${command} ${usage}\` ${what}`).join('\n');
  const blocks: KnownBlock[] = [];
  if (problem) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: mrkdwn(problem, SLACK_LIMITS.sectionText) },
    });
  }
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn(lines, SLACK_LIMITS.sectionText) } });
  const text = `${problem ? `${problem}. ` : ''}Usage: ${command} create|list|show|ack|resolve|help`;
  return { text: truncate(text, SLACK_LIMITS.messageText), blocks };
}

/** One sentence as a reply (a refusal, a confirmation), escaped and cut. */
export function textReply(text: string): SlackReply {
  return {
    text: truncate(text, SLACK_LIMITS.messageText),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn(text, SLACK_LIMITS.sectionText) } }],
  };
}
