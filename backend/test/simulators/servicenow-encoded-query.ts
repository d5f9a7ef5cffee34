/**
 * ServiceNow encoded queries (`sysparm_query`), evaluated over rows of raw string values, as the
 * instance simulator's Table API needs them (docs/protocols.md §1.1).
 *
 * Grammar: `^NQ` separates OR groups; inside a group, `^` joins terms with AND and a term
 * starting with `OR` is OR-ed with the term before it only. `ORDERBYfield` / `ORDERBYDESCfield`
 * may appear anywhere. Terms on fields the table does not have are dropped, as the instance
 * drops invalid parts; a term on a known field whose operator the simulator does not know is
 * refused loudly (a test should meet a 400, not a silently wrong list).
 */

export type Row = Readonly<Record<string, string>>;

export interface OrderBy {
  readonly field: string;
  readonly descending: boolean;
}

export interface EncodedQuery {
  readonly matches: (row: Row) => boolean;
  readonly orderBy: readonly OrderBy[];
}

export interface QueryContext {
  /** Field names of the table; terms on any other field are dropped. */
  readonly fields: ReadonlySet<string>;
  /** sys_id of the caller, for `javascript:gs.getUserID()`. */
  readonly callerSysId?: string;
  /**
   * `glide.invalid_query.returns_no_rows=true`: a term on an unknown field matches nothing
   * instead of being dropped. Default false, the instance's default.
   */
  readonly invalidQueryReturnsNoRows?: boolean;
}

export class EncodedQueryError extends Error {}

/** Longest first, so `ISNOTEMPTY` is not read as `ISEMPTY`, `>=` not as `>`. */
const OPERATORS = [
  'ISNOTEMPTY',
  'ISEMPTY',
  'NOT IN',
  'NOTLIKE',
  'STARTSWITH',
  'ENDSWITH',
  'BETWEEN',
  'LIKE',
  'IN',
  '!=',
  '>=',
  '<=',
  '=',
  '>',
  '<',
] as const;
type Operator = (typeof OPERATORS)[number];

const DATE_GENERATE =
  /^javascript:gs\.dateGenerate\(\s*'(\d{4}-\d{2}-\d{2})'\s*,\s*'(\d{2}:\d{2}:\d{2})'\s*\)$/;
const NUMBER = /^-?\d+(?:\.\d+)?$/;

type Condition = (row: Row) => boolean;

export function parseEncodedQuery(query: string, context: QueryContext): EncodedQuery {
  const orderBy: OrderBy[] = [];
  const groups: Condition[][] = [];
  for (const groupText of query.split('^NQ')) {
    // Each entry is a disjunction (a term plus the ^OR terms that follow it); entries are AND-ed.
    const conjuncts: Condition[][] = [];
    for (const rawTerm of groupText.split('^')) {
      const term = rawTerm.trim();
      if (term === '' || term === 'EQ') continue;
      if (term.startsWith('ORDERBYDESC')) {
        addOrder(orderBy, term.slice('ORDERBYDESC'.length), true, context);
        continue;
      }
      if (term.startsWith('ORDERBY')) {
        addOrder(orderBy, term.slice('ORDERBY'.length), false, context);
        continue;
      }
      const isOr = term.startsWith('OR');
      const condition = parseTerm(isOr ? term.slice(2) : term, context);
      if (condition === undefined) continue;
      const previous = conjuncts[conjuncts.length - 1];
      if (isOr && previous !== undefined) previous.push(condition);
      else conjuncts.push([condition]);
    }
    groups.push(conjuncts.map((alternatives) => (row: Row) => alternatives.some((c) => c(row))));
  }
  const nonEmpty = groups.filter((group) => group.length > 0);
  const matches =
    nonEmpty.length === 0 || nonEmpty.length < groups.length
      ? // An empty group (everything dropped) matches every row, so the OR of groups does too.
        () => true
      : (row: Row) => nonEmpty.some((group) => group.every((condition) => condition(row)));
  return { matches, orderBy };
}

