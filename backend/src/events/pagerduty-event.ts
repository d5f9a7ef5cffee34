import type { FieldError } from '../common/errors/request-errors';
import { isJsonObject } from './json-shapes';
import { SEVERITIES, type Severity } from './severity-mapping';

export const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

/** A valid PagerDuty Events API v2 event (the fields we use; others are kept in the raw body). */
export interface PagerDutyEvent {
  readonly routingKey: string | undefined;
  readonly action: EventAction;
  readonly dedupKey: string | undefined;
  readonly payload: {
    readonly summary: string;
    readonly source: string;
    readonly severity: Severity;
    readonly timestamp: string | undefined;
    readonly component: string | undefined;
    readonly group: string | undefined;
    readonly class: string | undefined;
    readonly customDetails: unknown;
  } | null;
  readonly links: readonly { readonly href: string; readonly text: string | undefined }[];
  readonly client: string | undefined;
  readonly clientUrl: string | undefined;
}

/** An optional string of at most `max` characters, or an error. */
function text(
  errors: FieldError[],
  field: string,
  value: unknown,
  max: number,
  required = false,
): string | undefined {
  if (value === undefined || value === null) {
    if (required) errors.push({ field, message: `${field} is required` });
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.push({ field, message: `${field} must be a string` });
    return undefined;
  }
  if (required && value.trim() === '') errors.push({ field, message: `${field} must not be empty` });
  else if (value.length > max) errors.push({ field, message: `${field} must be at most ${max} characters` });
  return value;
}

/** ISO 8601 / RFC 3339 date-time, as PagerDuty documents `payload.timestamp`. */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Validates a parsed body as a PagerDuty Events API v2 event (../shared protocols §4.1): every
 * problem at once, as field errors. Unknown fields are allowed, as PagerDuty allows them:
 * producers send `client`, `images` and fields of their own.
 */
export function parsePagerDutyEvent(body: unknown): { event: PagerDutyEvent } | { errors: FieldError[] } {
  if (!isJsonObject(body)) return { errors: [{ field: 'body', message: 'The body must be a JSON object' }] };
  const errors: FieldError[] = [];
  const routingKey = text(errors, 'routing_key', body['routing_key'], 255);
  const action = body['event_action'];
  if (!EVENT_ACTIONS.includes(action as EventAction)) {
    errors.push({
      field: 'event_action',
      message: `event_action must be one of ${EVENT_ACTIONS.join(', ')}`,
    });
  }
  const dedupKey = text(
    errors,
    'dedup_key',
    body['dedup_key'],
    255,
    action === 'acknowledge' || action === 'resolve',
  );
  if (dedupKey !== undefined && dedupKey.trim() === '' && action === 'trigger') {
    errors.push({
      field: 'dedup_key',
      message: 'dedup_key must not be empty (leave it out to have one generated)',
    });
  }
  let payload: PagerDutyEvent['payload'] = null;
  const rawPayload = body['payload'];
  if (action === 'trigger' || rawPayload !== undefined) {
    if (!isJsonObject(rawPayload)) {
      if (action === 'trigger')
        errors.push({ field: 'payload', message: 'payload is required for a trigger (an object)' });
    } else {
      const summary = text(errors, 'payload.summary', rawPayload['summary'], 1024, action === 'trigger');
      const source = text(errors, 'payload.source', rawPayload['source'], 255, action === 'trigger');
      const severity = rawPayload['severity'];
      if (!SEVERITIES.includes(severity as Severity) && (action === 'trigger' || severity !== undefined)) {
        errors.push({
          field: 'payload.severity',
          message: `payload.severity must be one of ${SEVERITIES.join(', ')}`,
        });
      }
      const timestamp = text(errors, 'payload.timestamp', rawPayload['timestamp'], 64);
      if (timestamp !== undefined && (!ISO_8601.test(timestamp) || Number.isNaN(Date.parse(timestamp)))) {
        errors.push({
          field: 'payload.timestamp',
          message: 'payload.timestamp must be an ISO 8601 date-time',
        });
      }
      const customDetails = rawPayload['custom_details'];
      payload = {
        summary: summary ?? '',
        source: source ?? '',
        severity: (severity as Severity) ?? 'warning',
        timestamp,
        component: text(errors, 'payload.component', rawPayload['component'], 255),
        group: text(errors, 'payload.group', rawPayload['group'], 255),
        class: text(errors, 'payload.class', rawPayload['class'], 255),
        customDetails,
      };
    }
  }
  const links: { href: string; text: string | undefined }[] = [];
  const rawLinks = body['links'];
  if (rawLinks !== undefined) {
    if (!Array.isArray(rawLinks) || rawLinks.length > 50) {
      errors.push({ field: 'links', message: 'links must be an array of at most 50 {href, text}' });
    } else {
      rawLinks.forEach((link: unknown, i) => {
        const href = isJsonObject(link)
          ? text(errors, `links.${i}.href`, link['href'], 2048, true)
          : undefined;
        if (!isJsonObject(link))
          errors.push({ field: `links.${i}`, message: 'each link must be an object {href, text}' });
        else if (href !== undefined)
          links.push({ href, text: text(errors, `links.${i}.text`, link['text'], 1024) });
      });
    }
  }
  const client = text(errors, 'client', body['client'], 255);
  const clientUrl = text(errors, 'client_url', body['client_url'], 2048);
  if (errors.length) return { errors };
  return {
    event: { routingKey, action: action as EventAction, dedupKey, payload, links, client, clientUrl },
  };
}
