import { createHash, randomBytes } from 'node:crypto';
import { parseEncodedQuery, sortRows, type Row } from './servicenow-encoded-query';

/**
 * The tables of the simulated instance and the rules that run when an incident is written
 * (docs/protocols.md §1.1–1.3): raw string values, INC numbering, sys_mod_count and
 * sys_updated_on bumps with one-second granularity, priority from impact × urgency, journal
 * fields appended to sys_journal_field, resolution timestamps, an optional close-field data
 * policy. No HTTP here: the simulator's Table API and its test helpers both write through it.
 */

export type TableName = 'incident' | 'sys_journal_field' | 'sys_choice' | 'sys_user_group' | 'sys_user';
export type JournalElement = 'comments' | 'work_notes';
export type DisplayMode = 'false' | 'true' | 'all';

export interface Actor {
  readonly userName: string;
  /** sys_user sys_id, for reference fields such as opened_by. */
  readonly sysId: string;
  /** Full name, for journal display values. */
  readonly name: string;
}

export interface SysUserRow {
  readonly sys_id: string;
  readonly user_name: string;
  readonly email: string;
  readonly first_name: string;
  readonly last_name: string;
  readonly name: string;
  readonly active: string;
}

export interface CloseCode {
  readonly value: string;
  readonly label: string;
}

/** What a write produced: the record after it, whether anything changed, and new journal rows. */
export interface WriteOutcome {
  readonly record: Row;
  readonly changed: boolean;
  readonly journal: readonly Row[];
}

/** A write the instance refuses (ACL, data policy, bad body). */
export class TableWriteRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail: string | null,
  ) {
    super(message);
  }
}

export const INCIDENT_FIELDS = [
  'sys_id',
  'number',
  'short_description',
  'description',
  'state',
  'incident_state',
  'impact',
  'urgency',
  'priority',
  'hold_reason',
  'category',
  'subcategory',
  'assignment_group',
  'assigned_to',
  'caller_id',
  'opened_by',
  'opened_at',
  'resolved_by',
  'resolved_at',
  'closed_by',
  'closed_at',
  'close_code',
  'close_notes',
  'comments',
  'work_notes',
  'correlation_id',
  'correlation_display',
  'active',
  'sys_class_name',
  'sys_created_on',
  'sys_created_by',
  'sys_updated_on',
  'sys_updated_by',
  'sys_mod_count',
] as const;

/** Fields a Table API write may set; anything else in a body is ignored, as the instance does. */
const WRITABLE = new Set<string>([
  'short_description',
  'description',
  'state',
  'impact',
  'urgency',
  // Accepted and then overwritten by the priority lookup (protocols.md §1.3).
  'priority',
  'hold_reason',
  'category',
  'subcategory',
  'assignment_group',
  'assigned_to',
  'caller_id',
  'opened_at',
  'close_code',
  'close_notes',
  'comments',
  'work_notes',
  // An integration's own key for the record (ours: the incident id), queryable.
  'correlation_id',
  'correlation_display',
]);

export const JOURNAL_ELEMENTS: readonly JournalElement[] = ['comments', 'work_notes'];

const REFERENCES: Readonly<Record<string, 'sys_user_group' | 'sys_user'>> = {
  assignment_group: 'sys_user_group',
  assigned_to: 'sys_user',
  caller_id: 'sys_user',
  opened_by: 'sys_user',
  resolved_by: 'sys_user',
  closed_by: 'sys_user',
};

const FIELDS: Readonly<Record<TableName, readonly string[]>> = {
  incident: INCIDENT_FIELDS,
  sys_journal_field: ['sys_id', 'element', 'element_id', 'name', 'value', 'sys_created_by', 'sys_created_on'],
  sys_choice: ['sys_id', 'name', 'element', 'value', 'label', 'language', 'sequence', 'inactive'],
  sys_user_group: ['sys_id', 'name', 'description', 'active'],
  sys_user: ['sys_id', 'user_name', 'email', 'first_name', 'last_name', 'name', 'active'],
};

