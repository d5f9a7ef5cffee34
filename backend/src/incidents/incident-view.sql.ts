import type { PersonSql } from '../users/person-sql';

/*
 * The one definition of an incident as the API shows it (IncidentView, whose class documents
 * it for OpenAPI): which SQL yields each field, and how a row of those values, read as the
 * database's text, becomes the view's JSON text. A list page is written from these texts
 * without creating a Date or an object per field: parsing rows into values and serialising
 * them again was most of a list request's CPU (bench/incidents), and having PostgreSQL build
 * the JSON (json_build_object) cost it more than the whole query.
 */

/** A JS `Date#toISOString()` string (UTC, milliseconds, `Z`), whatever the session's time zone. */
function isoTimestamp(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** SQL owned by other modules that an incident's view shows. */
export interface IncidentViewParts {
  /** The PersonView of the user whose id is in a column, through a LEFT JOIN. */
  readonly person: (alias: string, idColumn: string) => PersonSql;
  /** How many side effects of the incident whose id is in the given column are undelivered. */
  readonly deliveriesBehind: (idColumn: string) => string;
}

/** Every incidents column a view needs (never search_vector, the largest). */
export const VIEW_COLUMNS = [
  'id',
  'number',
  'title',
  'description',
  'state',
  'impact',
  'urgency',
  'priority',
  'category',
  'assignee_id',
  'assignment_group',
  'reporter_id',
  'source',
  'close_code',
  'close_notes',
  'servicenow_sys_id',
  'external_system',
  'external_ref',
  'external_number',
  'slack_channel',
  'slack_ts',
  'opened_at',
  'acknowledged_at',
  'resolved_at',
  'closed_at',
  'sla_due_at',
  'alert_count',
  'last_alert_at',
  'version',
  'created_at',
  'updated_at',
] as const;

type Text = string | null;
/** Writes one field's JSON value from the row's texts. */
type Writer = (row: readonly Text[]) => string;

const quoted = (v: Text): string => (v === null ? 'null' : JSON.stringify(v));
/** uuids, digits and to_char timestamps never need escaping. */
const plain = (v: Text): string => (v === null ? 'null' : `"${v}"`);
const number = (v: Text): string => (v === null ? 'null' : v);
/** 't' is a boolean's wire text, 'true' its ::text cast. */
const boolean = (v: Text): string => (v === null ? 'null' : v === 't' || v === 'true' ? 'true' : 'false');

/**
 * The compiled view for rows aliased `p` (the incidents columns above, plus any extra
 * columns the caller appends after `columns`).
 */
export class IncidentViewSql {
  /** The SELECT list, in the order `json()` reads it. */
  readonly columns: string;
  /** The same columns cast to text, for `ARRAY[…]`: one text[] value per row. */
  readonly textColumns: string;
  /** LEFT JOINs the select list needs, to follow `FROM … p`. */
  readonly joins: string;
  /** How many columns `columns` has (the first is the id); a caller's own columns follow. */
  readonly width: number;
  private readonly writers: ReadonlyArray<readonly [string, Writer]>;
  private readonly joinList: string[] = [];

  constructor(parts: IncidentViewParts) {
    const columns: string[] = [];
    const at = (sql: string): number => columns.push(sql) - 1;
    const field = (sql: string, format: (v: Text) => string): Writer => {
      const i = at(sql);
      return (row) => format(row[i] ?? null);
    };
    const person = (alias: string, idColumn: string): Writer => {
      const sql = parts.person(alias, idColumn);
      const [id, name, email] = [at(sql.id), at(sql.name), at(sql.email)];
      this.joinList.push(sql.join);
      return (row) =>
        (row[id] ?? null) === null
          ? 'null'
          : `{"id":"${row[id]}","name":${quoted(row[name] ?? null)},"email":${quoted(row[email] ?? null)}}`;
    };
    const p = (column: (typeof VIEW_COLUMNS)[number]): string => `p.${column}`;
    const object =
      (fields: ReadonlyArray<readonly [string, Writer]>): Writer =>
      (row) =>
        `{${fields.map(([k, w]) => `"${k}":${w(row)}`).join(',')}}`;
    this.writers = [
      ['id', field(p('id'), plain)],
      ['number', field(p('number'), quoted)],
      ['title', field(p('title'), quoted)],
      ['description', field(p('description'), quoted)],
      ['state', field(p('state'), quoted)],
      ['impact', field(p('impact'), number)],
      ['urgency', field(p('urgency'), number)],
      ['priority', field(p('priority'), number)],
      ['category', field(p('category'), quoted)],
      ['assignee', person('assignee', p('assignee_id'))],
      ['assignmentGroup', field(p('assignment_group'), quoted)],
      ['reporter', person('reporter', p('reporter_id'))],
      ['source', field(p('source'), quoted)],
      ['closeCode', field(p('close_code'), quoted)],
      ['closeNotes', field(p('close_notes'), quoted)],
      [
        'external',
        object([
          ['servicenowSysId', field(p('servicenow_sys_id'), quoted)],
          ['slackChannel', field(p('slack_channel'), quoted)],
          ['slackTs', field(p('slack_ts'), quoted)],
        ]),
      ],
      ['externalSystem', field(p('external_system'), quoted)],
      ['externalRef', field(p('external_ref'), quoted)],
      ['externalNumber', field(p('external_number'), quoted)],
      ['openedAt', field(isoTimestamp(p('opened_at')), plain)],
      ['acknowledgedAt', field(isoTimestamp(p('acknowledged_at')), plain)],
      ['resolvedAt', field(isoTimestamp(p('resolved_at')), plain)],
      ['closedAt', field(isoTimestamp(p('closed_at')), plain)],
      ['slaDueAt', field(isoTimestamp(p('sla_due_at')), plain)],
      [
        'slaBreached',
        field(
          `(${p('state')} <> 'canceled' AND coalesce(${p('resolved_at')}, ${p('closed_at')}, now()) > ${p('sla_due_at')})`,
          boolean,
        ),
      ],
      ['alertCount', field(p('alert_count'), number)],
      ['lastAlertAt', field(isoTimestamp(p('last_alert_at')), plain)],
      ['version', field(p('version'), number)],
      ['createdAt', field(isoTimestamp(p('created_at')), plain)],
      ['updatedAt', field(isoTimestamp(p('updated_at')), plain)],
      ['deliveriesBehind', field(parts.deliveriesBehind(p('id')), number)],
    ];
    this.columns = columns.join(', ');
    this.textColumns = columns.map((c) => `(${c})::text`).join(', ');
    this.joins = this.joinList.join(' ');
    this.width = columns.length;
  }

  /** The IncidentView JSON text of one row read as text (rowMode array, no type parsing). */
  json(row: readonly Text[]): string {
    let out = '{';
    for (let i = 0; i < this.writers.length; i++) {
      const [key, write] = this.writers[i]!;
      out += `${i ? ',' : ''}"${key}":${write(row)}`;
    }
    return `${out}}`;
  }
}
