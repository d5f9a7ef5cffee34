import type { FieldError } from '../common/errors/request-errors';

/** The inbox channel (and idempotency scope) of ServiceNow's events. */
export const SERVICENOW_CHANNEL = 'servicenow';

export const SERVICENOW_EVENTS = [
  'incident.created',
  'incident.updated',
  'incident.deleted',
  'journal.added',
] as const;
export type ServiceNowEventType = (typeof SERVICENOW_EVENTS)[number];

/** A sys_journal_field row (protocols.md §1.2), the record of a `journal.added` event. */
export interface JournalRecord {
  readonly sys_id: string;
  readonly element: 'comments' | 'work_notes';
  /** The incident's sys_id. */
  readonly element_id: string;
  readonly value: string;
  readonly sys_created_by: string;
  readonly sys_created_on: string;
}

/** A webhook body (protocols.md §1.7) as the sync reads it. */
export interface ServiceNowEvent {
  readonly event_id: string;
  readonly event: ServiceNowEventType;
  /** The incident record as the Table API returns it (raw values), sys_id and sys_updated_on included. */
  readonly record: Readonly<Record<string, unknown>> & { readonly sys_id: string };
  /** For journal.added: the record read as a journal row. */
  readonly journal?: JournalRecord;
}

const SYS_ID = /^[A-Za-z0-9._-]{1,64}$/;
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a webhook body (or a stored one); the errors name the field, for a 400. */
export function parseServiceNowEvent(body: unknown): { body: ServiceNowEvent } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (!isObject(body)) return { errors: [{ field: 'body', message: 'must be a JSON object' }] };
  const { event_id: eventId, event, record } = body;
  if (typeof eventId !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(eventId)) {
    errors.push({ field: 'event_id', message: 'must be 1 to 255 visible ASCII characters' });
  }
  if (typeof event !== 'string' || !(SERVICENOW_EVENTS as readonly string[]).includes(event)) {
    errors.push({ field: 'event', message: `must be one of ${SERVICENOW_EVENTS.join(', ')}` });
  }
  if (!isObject(record)) {
    errors.push({ field: 'record', message: 'must be the record as the Table API returns it' });
    return { errors };
  }
  if (typeof record['sys_id'] !== 'string' || !SYS_ID.test(record['sys_id'])) {
    errors.push({ field: 'record.sys_id', message: 'must be the record sys_id' });
  }
  if (event === 'journal.added') {
    if (record['element'] !== 'comments' && record['element'] !== 'work_notes') {
      errors.push({ field: 'record.element', message: 'must be comments or work_notes' });
    }
    if (typeof record['element_id'] !== 'string' || !SYS_ID.test(record['element_id'])) {
      errors.push({ field: 'record.element_id', message: "must be the incident's sys_id" });
    }
    if (typeof record['value'] !== 'string') errors.push({ field: 'record.value', message: 'must be text' });
  } else if (event !== 'incident.deleted') {
    if (typeof record['sys_updated_on'] !== 'string' || !TIME.test(record['sys_updated_on'])) {
      errors.push({ field: 'record.sys_updated_on', message: 'must be YYYY-MM-DD HH:MM:SS (UTC)' });
    }
    const modCount = record['sys_mod_count'];
    const countText = typeof modCount === 'number' ? String(modCount) : modCount;
    if (countText !== undefined && !(typeof countText === 'string' && /^\d{1,9}$/.test(countText))) {
      errors.push({ field: 'record.sys_mod_count', message: 'must be a count' });
    }
  }
  if (errors.length) return { errors };
  const parsed = body as unknown as ServiceNowEvent;
  const normalised = {
    ...record,
    sys_id: record['sys_id'] as string,
    number: typeof record['number'] === 'string' ? record['number'] : '',
    sys_mod_count:
      typeof record['sys_mod_count'] === 'number'
        ? String(record['sys_mod_count'])
        : typeof record['sys_mod_count'] === 'string'
          ? record['sys_mod_count']
          : '',
  };
  return {
    body: {
      event_id: parsed.event_id,
      event: parsed.event,
      record: normalised,
      ...(event === 'journal.added'
        ? {
            journal: {
              sys_id: record['sys_id'] as string,
              element: record['element'] as JournalRecord['element'],
              element_id: record['element_id'] as string,
              value: record['value'] as string,
              sys_created_by: typeof record['sys_created_by'] === 'string' ? record['sys_created_by'] : '',
              sys_created_on: typeof record['sys_created_on'] === 'string' ? record['sys_created_on'] : '',
            },
          }
        : {}),
    },
  };
}

/** Events of one incident are processed in order: the incident's sys_id (a journal row's element_id). */
export function orderKeyOf(event: ServiceNowEvent): string {
  return `servicenow|${event.journal?.element_id ?? event.record.sys_id}`;
}