const STATE_LABELS: Readonly<Record<string, string>> = {
  '1': 'New',
  '2': 'In Progress',
  '3': 'On Hold',
  '6': 'Resolved',
  '7': 'Closed',
  '8': 'Canceled',
};
const CHOICE_LABELS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  state: STATE_LABELS,
  incident_state: STATE_LABELS,
  impact: { '1': '1 - High', '2': '2 - Medium', '3': '3 - Low' },
  urgency: { '1': '1 - High', '2': '2 - Medium', '3': '3 - Low' },
  priority: {
    '1': '1 - Critical',
    '2': '2 - High',
    '3': '3 - Moderate',
    '4': '4 - Low',
    '5': '5 - Planning',
  },
  hold_reason: {
    '1': 'Awaiting Caller',
    '3': 'Awaiting Problem',
    '4': 'Awaiting Vendor',
    '5': 'Awaiting Change',
  },
};

/** protocols.md §1.3, base close codes (value = label). */
export const BASE_CLOSE_CODES: readonly string[] = [
  'Solved (Work Around)',
  'Solved (Permanently)',
  'Solved Remotely (Work Around)',
  'Solved Remotely (Permanently)',
  'Not Solved (Not Reproducible)',
  'Not Solved (Too Costly)',
  'Closed/Resolved by Caller',
];

export const DEFAULT_GROUPS: readonly string[] = [
  'Service Desk',
  'Network',
  'Database',
  'Hardware',
  'Software',
];

/** protocols.md §1.3: priority from impact (rows) × urgency (columns). */
export function priorityFor(impact: string, urgency: string): string {
  const i = clampLevel(impact);
  const u = clampLevel(urgency);
  return String(Math.min(5, i + u - 1));
}

/** `YYYY-MM-DD HH:MM:SS` UTC, truncated to the second. */
export function glideDateTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

export function newSysId(): string {
  return randomBytes(16).toString('hex');
}

/** A stable sys_id for a user_name the simulator was not given (helpers may name anyone). */
export function sysIdForName(name: string): string {
  return createHash('md5').update(name).digest('hex');
}

export function isJournalElement(value: string): value is JournalElement {
  return value === 'comments' || value === 'work_notes';
}

export interface ServiceNowTablesOptions {
  readonly now: () => number;
  readonly users: () => readonly SysUserRow[];
  readonly firstIncidentNumber?: number;
  readonly closeCodes?: readonly (string | CloseCode)[];
  readonly groups?: readonly (string | { readonly sysId?: string; readonly name: string })[];
}

export interface PresentOptions {
  readonly fields?: readonly string[] | undefined;
  readonly displayValue?: DisplayMode;
  readonly excludeReferenceLink?: boolean;
}

export class ServiceNowTables {
  /** Require close_code and close_notes to resolve or close (a data policy: binds the Table API). */
  closeFieldsPolicy = false;
  /** glide.invalid_query.returns_no_rows: unknown fields in a query match nothing instead of being dropped. */
  invalidQueryReturnsNoRows = false;

  private readonly incidents = new Map<string, Record<string, string>>();
  private readonly journalRows: Row[] = [];
  private choiceRows: Row[] = [];
  private readonly groupRows: Row[] = [];
  private nextNumber: number;

  constructor(
    private readonly options: ServiceNowTablesOptions,
    /** Base URL for reference links. */
    private readonly baseUrl: () => string,
  ) {
    this.nextNumber = options.firstIncidentNumber ?? 10001;
    this.setCloseCodes(options.closeCodes ?? BASE_CLOSE_CODES);
    for (const group of options.groups ?? DEFAULT_GROUPS) {
      if (typeof group === 'string') this.addGroup(group);
      else this.addGroup(group.name, group.sysId);
    }
  }

  fieldsOf(table: TableName): ReadonlySet<string> {
    return new Set(FIELDS[table]);
  }