/** Sorts a copy by the ORDERBY terms, stable (ties keep the table's order). */
export function sortRows<T extends Row>(rows: readonly T[], orderBy: readonly OrderBy[]): T[] {
  if (orderBy.length === 0) return [...rows];
  return [...rows].sort((a, b) => {
    for (const { field, descending } of orderBy) {
      const order = compareValues(a[field] ?? '', b[field] ?? '');
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
}

/**
 * Numbers compare as numbers (`state`, `priority`, `sys_mod_count` are numeric strings);
 * everything else as text, which orders `YYYY-MM-DD HH:MM:SS` dates correctly.
 */
export function compareValues(a: string, b: string): number {
  if (NUMBER.test(a) && NUMBER.test(b)) return Math.sign(Number(a) - Number(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

function addOrder(orderBy: OrderBy[], field: string, descending: boolean, context: QueryContext): void {
  if (context.fields.has(field)) orderBy.push({ field, descending });
}

function parseTerm(term: string, context: QueryContext): Condition | undefined {
  // Field names are lower case (dot-walks included); operators are symbols or upper case.
  const [, field = '', rest = ''] = /^([a-z0-9_.]*)(.*)$/s.exec(term) ?? [];
  if (!context.fields.has(field)) return context.invalidQueryReturnsNoRows ? () => false : undefined;
  const operator = OPERATORS.find((candidate) => rest.startsWith(candidate));
  if (operator === undefined) {
    throw new EncodedQueryError(`The simulator cannot evaluate the query term "${term}"`);
  }
  const value = rest.slice(operator.length);
  return condition(field, operator, value, context);
}

function condition(field: string, operator: Operator, rawValue: string, context: QueryContext): Condition {
  // IN and BETWEEN resolve each of their parts below.
  const value =
    operator === 'IN' || operator === 'NOT IN' || operator === 'BETWEEN'
      ? ''
      : resolveValue(rawValue, context);
  const get = (row: Row): string => row[field] ?? '';
  const lower = value.toLowerCase();
  switch (operator) {
    case '=':
      return (row) => get(row) === value;
    case '!=':
      return (row) => get(row) !== value;
    case '>':
      return (row) => get(row) !== '' && compareValues(get(row), value) > 0;
    case '>=':
      return (row) => get(row) !== '' && compareValues(get(row), value) >= 0;
    case '<':
      return (row) => get(row) !== '' && compareValues(get(row), value) < 0;
    case '<=':
      return (row) => get(row) !== '' && compareValues(get(row), value) <= 0;
    case 'IN': {
      const values = new Set(rawValue.split(',').map((part) => resolveValue(part.trim(), context)));
      return (row) => values.has(get(row));
    }
    case 'NOT IN': {
      const values = new Set(rawValue.split(',').map((part) => resolveValue(part.trim(), context)));
      return (row) => !values.has(get(row));
    }
    case 'STARTSWITH':
      return (row) => get(row).toLowerCase().startsWith(lower);
    case 'ENDSWITH':
      return (row) => get(row).toLowerCase().endsWith(lower);
    case 'LIKE':
      return (row) => get(row).toLowerCase().includes(lower);
    case 'NOTLIKE':
      return (row) => !get(row).toLowerCase().includes(lower);
    case 'ISEMPTY':
      return (row) => get(row) === '';
    case 'ISNOTEMPTY':
      return (row) => get(row) !== '';
    case 'BETWEEN': {
      const [from = '', to = ''] = rawValue.split('@').map((part) => resolveValue(part, context));
      return (row) =>
        get(row) !== '' && compareValues(get(row), from) >= 0 && compareValues(get(row), to) <= 0;
    }
  }
}

/** `javascript:gs.dateGenerate('2024-01-01','00:00:00')` → `2024-01-01 00:00:00` (UTC, as stored). */
function resolveValue(value: string, context: QueryContext): string {
  const date = DATE_GENERATE.exec(value);
  if (date) return `${date[1]} ${date[2]}`;
  if (value === 'javascript:gs.getUserID()') return context.callerSysId ?? '';
  if (value.startsWith('javascript:')) {
    throw new EncodedQueryError(`The simulator cannot evaluate the script value "${value}"`);
  }
  return value;
}
