import type { SqlConditions } from '../common/database/sql-conditions';
import { parseTimestamp } from '../common/validation/timestamps';
import type { IncidentSort } from './dto/list-incidents.query';
import { IncidentError, IncidentErrorCode } from './incident.errors';
import type { Incident } from './incident.entity';

/** A position in a sorted list: the last row's sort values, exactly as PostgreSQL has them. */
interface Position {
  readonly s: IncidentSort;
  readonly k: string;
  readonly p?: number;
  readonly id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Keyset ("seek") paging for each sort order: every order ends in id, so it is total, and the
 * next page starts strictly after the last row seen, so rows added meanwhile never shift a page.
 * Timestamps go into the cursor as PostgreSQL's text (microseconds intact), not as JS Dates.
 */
const SORT_ORDERS: Readonly<
  Record<IncidentSort, { readonly column: string; readonly direction: 'ASC' | 'DESC' }>
> = {
  '-openedAt': { column: 'opened_at', direction: 'DESC' },
  openedAt: { column: 'opened_at', direction: 'ASC' },
  '-updatedAt': { column: 'updated_at', direction: 'DESC' },
  slaDueAt: { column: 'sla_due_at', direction: 'ASC' },
  // Priority first (P1 on top), newest first within a priority.
  priority: { column: 'opened_at', direction: 'DESC' },
};

/** `ORDER BY` terms of a sort for the incidents row aliased `alias`. */
export function orderBySql(sort: IncidentSort, alias: string): string {
  const order = SORT_ORDERS[sort];
  const terms = [`${alias}.${order.column} ${order.direction}`, `${alias}.id ${order.direction}`];
  return (sort === 'priority' ? [`${alias}.priority ASC`, ...terms] : terms).join(', ');
}

/** The sort's timestamp as PostgreSQL's text: what a cursor carries. */
export function cursorKeySql(sort: IncidentSort, alias: string): string {
  return `${alias}.${SORT_ORDERS[sort].column}::text`;
}

/** The condition "after the cursor's row" in the sort's order, for the row aliased `alias`. */
export function afterCursorSql(
  sort: IncidentSort,
  cursor: string,
  where: SqlConditions,
  alias: string,
): string {
  const position = decodeCursor(cursor, sort);
  const order = SORT_ORDERS[sort];
  const cmp = order.direction === 'DESC' ? '<' : '>';
  const after =
    `(${alias}.${order.column}, ${alias}.id) ${cmp} ` +
    `(CAST(${where.param(position.k)} AS timestamptz), CAST(${where.param(position.id)} AS uuid))`;
  if (sort !== 'priority') return after;
  const p = where.param(position.p);
  return `(${alias}.priority > ${p} OR (${alias}.priority = ${p} AND ${after}))`;
}

export function encodeCursor(
  sort: IncidentSort,
  last: Pick<Incident, 'id' | 'priority'>,
  key: string,
): string {
  const position: Position = {
    s: sort,
    k: key,
    id: last.id,
    ...(sort === 'priority' ? { p: last.priority } : {}),
  };
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodeCursor(cursor: string, sort: IncidentSort): Position {
  let position: unknown;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    position = undefined;
  }
  if (!isPositionIn(sort, position)) {
    throw new IncidentError(
      IncidentErrorCode.CursorInvalid,
      'cursor must be the nextCursor of a previous page with the same sort',
    );
  }
  return position;
}

/**
 * Whether a decoded cursor is a position in `sort` that PostgreSQL will accept: any value that
 * passes goes into the query, so a forged one (`null`, a 99th month) must fail here, not there.
 */
function isPositionIn(sort: IncidentSort, value: unknown): value is Position {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { s, k, p, id } = value as Record<string, unknown>;
  const priority =
    sort === 'priority' ? Number.isInteger(p) && Number(p) >= 1 && Number(p) <= 5 : p === undefined;
  return (
    s === sort &&
    typeof k === 'string' &&
    parseTimestamp(k) !== null &&
    typeof id === 'string' &&
    UUID.test(id) &&
    priority
  );
}