  rows(table: TableName): readonly Row[] {
    switch (table) {
      case 'incident':
        return [...this.incidents.values()];
      case 'sys_journal_field':
        return this.journalRows;
      case 'sys_choice':
        return this.choiceRows;
      case 'sys_user_group':
        return this.groupRows;
      case 'sys_user':
        return this.options.users().map((user) => ({ ...user }));
    }
  }

  /** Rows matching an encoded query, ordered; throws EncodedQueryError for what it cannot evaluate. */
  query(table: TableName, encodedQuery: string, callerSysId?: string): Row[] {
    const dotWalks = table === 'incident' && encodedQuery.includes('.');
    const fields = new Set([...this.fieldsOf(table), ...(dotWalks ? this.dotWalkFields() : [])]);
    const parsed = parseEncodedQuery(encodedQuery, {
      fields,
      callerSysId,
      invalidQueryReturnsNoRows: this.invalidQueryReturnsNoRows,
    });
    if (!dotWalks) return sortRows(this.rows(table).filter(parsed.matches), parsed.orderBy);
    const walked = this.rows(table)
      .map((row) => this.withDotWalks(row))
      .filter(parsed.matches);
    return sortRows(walked, parsed.orderBy).map((row) => this.incidents.get(row.sys_id ?? '') ?? row);
  }

  /** `assignment_group.name`, `caller_id.user_name`…: one level of dot-walking through references. */
  private dotWalkFields(): string[] {
    return Object.entries(REFERENCES).flatMap(([field, target]) =>
      FIELDS[target].map((name) => `${field}.${name}`),
    );
  }

  /** The row plus its one-level dot-walked values ("" through an empty reference). */
  private withDotWalks(row: Row): Row {
    const walked: Record<string, string> = { ...row };
    for (const [field, target] of Object.entries(REFERENCES)) {
      const value = row[field] ?? '';
      const targetRow = value === '' ? undefined : this.find(target, value);
      for (const name of FIELDS[target]) walked[`${field}.${name}`] = targetRow?.[name] ?? '';
    }
    return walked;
  }

  find(table: TableName, sysId: string): Row | undefined {
    if (table === 'incident') return this.incidents.get(sysId);
    return this.rows(table).find((row) => row.sys_id === sysId);
  }

  setCloseCodes(codes: readonly (string | CloseCode)[]): void {
    this.choiceRows = codes.map((code, index) => {
      const { value, label } = typeof code === 'string' ? { value: code, label: code } : code;
      return {
        sys_id: sysIdForName(`sys_choice:incident:close_code:${value}`),
        name: 'incident',
        element: 'close_code',
        value,
        label,
        language: 'en',
        sequence: String(index + 1),
        inactive: 'false',
      };
    });
  }

  addGroup(name: string, sysId: string = sysIdForName(`sys_user_group:${name}`)): Row {
    const row = { sys_id: sysId, name, description: '', active: 'true' };
    this.groupRows.push(row);
    return row;
  }

  journalOf(sysId: string): Row[] {
    return this.journalRows.filter((row) => row.element_id === sysId);
  }

