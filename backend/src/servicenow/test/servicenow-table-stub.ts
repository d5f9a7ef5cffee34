/*
 * TEMPORARY (helper H3, issue 13): a small ServiceNow Table API stand-in for the sync's specs,
 * until the instance simulator (backend/test/simulators/servicenow*.ts, helper H1) lands; then
 * these specs move to it and this file goes. It speaks the real shapes (protocols.md §1): raw
 * string values, `{"result": …}`, 201 on POST, the error envelope, `X-Total-Count`, encoded
 * queries (=, !=, >, >=, <, <=, IN, ^, ORDERBY, ORDERBYDESC), sys_mod_count / sys_updated_on
 * bumps, journal fields appended as sys_journal_field rows, sys_choice close codes, the
 * form-encoded token endpoint.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Row = Record<string, string>;

export interface StubCall {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Record<string, string> | null;
}

/** A refusal the stub answers a write with (a data policy, an ACL). */
export interface StubRefusal {
  readonly status: number;
  readonly message: string;
  readonly detail: string | null;
}

export const STUB_TOKEN = 'stub-access-token';

const CLOSE_CODES = [
  'Solved (Work Around)',
  'Solved (Permanently)',
  'Solved Remotely (Work Around)',
  'Solved Remotely (Permanently)',
  'Not Solved (Not Reproducible)',
  'Not Solved (Too Costly)',
  'Closed/Resolved by Caller',
];

const PRIORITY: Record<string, string> = { '2': '1', '3': '2', '4': '3', '5': '4', '6': '5' };

