import {
  CLOSE_CODES,
  INCIDENT_STATES,
  type CloseCode,
  type IncidentState,
} from '../incidents/incident-state';
import type { IncidentView } from '../incidents/dto/incident.view';
import type { Level } from '../incidents/incident-priority';
import type { ServiceNowSyncMapping } from './servicenow-sync-settings';
import { MAPPED_LEVELS, type MappedLevel } from './servicenow-mapping';

/*
 * The written conflict policy (docs/servicenow.md, "Sync and conflict policy"), as data: each
 * mapped field, its ServiceNow twin and its owner. Free of Nest and TypeORM: its spec just calls
 * the functions. `priority` is never written (ServiceNow derives it from impact × urgency).
 */

export type FieldOwner = 'servicenow' | 'nexecute' | 'last_writer';

/** Our incident fields that are synced. */
export type SyncedField =
  | 'title'
  | 'description'
  | 'impact'
  | 'urgency'
  | 'category'
  | 'assignmentGroup'
  | 'state'
  | 'closeCode'
  | 'closeNotes';

export interface FieldPolicy {
  readonly ours: SyncedField;
  readonly theirs: string;
  readonly owner: FieldOwner;
}

export const CONFLICT_POLICY: readonly FieldPolicy[] = [
  { ours: 'title', theirs: 'short_description', owner: 'last_writer' },
  { ours: 'description', theirs: 'description', owner: 'last_writer' },
  // Responders triage here: ServiceNow's edits of impact and urgency are not taken.
  { ours: 'impact', theirs: 'impact', owner: 'nexecute' },
  { ours: 'urgency', theirs: 'urgency', owner: 'nexecute' },
  // ServiceNow's taxonomy: ours is sent when the record is created, then theirs rules.
  { ours: 'category', theirs: 'category', owner: 'servicenow' },
  { ours: 'assignmentGroup', theirs: 'assignment_group', owner: 'last_writer' },
  { ours: 'state', theirs: 'state', owner: 'last_writer' },
  { ours: 'closeCode', theirs: 'close_code', owner: 'last_writer' },
  { ours: 'closeNotes', theirs: 'close_notes', owner: 'last_writer' },
];

export const POLICY_BY_FIELD: ReadonlyMap<SyncedField, FieldPolicy> = new Map(
  CONFLICT_POLICY.map((p) => [p.ours, p]),
);

/** Who wrote a field last, as servicenow_links.field_writers keeps it. */
export interface FieldWriter {
  readonly by: 'servicenow' | 'nexecute';
  /** ISO time of the write: our change's time, or the record's sys_updated_on (UTC). */
  readonly at: string;
  /** Our incident version that wrote it (ours only). */
  readonly version?: number;
  /** The record's sys_mod_count in the instance's answer to our write (ours only). */
  readonly modCount?: number;
}

export type FieldWriters = Partial<Record<SyncedField, FieldWriter>>;

/** sys_updated_on has one-second granularity: times are compared per whole second. */
const second = (iso: string | Date): number => Math.floor(new Date(iso).getTime() / 1000);

/**
 * Whether ServiceNow's value, changed at `theirsAt` (record version `theirsModCount`), replaces
 * ours. Last writer: when we know the version our write made there, the instance's own order
 * decides (a version before it was overwritten there by ours, one after it came later); else
 * theirs unless we wrote the field in a later second, ServiceNow's within the same second (both
 * directions agree, so the two sides converge).
 */
export function inboundWins(
  owner: FieldOwner,
  writer: FieldWriter | undefined,
  theirsAt: Date,
  theirsModCount?: number,
): boolean {
  if (owner === 'servicenow') return true;
  if (owner === 'nexecute') return false;
  if (!writer || writer.by === 'servicenow') return true;
  if (writer.modCount !== undefined && theirsModCount !== undefined && Number.isFinite(theirsModCount))
    return theirsModCount > writer.modCount;
  return second(theirsAt) >= second(writer.at);
}

/**
 * Whether our change (at `oursAt`, incident version `version`) is written to ServiceNow: never a
 * field ServiceNow owns, never one a newer version of ours already wrote, and a last-writer field
 * only when ServiceNow did not write it in the same second or later.
 */
export function outboundWins(
  owner: FieldOwner,
  writer: FieldWriter | undefined,
  oursAt: Date,
  version: number,
): boolean {
  if (owner === 'servicenow') return false;
  if (writer?.by === 'nexecute' && (writer.version ?? 0) > version) return false;
  if (owner === 'nexecute' || !writer || writer.by === 'nexecute') return true;
  return second(oursAt) > second(writer.at);
}

/** The instance's close codes (sys_choice), and how a few of ours map to the base ones. */
const BASE_EQUIVALENTS: Readonly<Partial<Record<CloseCode, readonly string[]>>> = {
  'Solution provided': ['Solved (Permanently)', 'Solved Remotely (Permanently)'],
  'Workaround provided': ['Solved (Work Around)', 'Solved Remotely (Work Around)'],
  'Resolved by caller': ['Closed/Resolved by Caller'],
  'No resolution provided': ['Not Solved (Not Reproducible)', 'Not Solved (Too Costly)'],
};

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Our close code as the instance's `close_code` value: the admin's mapping; else the instance's
 * choice with that value or label; else its base equivalent; else the instance's first choice.
 */
export function closeCodeToServiceNow(
  ours: CloseCode,
  mapping: ServiceNowSyncMapping,
  choices: readonly { value: string; label: string }[],
): string {
  const mapped = mapping.closeCodes[ours];
  if (mapped) return mapped;
  const direct = choices.find((c) => same(c.value, ours) || same(c.label, ours));
  if (direct) return direct.value;
  for (const candidate of BASE_EQUIVALENTS[ours] ?? []) {
    const found = choices.find((c) => same(c.value, candidate) || same(c.label, candidate));
    if (found) return found.value;
  }
  return choices[0]?.value ?? ours;
}