  /** The Table API's view of a row: selected fields, display values, reference links. */
  present(table: TableName, stored: Row, options: PresentOptions = {}): Record<string, unknown> {
    const known = table === 'incident' ? [...FIELDS[table], ...this.dotWalkFields()] : FIELDS[table];
    const fields =
      options.fields === undefined || options.fields.length === 0
        ? FIELDS[table]
        : known.filter((field) => options.fields?.includes(field));
    const row = fields.some((field) => field.includes('.')) ? this.withDotWalks(stored) : stored;
    const mode = options.displayValue ?? 'false';
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      const value = row[field] ?? '';
      const reference = table === 'incident' ? REFERENCES[field] : undefined;
      const link =
        reference !== undefined && value !== '' && !options.excludeReferenceLink
          ? `${this.baseUrl()}/api/now/table/${reference}/${value}`
          : undefined;
      if (mode === 'false') {
        out[field] = link === undefined ? value : { link, value };
        continue;
      }
      const display = this.displayValue(table, row, field, value, reference);
      if (mode === 'true') out[field] = display;
      else
        out[field] =
          link === undefined ? { display_value: display, value } : { display_value: display, link, value };
    }
    return out;
  }

  /** Inserts an incident as `actor`; `enforce` applies the data policy. */
  insertIncident(body: Readonly<Record<string, unknown>>, actor: Actor, enforce: boolean): WriteOutcome {
    const changes = this.writableChanges(body);
    const now = glideDateTime(this.options.now());
    const requestedId =
      typeof body.sys_id === 'string' && /^[0-9a-f]{32}$/.test(body.sys_id) ? body.sys_id : '';
    const sysId = requestedId !== '' && !this.incidents.has(requestedId) ? requestedId : newSysId();
    const blank = Object.fromEntries(INCIDENT_FIELDS.map((field) => [field, ''])) as Record<string, string>;
    const record: Record<string, string> = {
      ...blank,
      sys_id: sysId,
      number: `INC${String(this.nextNumber).padStart(7, '0')}`,
      state: '1',
      impact: '3',
      urgency: '3',
      active: 'true',
      sys_class_name: 'incident',
      opened_by: actor.sysId,
      opened_at: now,
      sys_created_on: now,
      sys_created_by: actor.userName,
      sys_updated_on: now,
      sys_updated_by: actor.userName,
      sys_mod_count: '0',
      ...changes.fields,
    };
    this.applyBusinessRules(record, undefined, actor, now);
    if (enforce) this.enforceDataPolicy(record);
    this.nextNumber += 1;
    this.incidents.set(sysId, record);
    const journal = this.appendJournal(record, changes.journal, actor, now);
    return { record: { ...record }, changed: true, journal };
  }

  /**
   * Updates only the fields given. A write that changes nothing is not an update: no
   * sys_mod_count bump, no business rule (what a "write permission" probe relies on).
   */
  updateIncident(
    sysId: string,
    body: Readonly<Record<string, unknown>>,
    actor: Actor,
    enforce: boolean,
  ): WriteOutcome | undefined {
    const current = this.incidents.get(sysId);
    if (current === undefined) return undefined;
    const changes = this.writableChanges(body);
    const now = glideDateTime(this.options.now());
    const next: Record<string, string> = { ...current, ...changes.fields };
    this.applyBusinessRules(next, current, actor, now);
    const changed =
      changes.journal.length > 0 || INCIDENT_FIELDS.some((field) => next[field] !== current[field]);
    if (!changed) return { record: { ...current }, changed: false, journal: [] };
    if (enforce) this.enforceDataPolicy(next);
    next.sys_mod_count = String(Number(current.sys_mod_count) + 1);
    next.sys_updated_on = now;
    next.sys_updated_by = actor.userName;
    this.incidents.set(sysId, next);
    const journal = this.appendJournal(next, changes.journal, actor, now);
    return { record: { ...next }, changed: true, journal };
  }

  deleteIncident(sysId: string): Row | undefined {
    const current = this.incidents.get(sysId);
    if (current === undefined) return undefined;
    this.incidents.delete(sysId);
    return current;
  }

  private writableChanges(body: Readonly<Record<string, unknown>>): {
    fields: Record<string, string>;
    journal: { element: JournalElement; value: string }[];
  } {
    const fields: Record<string, string> = {};
    const journal: { element: JournalElement; value: string }[] = [];
    for (const [field, raw] of Object.entries(body)) {
      if (!WRITABLE.has(field)) continue;
      const value = this.rawValue(field, raw);
      if (value === undefined) continue;
      if (isJournalElement(field)) {
        // An empty journal write adds nothing; the field always reads back as "".
        if (value.trim() !== '') journal.push({ element: field, value });
        continue;
      }
      fields[field] = value;
    }
    return { fields, journal };
  }

  /** Strings as given; numbers and booleans as text; a reference may be given by display name. */
  private rawValue(field: string, raw: unknown): string | undefined {
    let value: string;
    if (raw === null) value = '';
    else if (typeof raw === 'string') value = raw;
    else if (typeof raw === 'number' || typeof raw === 'boolean') value = String(raw);
    else if (typeof raw === 'object' && typeof (raw as { value?: unknown }).value === 'string') {
      value = (raw as { value: string }).value;
    } else return undefined;
    const reference = REFERENCES[field];
    if (reference !== undefined && value !== '' && this.find(reference, value) === undefined) {
      // The instance resolves a non-sys_id reference value against the display field.
      const byName = this.rows(reference).find((row) =>
        reference === 'sys_user' ? row.user_name === value || row.name === value : row.name === value,
      );
      if (byName?.sys_id !== undefined) return byName.sys_id;
    }
    return value;
  }

  private applyBusinessRules(
    next: Record<string, string>,
    previous: Row | undefined,
    actor: Actor,
    now: string,
  ): void {
    next.priority = priorityFor(next.impact ?? '3', next.urgency ?? '3');
    next.incident_state = next.state ?? '1';
    const state = next.state ?? '1';
    const wasDone = previous !== undefined && ['6', '7'].includes(previous.state ?? '');
    if ((state === '6' || state === '7') && (next.resolved_at ?? '') === '') {
      next.resolved_at = now;
      next.resolved_by = actor.sysId;
    }
    if (state === '7' && (next.closed_at ?? '') === '') {
      next.closed_at = now;
      next.closed_by = actor.sysId;
    }
    if (wasDone && !['6', '7', '8'].includes(state)) {
      // Reopened: the base "incident reopen" rule clears the resolution stamps.
      next.resolved_at = '';
      next.resolved_by = '';
      next.closed_at = '';
      next.closed_by = '';
    }
    if (state !== '3') next.hold_reason = '';
    next.active = state === '7' || state === '8' ? 'false' : 'true';
  }

  private enforceDataPolicy(record: Row): void {
    if (!this.closeFieldsPolicy) return;
    if (record.state !== '6' && record.state !== '7') return;
    const missing = [
      (record.close_code ?? '') === '' ? 'Resolution code' : undefined,
      (record.close_notes ?? '') === '' ? 'Resolution notes' : undefined,
    ].filter((label) => label !== undefined);
    if (missing.length > 0) {
      throw new TableWriteRefusal(
        403,
        `Data Policy Exception: \n\tThe following fields are mandatory: ${missing.join(', ')}\n`,
        'Operation Failed',
      );
    }
  }

  private appendJournal(
    record: Row,
    entries: readonly { element: JournalElement; value: string }[],
    actor: Actor,
    now: string,
  ): Row[] {
    const rows = entries.map((entry) => ({
      sys_id: newSysId(),
      element: entry.element,
      element_id: record.sys_id ?? '',
      name: 'incident',
      value: entry.value,
      sys_created_by: actor.userName,
      sys_created_on: now,
    }));
    this.journalRows.push(...rows);
    return rows;
  }

  private displayValue(
    table: TableName,
    row: Row,
    field: string,
    value: string,
    reference: 'sys_user_group' | 'sys_user' | undefined,
  ): string {
    if (table !== 'incident') return value;
    if (reference !== undefined) {
      const target = value === '' ? undefined : this.find(reference, value);
      return target?.name ?? '';
    }
    if (isJournalElement(field)) return this.journalHistory(row.sys_id ?? '', field);
    return CHOICE_LABELS[field]?.[value] ?? value;
  }

  /** Newest first, as the form's activity shows (format unverified: protocols.md §1.2). */
  private journalHistory(sysId: string, element: JournalElement): string {
    const label = element === 'comments' ? 'Additional comments' : 'Work notes';
    const users = this.options.users();
    return this.journalRows
      .filter((row) => row.element_id === sysId && row.element === element)
      .reverse()
      .map((row) => {
        const author =
          users.find((user) => user.user_name === row.sys_created_by)?.name ?? row.sys_created_by;
        return `${row.sys_created_on} - ${author} (${label})\n${row.value}\n\n`;
      })
      .join('');
  }
}

function clampLevel(value: string): number {
  const level = Number.parseInt(value, 10);
  return Number.isFinite(level) ? Math.min(3, Math.max(1, level)) : 3;
}
