/**
 * TEMPORARY: a minimal ServiceNow Table API for the client's specs, in front of the existing
 * OAuth simulator (test/simulators/servicenow.simulator.ts), until the instance simulator
 * (grown from that one, issue 13) lands; then these specs move onto it and this file goes.
 *
 * One base URL, as an instance has: `/oauth_token.do` is forwarded to the OAuth simulator; the
 * Table API (`incident`, `sys_journal_field`, `sys_choice`) is served here with the shapes of
 * protocols.md §1.1 (`{"result":…}`, the error envelope, 201 on POST, `X-Total-Count`), and
 * accepts only bearer tokens the OAuth simulator issued and still honours (its clock).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ServiceNowSimulator } from '../../../test/simulators/servicenow.simulator';

export interface StubFault {
  /** Only requests with this method (default: any). */
  readonly method?: string;
  /** Only requests whose path starts with this (default: any Table API path). */
  readonly path?: string;
  readonly status?: number;
  readonly times?: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly delayMs?: number;
}

export interface StubRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  readonly body: string;
  status: number | undefined;
}

type SnRecord = Record<string, string>;
type StubIncident = SnRecord & { sys_id: string; number: string; sys_mod_count: string };

const envelope = (message: string, detail: string | null) => ({
  error: { message, detail },
  status: 'failure',
});
const glideNow = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

export class TableApiStub {
  readonly url: string;
  readonly requests: StubRequest[] = [];
  readonly incidents = new Map<string, StubIncident>();
  readonly journal: SnRecord[] = [];
  readonly closeCodes = ['Solution provided', 'Workaround provided', 'Duplicate'];
  private faults: { spec: StubFault; remaining: number }[] = [];
  private counter = 10000;
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    port: number,
    private readonly oauth: ServiceNowSimulator,
    private readonly now: () => number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(oauth: ServiceNowSimulator, now: () => number = Date.now): Promise<TableApiStub> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    const stub = new TableApiStub(server, address.port, oauth, now);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      stub.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) stub.send(res, 500, envelope('Stub error', String(e)));
      });
    });
    return stub;
  }

  addIncident(fields: SnRecord = {}): StubIncident {
    const sysId = randomBytes(16).toString('hex');
    const record: StubIncident = {
      sys_id: sysId,
      number: `INC${String(++this.counter).padStart(7, '0')}`,
      short_description: 'Printer on fire',
      state: '1',
      impact: '3',
      urgency: '3',
      sys_mod_count: '0',
      sys_updated_on: glideNow(),
      ...fields,
    };
    this.incidents.set(sysId, record);
    return record;
  }

  fault(spec: StubFault): void {
    this.faults.push({ spec, remaining: spec.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Table API requests only (token requests are in the OAuth simulator's log). */
  tableRequests(): StubRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/api/now/table/'));
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    const entry: StubRequest = {
      at: Date.now(),
      method: req.method ?? 'GET',
      path: target.pathname,
      query: target.searchParams,
      authorization: req.headers.authorization,
      body,
      status: undefined,
    };
    this.requests.push(entry);
    res.on('finish', () => (entry.status = res.statusCode));

    if (target.pathname === '/oauth_token.do') {
      const answer = await fetch(this.oauth.tokenUrl, {
        method: req.method,
        headers: {
          'Content-Type': req.headers['content-type'] ?? '',
          ...(req.headers.authorization ? { Authorization: req.headers.authorization } : {}),
        },
        body,
      });
      res.writeHead(answer.status, {
        'Content-Type': answer.headers.get('content-type') ?? 'application/json',
      });
      res.end(await answer.text());
      return;
    }
    const table = /^\/api\/now\/table\/([^/]+)(?:\/([^/]+))?$/.exec(target.pathname);
    if (!table) return this.send(res, 400, envelope('Requested URI does not represent any resource', null));

    const fault = this.faults.find(
      (f) =>
        (!f.spec.method || f.spec.method === req.method) &&
        (!f.spec.path || target.pathname.startsWith(f.spec.path)),
    );
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
      if (fault.spec.delayMs) await this.sleep(fault.spec.delayMs);
      if (fault.spec.status !== undefined) {
        return this.send(
          res,
          fault.spec.status,
          fault.spec.body ?? envelope(`Simulated fault ${fault.spec.status}`, null),
          fault.spec.headers,
        );
      }
    }

    if (!this.authorised(req.headers.authorization)) {
      return this.send(res, 401, envelope('User Not Authenticated', 'Required to provide Auth information'));
    }
    const [, name, sysId] = table;
    if (name === 'incident') return this.incident(req.method ?? 'GET', sysId, target.searchParams, body, res);
    if (name === 'sys_choice') {
      return this.send(res, 200, {
        result: this.closeCodes.map((value) => ({ value, label: value })),
      });
    }
    if (name === 'sys_journal_field') {
      const query = target.searchParams.get('sysparm_query') ?? '';
      const id = /element_id=([0-9a-f]+)/.exec(query)?.[1];
      return this.send(res, 200, { result: this.journal.filter((j) => j.element_id === id) });
    }
    return this.send(res, 400, envelope(`Invalid table ${name}`, null));
  }

  private incident(
    method: string,
    sysId: string | undefined,
    query: URLSearchParams,
    body: string,
    res: ServerResponse,
  ): void {
    const fields = query.get('sysparm_fields')?.split(',');
    const shape = (r: SnRecord): SnRecord =>
      fields ? Object.fromEntries(fields.filter((f) => f in r).map((f) => [f, r[f]!])) : r;
    if (method === 'GET' && sysId === undefined) {
      const all = [...this.incidents.values()].reverse();
      const limit = Number(query.get('sysparm_limit') ?? 10000);
      const offset = Number(query.get('sysparm_offset') ?? 0);
      return this.send(
        res,
        200,
        { result: all.slice(offset, offset + limit).map(shape) },
        { 'X-Total-Count': String(all.length) },
      );
    }
    if (method === 'POST' && sysId === undefined) {
      const record = this.addIncident(JSON.parse(body) as SnRecord);
      return this.send(
        res,
        201,
        { result: record },
        { Location: `${this.url}/api/now/table/incident/${record.sys_id}` },
      );
    }
    const record = sysId === undefined ? undefined : this.incidents.get(sysId);
    if (!record) {
      return this.send(
        res,
        404,
        envelope('No Record found', "Record doesn't exist or ACL restricts the record retrieval"),
      );
    }
    if (method === 'GET') return this.send(res, 200, { result: shape(record) });
    if (method === 'PATCH') {
      Object.assign(record, JSON.parse(body) as SnRecord, {
        sys_mod_count: String(Number(record.sys_mod_count) + 1),
        sys_updated_on: glideNow(),
      });
      return this.send(res, 200, { result: record });
    }
    return this.send(res, 405, envelope('Method not Supported', null));
  }

  private authorised(authorization: string | undefined): boolean {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    return this.oauth
      .issuedTokens()
      .some((t) => t.accessToken === token && !t.revoked && this.now() < t.expiresAt);
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { ...headers, 'Content-Type': 'application/json;charset=UTF-8' });
    res.end(JSON.stringify(body));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}
