import type { KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { CLOSE_CODES, type CloseCode } from '../incidents/incident-state';
import { mrkdwn, SLACK_LIMITS, truncate } from './slack-block-limits';
import type { SlackViewState } from './slack-inbound';

/*
 * The two modals (callback_ids `incident.resolve` and `incident.create`, slack.md) and the reading
 * of their submissions. Pure: a submission that does not validate answers
 * `{"response_action":"errors","errors":{<block_id>: message}}` and the modal stays open.
 */

export const RESOLVE_CALLBACK = 'incident.resolve';
export const CREATE_CALLBACK = 'incident.create';

/** Every input's action_id; its block_id names the field. */
const VALUE = 'value';

/** As the REST DTOs take them (CreateIncidentDto, ResolveIncidentDto). */
export const TITLE_MAX = 200;
export const CLOSE_NOTES_MAX = 3000;
const DESCRIPTION_MAX = 3000;

const LEVEL_LABELS: Record<1 | 2 | 3, string> = { 1: '1 - High', 2: '2 - Medium', 3: '3 - Low' };

/** Where the modal was opened from, carried in private_metadata (≤ 3000 chars). */
export interface ModalOrigin {
  readonly channel: string | null;
  readonly messageTs: string | null;
  readonly responseUrl?: string | null;
}

export interface ResolveModalMetadata extends ModalOrigin {
  readonly incidentId: string;
}

const plain = (text: string, limit: number) => ({ type: 'plain_text' as const, text: truncate(text, limit) });

function option(text: string, value: string): PlainTextOption {
  return { text: plain(text, SLACK_LIMITS.optionText), value: truncate(value, SLACK_LIMITS.optionValue) };
}

function metadata(value: object): string {
  const json = JSON.stringify(value);
  // never cut JSON: drop the optional response_url first if it would not fit
  if (json.length <= SLACK_LIMITS.privateMetadata) return json;
  return JSON.stringify({ ...value, responseUrl: null });
}

export function resolveModal(
  incident: { readonly id: string; readonly number: string; readonly title: string },
  origin: ModalOrigin,
): ModalView {
  const meta: ResolveModalMetadata = { incidentId: incident.id, ...origin };
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: mrkdwn(`${incident.number} ${incident.title}`, SLACK_LIMITS.sectionText),
      },
    },
    {
      type: 'input',
      block_id: 'close_code',
      label: plain('Close code', SLACK_LIMITS.headerText),
      element: {
        type: 'static_select',
        action_id: VALUE,
        placeholder: plain('Choose a close code', SLACK_LIMITS.optionText),
        options: CLOSE_CODES.map((code) => option(code, code)),
      },
    },
    {
      type: 'input',
      block_id: 'close_notes',
      label: plain('Close notes', SLACK_LIMITS.headerText),
      element: {
        type: 'plain_text_input',
        action_id: VALUE,
        multiline: true,
        max_length: CLOSE_NOTES_MAX,
        placeholder: plain('What fixed it', SLACK_LIMITS.optionText),
      },
    },
  ];
  return {
    type: 'modal',
    callback_id: RESOLVE_CALLBACK,
    private_metadata: metadata(meta),
    title: plain(`Resolve ${incident.number}`, SLACK_LIMITS.viewTitle),
    submit: plain('Resolve', SLACK_LIMITS.viewSubmit),
    close: plain('Cancel', SLACK_LIMITS.viewSubmit),
    blocks,
  };
}