/** The instance's close code as ours (the reverse of the above); anything else: Solution provided. */
export function closeCodeFromServiceNow(value: string, mapping: ServiceNowSyncMapping): CloseCode {
  const mapped = (Object.entries(mapping.closeCodes) as [CloseCode, string][]).find(([, v]) =>
    same(v, value),
  );
  if (mapped) return mapped[0];
  const ours = CLOSE_CODES.find((c) => same(c, value));
  if (ours) return ours;
  const base = (Object.entries(BASE_EQUIVALENTS) as [CloseCode, readonly string[]][]).find(([, list]) =>
    list.some((v) => same(v, value)),
  );
  return base?.[0] ?? 'Solution provided';
}

/** Our values of the synced fields, as a record (close code already resolved by the caller). */
export type OurValues = {
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  category: string | null;
  assignmentGroup: string | null;
  state: IncidentState;
  closeCode: CloseCode | null;
  closeNotes: string | null;
};

export function ourValues(view: IncidentView): OurValues {
  return {
    title: view.title,
    description: view.description,
    impact: view.impact as Level,
    urgency: view.urgency as Level,
    category: view.category,
    assignmentGroup: view.assignmentGroup,
    state: view.state,
    closeCode: view.closeCode,
    closeNotes: view.closeNotes,
  };
}

/**
 * The instance's fields for ours (only those named). An assignment group with no sys_id in the
 * mapping falls back to the default group, or is left out.
 */
export function toServiceNowFields(
  values: OurValues,
  fields: readonly SyncedField[],
  mapping: ServiceNowSyncMapping,
  closeCode: (ours: CloseCode) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of fields) {
    const theirs = POLICY_BY_FIELD.get(field)!.theirs;
    switch (field) {
      case 'impact':
      case 'urgency':
        out[theirs] = mapping[field][String(values[field]) as MappedLevel] ?? String(values[field]);
        break;
      case 'category':
        out[theirs] = values.category ?? '';
        break;
      case 'assignmentGroup': {
        const group =
          (values.assignmentGroup && mapping.assignmentGroups[values.assignmentGroup]) ||
          mapping.defaultAssignmentGroup;
        if (group) out[theirs] = group;
        break;
      }
      case 'state':
        out[theirs] = mapping.states[values.state];
        if (values.state === 'on_hold') out['hold_reason'] = mapping.holdReason;
        break;
      case 'closeCode':
        if (values.closeCode) out[theirs] = closeCode(values.closeCode);
        break;
      case 'closeNotes':
        if (values.closeNotes) out[theirs] = values.closeNotes;
        break;
      default:
        out[theirs] = values[field];
    }
  }
  return out;
}

/** A reference field's sys_id, whether the instance sent it bare or as `{ value, link }`. */
function referenceValue(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (raw && typeof raw === 'object' && typeof (raw as { value?: unknown }).value === 'string') {
    return (raw as { value: string }).value;
  }
  return undefined;
}

const LEVEL = /^[123]$/;

/**
 * Our values of the fields the record carries and we can read (an unknown state, group or level
 * is left out, never guessed).
 */
export function fromServiceNowRecord(
  record: Readonly<Record<string, unknown>>,
  mapping: ServiceNowSyncMapping,
): Partial<OurValues> {
  const out: Partial<OurValues> = {};
  const text = (name: string): string | undefined =>
    typeof record[name] === 'string' ? record[name] : undefined;
  const title = text('short_description')?.replace(/\s+/g, ' ').trim();
  if (title) out.title = title.length <= 200 ? title : `${title.slice(0, 199)}…`;
  const description = text('description');
  if (description !== undefined) out.description = description.slice(0, 20000);
  for (const level of ['impact', 'urgency'] as const) {
    const v = text(level);
    if (!v) continue;
    // the first of ours the mapping sends as this value; else the value itself if it is a level
    const ours = MAPPED_LEVELS.find((l) => mapping[level][l] === v) ?? (LEVEL.test(v) ? v : undefined);
    if (ours) out[level] = Number(ours) as Level;
  }
  const category = text('category');
  if (category !== undefined) out.category = category.trim().slice(0, 100) || null;
  const groupId = referenceValue(record['assignment_group']);
  if (groupId !== undefined) {
    const name = Object.entries(mapping.assignmentGroups).find(([, id]) => id === groupId)?.[0];
    if (name) out.assignmentGroup = name;
    else if (groupId === '') out.assignmentGroup = null;
  }
  const state = text('state');
  const ourState = INCIDENT_STATES.find((s) => mapping.states[s] === state);
  if (ourState) out.state = ourState;
  const closeCode = text('close_code');
  if (closeCode) out.closeCode = closeCodeFromServiceNow(closeCode, mapping);
  const closeNotes = text('close_notes');
  if (closeNotes) out.closeNotes = closeNotes.slice(0, 4000);
  return out;
}

/** `YYYY-MM-DD HH:MM:SS` (UTC, as the Table API gives it) as a Date; null if it is not one. */
export function parseServiceNowTime(value: unknown): Date | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value)) return null;
  const at = new Date(`${value.replace(' ', 'T')}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** The prefix that keeps a journal entry's author when we write it to ServiceNow. */
export function authoredBody(author: string, body: string): string {
  return `[${author} via Nexecute] ${body}`;
}

/** Whether a journal entry's text is one we wrote (its echo is not added again). */
export const OUR_JOURNAL_PREFIX = /^\[[^\]\n]{1,300} via Nexecute\] /;
