import type { SelectQueryBuilder } from 'typeorm';
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

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Keyset ("seek") paging for each sort order: every order ends in id, so it is total, and the
 * next page starts strictly after the last row seen, so rows added meanwhile never shift a page.
 * Timestamps go into the cursor as PostgreSQL's text (microseconds intact), not as JS Dates.
 */
export const SORT_ORDERS: Readonly<
  Record<IncidentSort, { readonly column: string; readonly key: string; readonly direction: 'ASC' | 'DESC' }>
> = {
  '-openedAt': { column: 'i.opened_at', key: 'opened_at', direction: 'DESC' },
  openedAt: { column: 'i.opened_at', key: 'opened_at', direction: 'ASC' },
  '-updatedAt': { column: 'i.updated_at', key: 'updated_at', direction: 'DESC' },
  slaDueAt: { column: 'i.sla_due_at', key: 'sla_due_at', direction: 'ASC' },
  // Priority first (P1 on top), newest first within a priority.
  priority: { column: 'i.opened_at', key: 'opened_at', direction: 'DESC' },
};

export function applyOrder(qb: SelectQueryBuilder<Incident>, sort: IncidentSort): void {
  const order = SORT_ORDERS[sort];
  if (sort === 'priority') qb.orderBy('i.priority', 'ASC').addOrderBy(order.column, order.direction);
  else qb.orderBy(order.column, order.direction);
  qb.addOrderBy('i.id', order.direction).addSelect(`${order.column}::text`, 'cursor_key');
}

export function applyCursor(qb: SelectQueryBuilder<Incident>, sort: IncidentSort, cursor: string): void {
  const position = decodeCursor(cursor, sort);
  const order = SORT_ORDERS[sort];
  const cmp = order.direction === 'DESC' ? '<' : '>';
  const after = `(${order.column}, i.id) ${cmp} (CAST(:cursorKey AS timestamptz), CAST(:cursorId AS uuid))`;
  if (sort === 'priority') {
    qb.andWhere(`(i.priority > :cursorPriority OR (i.priority = :cursorPriority AND ${after}))`, {
      cursorPriority: position.p,
    });
  } else {
    qb.andWhere(after);
  }
  qb.setParameters({ cursorKey: position.k, cursorId: position.id });
}

export function encodeCursor(sort: IncidentSort, last: Incident, key: string): string {
  const position: Position = {
    s: sort,
    k: key,
    id: last.id,
    ...(sort === 'priority' ? { p: last.priority } : {}),
  };
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodeCursor(cursor: string, sort: IncidentSort): Position {
  const invalid = (): IncidentError =>
    new IncidentError(
      IncidentErrorCode.CursorInvalid,
      'cursor must be the nextCursor of a previous page with the same sort',
    );
  let position: Partial<Position>;
  try {
    position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Position>;
  } catch {
    throw invalid();
  }
  const timestamp = typeof position.k === 'string' && TIMESTAMP.test(position.k);
  const priority =
    sort !== 'priority' || (Number.isInteger(position.p) && position.p! >= 1 && position.p! <= 5);
  if (
    position.s !== sort ||
    !timestamp ||
    typeof position.id !== 'string' ||
    !UUID.test(position.id) ||
    !priority
  ) {
    throw invalid();
  }
  return position as Position;
}