function format(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/** One condition of an encoded query (the subset the sync uses). */
function matches(row: Row, term: string): boolean {
  const m = /^([a-z_]+?)(!=|>=|<=|=|>|<|NOT IN|IN)(.*)$/.exec(term);
  if (!m) return true; // ServiceNow drops what it cannot read
  const [, field, op, value] = m as unknown as [string, string, string, string];
  const v = row[field] ?? '';
  switch (op) {
    case '=':
      return v === value;
    case '!=':
      return v !== value;
    case '>':
      return v > value;
    case '>=':
      return v >= value;
    case '<':
      return v < value;
    case '<=':
      return v <= value;
    case 'IN':
      return value.split(',').includes(v);
    default:
      return !value.split(',').includes(v);
  }
}

function query(rows: readonly Row[], encoded: string): Row[] {
  const terms = encoded.split('^').filter(Boolean);
  const orders = terms.filter((t) => t.startsWith('ORDERBY'));
  const conditions = terms.filter((t) => !t.startsWith('ORDERBY'));
  const found = rows.filter((r) => conditions.every((c) => matches(r, c)));
  const keys = orders.map((o) =>
    o.startsWith('ORDERBYDESC') ? { f: o.slice(11), d: -1 } : { f: o.slice(7), d: 1 },
  );
  return found.sort((a, b) => {
    for (const { f, d } of keys) {
      const x = a[f] ?? '';
      const y = b[f] ?? '';
      if (x !== y) return x < y ? -d : d;
    }
    return 0;
  });
}

export class ServiceNowTableStub {
  readonly calls: StubCall[] = [];
  readonly incidents = new Map<string, Row>();
  readonly journal: Row[] = [];
  /** Answers a write (POST/PATCH body) with a refusal instead, when it returns one. */
  refuse: ((method: string, body: Record<string, string>) => StubRefusal | null) | null = null;
  private clock: (() => Date) | null = null;
  private numbers = 10001;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ServiceNowTableStub> {
    const holder: { stub?: ServiceNowTableStub } = {};
    const server = createServer((req, res) => void holder.stub!.route(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.stub = new ServiceNowTableStub(
      server,
      `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    );
    return holder.stub;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Freeze the instance's clock (sys_updated_on) at this `YYYY-MM-DD HH:MM:SS`; null: real time. */
  freeze(at: string | null): void {
    this.clock = at === null ? null : () => new Date(`${at.replace(' ', 'T')}Z`);
  }

  now(): string {
    return format(this.clock ? this.clock() : new Date());
  }

  /** A change made on the instance by a person there (no call logged): the record after it. */
  change(sysId: string, fields: Record<string, string>, by = 'beth.anglin'): Row {
    return this.write(this.incidents.get(sysId)!, fields, by);
  }

  /** An incident created on the instance by a person there. */
  create(fields: Record<string, string>, by = 'beth.anglin'): Row {
    return this.insert(fields, by);
  }

  /** A journal entry added on the instance by a person there. */
  addJournal(sysId: string, element: 'comments' | 'work_notes', value: string, by = 'beth.anglin'): Row {
    this.change(sysId, { [element]: value }, by);
    return this.journal.at(-1)!;
  }

  callsTo(method: string, sysId?: string): StubCall[] {
    return this.calls.filter(
      (c) => c.method === method && c.path.includes('/table/incident') && (!sysId || c.path.endsWith(sysId)),
    );
  }

  private insert(fields: Record<string, string>, by: string): Row {
    const now = this.now();
    const row: Row = {
      sys_id: randomBytes(16).toString('hex'),
      number: `INC${String(this.numbers++).padStart(7, '0')}`,
      short_description: '',
      description: '',
      state: '1',
      impact: '3',
      urgency: '3',
      category: '',
      assignment_group: '',
      close_code: '',
      close_notes: '',
      hold_reason: '',
      correlation_id: '',
      correlation_display: '',
      comments: '',
      work_notes: '',
      opened_at: now,
      sys_created_on: now,
      sys_created_by: by,
      sys_updated_on: now,
      sys_updated_by: by,
      sys_mod_count: '0',
    };
    this.incidents.set(row['sys_id']!, row);
    this.assign(row, fields, by);
    return { ...row };
  }

  private write(row: Row, fields: Record<string, string>, by: string): Row {
    this.assign(row, fields, by);
    row['sys_mod_count'] = String(Number(row['sys_mod_count']) + 1);
    row['sys_updated_on'] = this.now();
    row['sys_updated_by'] = by;
    return { ...row };
  }

  private assign(row: Row, fields: Record<string, string>, by: string): void {
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'comments' || k === 'work_notes') {
        if (v) {
          this.journal.push({
            sys_id: randomBytes(16).toString('hex'),
            name: 'incident',
            element: k,
            element_id: row['sys_id']!,
            value: v,
            sys_created_by: by,
            sys_created_on: this.now(),
          });
        }
        continue;
      }
      if (k !== 'priority') row[k] = String(v);
    }
    row['priority'] = PRIORITY[String(Number(row['impact']) + Number(row['urgency']))] ?? '5';
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private fail(res: ServerResponse, status: number, message: string, detail: string | null = null): void {
    this.send(res, status, { error: { message, detail }, status: 'failure' });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    if (url.pathname === '/oauth_token.do') {
      if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
        return this.send(res, 400, { error: 'invalid_request' });
      }
      return this.send(res, 200, {
        access_token: STUB_TOKEN,
        refresh_token: 'stub-refresh-token',
        scope: 'useraccount',
        token_type: 'Bearer',
        expires_in: 1799,
      });
    }
    if (req.headers.authorization !== `Bearer ${STUB_TOKEN}`) {
      return this.fail(res, 401, 'User Not Authenticated', 'Required to provide Auth information');
    }
    const body = text ? (JSON.parse(text) as Record<string, string>) : null;
    this.calls.push({ method, path: url.pathname, query: url.searchParams, body });
    const [, , , , table, sysId] = url.pathname.split('/'); // /api/now/table/<table>/<sys_id>
    const limit = Number(url.searchParams.get('sysparm_limit') ?? '10000');
    const offset = Number(url.searchParams.get('sysparm_offset') ?? '0');
    const list = (rows: readonly Row[]) => {
      const found = query(rows, url.searchParams.get('sysparm_query') ?? '');
      this.send(
        res,
        200,
        { result: found.slice(offset, offset + limit) },
        { 'X-Total-Count': String(found.length) },
      );
    };
    if (table === 'sys_choice' && method === 'GET') {
      return list(
        CLOSE_CODES.map((c, i) => ({
          name: 'incident',
          element: 'close_code',
          inactive: 'false',
          value: c,
          label: c,
          sequence: String(i).padStart(3, '0'),
        })),
      );
    }
    if (table === 'sys_journal_field' && method === 'GET') return list(this.journal);
    if (table !== 'incident') return this.fail(res, 400, 'Invalid table');
    if (!sysId) {
      if (method === 'GET') return list([...this.incidents.values()]);
      if (method === 'POST') {
        const refusal = this.refuse?.(method, body ?? {});
        if (refusal) return this.fail(res, refusal.status, refusal.message, refusal.detail);
        const row = this.insert(body ?? {}, 'integration.user');
        return this.send(
          res,
          201,
          { result: row },
          { Location: `${this.url}/api/now/table/incident/${row['sys_id']}` },
        );
      }
      return this.fail(res, 405, 'Method not Supported');
    }
    const row = this.incidents.get(sysId);
    if (!row)
      return this.fail(
        res,
        404,
        'No Record found',
        "Record doesn't exist or ACL restricts the record retrieval",
      );
    if (method === 'GET') return this.send(res, 200, { result: { ...row } });
    if (method === 'PATCH' || method === 'PUT') {
      const refusal = this.refuse?.(method, body ?? {});
      if (refusal) return this.fail(res, refusal.status, refusal.message, refusal.detail);
      return this.send(res, 200, { result: this.write(row, body ?? {}, 'integration.user') });
    }
    return this.fail(res, 405, 'Method not Supported');
  }
}