export function createModal(title: string, origin: ModalOrigin): ModalView {
  const levels = ([1, 2, 3] as const).map((l) => option(LEVEL_LABELS[l], String(l)));
  const level = (blockId: string, label: string): KnownBlock => ({
    type: 'input',
    block_id: blockId,
    label: plain(label, SLACK_LIMITS.headerText),
    element: {
      type: 'static_select',
      action_id: VALUE,
      options: levels,
      initial_option: levels[1]!,
    },
  });
  const initial = truncate(title.trim(), TITLE_MAX);
  return {
    type: 'modal',
    callback_id: CREATE_CALLBACK,
    private_metadata: metadata(origin),
    title: plain('New incident', SLACK_LIMITS.viewTitle),
    submit: plain('Create', SLACK_LIMITS.viewSubmit),
    close: plain('Cancel', SLACK_LIMITS.viewSubmit),
    blocks: [
      {
        type: 'input',
        block_id: 'title',
        label: plain('Title', SLACK_LIMITS.headerText),
        element: {
          type: 'plain_text_input',
          action_id: VALUE,
          max_length: TITLE_MAX,
          ...(initial ? { initial_value: initial } : {}),
        },
      },
      {
        type: 'input',
        block_id: 'description',
        optional: true,
        label: plain('Description', SLACK_LIMITS.headerText),
        element: { type: 'plain_text_input', action_id: VALUE, multiline: true, max_length: DESCRIPTION_MAX },
      },
      level('impact', 'Impact'),
      level('urgency', 'Urgency'),
    ],
  };
}

export type Submission<T> = { readonly ok: T } | { readonly errors: Record<string, string> };

const valueOf = (values: SlackViewState, block: string): string => {
  const input = values[block]?.[VALUE];
  return (input?.selected_option?.value ?? input?.value ?? '').trim();
};

function parseMetadata(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function originOf(meta: Record<string, unknown>): ModalOrigin {
  return {
    channel: strOrNull(meta['channel']),
    messageTs: strOrNull(meta['messageTs']),
    responseUrl: strOrNull(meta['responseUrl']),
  };
}

export interface ResolveSubmission extends ResolveModalMetadata {
  readonly closeCode: CloseCode;
  readonly closeNotes: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function readResolveSubmission(
  values: SlackViewState,
  privateMetadata: string,
): Submission<ResolveSubmission> {
  const meta = parseMetadata(privateMetadata);
  const incidentId = strOrNull(meta['incidentId']);
  const closeCode = valueOf(values, 'close_code');
  const closeNotes = valueOf(values, 'close_notes');
  const errors: Record<string, string> = {};
  if (!incidentId || !UUID.test(incidentId))
    errors['close_code'] = 'This form lost its incident: open it again';
  else if (!(CLOSE_CODES as readonly string[]).includes(closeCode))
    errors['close_code'] = 'Choose a close code';
  if (!closeNotes) errors['close_notes'] = 'Say what resolved it';
  else if (closeNotes.length > CLOSE_NOTES_MAX)
    errors['close_notes'] = `At most ${CLOSE_NOTES_MAX} characters`;
  if (Object.keys(errors).length) return { errors };
  return {
    ok: { incidentId: incidentId!, ...originOf(meta), closeCode: closeCode as CloseCode, closeNotes },
  };
}

export interface CreateSubmission extends ModalOrigin {
  readonly title: string;
  readonly description: string;
  readonly impact: 1 | 2 | 3;
  readonly urgency: 1 | 2 | 3;
}

function level(text: string): 1 | 2 | 3 | null {
  return text === '1' || text === '2' || text === '3' ? (Number(text) as 1 | 2 | 3) : null;
}

export function readCreateSubmission(
  values: SlackViewState,
  privateMetadata: string,
): Submission<CreateSubmission> {
  const title = valueOf(values, 'title');
  const description = valueOf(values, 'description');
  const impact = level(valueOf(values, 'impact'));
  const urgency = level(valueOf(values, 'urgency'));
  const errors: Record<string, string> = {};
  if (!title) errors['title'] = 'Give the incident a title';
  else if (title.length > TITLE_MAX) errors['title'] = `At most ${TITLE_MAX} characters`;
  if (description.length > DESCRIPTION_MAX) errors['description'] = `At most ${DESCRIPTION_MAX} characters`;
  if (!impact) errors['impact'] = 'Choose 1, 2 or 3';
  if (!urgency) errors['urgency'] = 'Choose 1, 2 or 3';
  if (Object.keys(errors).length) return { errors };
  return {
    ok: {
      ...originOf(parseMetadata(privateMetadata)),
      title,
      description,
      impact: impact!,
      urgency: urgency!,
    },
  };
}
