import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { BASE_CLOSE_CODES } from './servicenow-tables';
import {
  DEFAULT_CLIENT,
  DEFAULT_USERS,
  ServiceNowSimulator,
  TestClock,
  type ServiceNowSimulatorOptions,
} from './servicenow.simulator';
import type { WebhookEvent } from './servicenow-webhook-emitter';

const INTEGRATION = DEFAULT_USERS[0]!;
const BETH = DEFAULT_USERS[1]!;
const SECRET = 'nx-test-secret';
const NOT_AUTHENTICATED = {
  error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
  status: 'failure',
};
const NO_RECORD = {
  error: { message: 'No Record found', detail: "Record doesn't exist or ACL restricts the record retrieval" },
  status: 'failure',
};

type Json = Record<string, unknown>;

/** Our webhook endpoint's stand-in: records deliveries, answers 202. */
class Receiver {
  readonly received: { headers: IncomingHttpHeaders; body: string }[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    const receiver = new Receiver(server, `http://127.0.0.1:${address.port}/api/webhooks/servicenow`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        receiver.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(202);
        res.end();
      });
    });
    return receiver;
  }

  events(): WebhookEvent[] {
    return this.received.map((entry) => JSON.parse(entry.body) as WebhookEvent);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('ServiceNowSimulator Table API', () => {
  let sim: ServiceNowSimulator;
  let clock: TestClock;
  let token: string;

  async function startSimulator(overrides: Partial<ServiceNowSimulatorOptions> = {}): Promise<void> {
    await sim?.close();
    sim = await ServiceNowSimulator.start({ now: clock.now, ...overrides });
    token = await passwordToken(INTEGRATION.userName, INTEGRATION.password ?? 'password');
  }

  async function passwordToken(username: string, password: string): Promise<string> {
    const res = await fetch(sim.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: DEFAULT_CLIENT.clientId,
        client_secret: DEFAULT_CLIENT.clientSecret,
        username,
        password,
      }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  function api(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has('Authorization')) headers.set('Authorization', `Bearer ${token}`);
    if (init.body !== undefined && !headers.has('Content-Type'))
      headers.set('Content-Type', 'application/json');
    headers.set('Accept', 'application/json');
    return fetch(`${sim.url}${path}`, { ...init, headers });
  }

  async function list(query: string, extra = ''): Promise<Json[]> {
    const res = await api(`/api/now/table/incident?sysparm_query=${encodeURIComponent(query)}${extra}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { result: Json[] }).result;
  }

  async function post(fields: Json, path = '/api/now/table/incident'): Promise<Response> {
    return api(path, { method: 'POST', body: JSON.stringify(fields) });
  }

  async function patch(sysId: string, fields: Json, method = 'PATCH'): Promise<Response> {
    return api(`/api/now/table/incident/${sysId}`, { method, body: JSON.stringify(fields) });
  }

  beforeEach(async () => {
    clock = new TestClock('2026-03-01T09:00:00.400Z');
    await startSimulator();
  });

  afterEach(async () => {
    await sim.close();
  });

  describe('POST /api/now/table/incident', () => {
    it('creates a record of raw strings: 201, Location, sys_id, INC numbering, priority from impact × urgency', async () => {
      const res = await post({ short_description: 'Email is down', impact: 1, urgency: '2', priority: '5' });
      expect(res.status).toBe(201);
      const { result } = (await res.json()) as { result: Json };
      expect(res.headers.get('location')).toBe(`${sim.url}/api/now/table/incident/${String(result.sys_id)}`);
      expect(result).toMatchObject({
        number: 'INC0010001',
        short_description: 'Email is down',
        state: '1',
        incident_state: '1',
        impact: '1',
        urgency: '2',
        priority: '2',
        active: 'true',
        sys_mod_count: '0',
        sys_created_on: '2026-03-01 09:00:00',
        sys_updated_on: '2026-03-01 09:00:00',
        sys_created_by: INTEGRATION.userName,
        opened_at: '2026-03-01 09:00:00',
        comments: '',
        work_notes: '',
        opened_by: {
          link: `${sim.url}/api/now/table/sys_user/${INTEGRATION.sysId}`,
          value: INTEGRATION.sysId,
        },
      });
      expect(result.sys_id).toMatch(/^[0-9a-f]{32}$/);
      expect(
        Object.values(result).every((value) => typeof value === 'string' || typeof value === 'object'),
      ).toBe(true);
      const second = (await (await post({ short_description: 'Two' })).json()) as { result: Json };
      expect(second.result.number).toBe('INC0010002');
    });

    it.each([
      ['1', '1', '1'],
      ['1', '2', '2'],
      ['1', '3', '3'],
      ['2', '1', '2'],
      ['2', '2', '3'],
      ['2', '3', '4'],
      ['3', '1', '3'],
      ['3', '2', '4'],
      ['3', '3', '5'],
    ])('impact %s × urgency %s → priority %s', async (impact, urgency, priority) => {
      const res = await post({ impact, urgency, priority: '1' });
      expect(((await res.json()) as { result: Json }).result.priority).toBe(priority);
    });

    it('honours X-no-response-body and works on the v2 path', async () => {
      const res = await api('/api/now/v2/table/incident', {
        method: 'POST',
        body: JSON.stringify({ short_description: 'quiet' }),
        headers: { 'X-no-response-body': 'true' },
      });
      expect(res.status).toBe(201);
      expect(await res.text()).toBe('');
      expect(sim.all().map((row) => row.short_description)).toEqual(['quiet']);
    });

    it('refuses bad JSON with 400 and a non-JSON body with 415, in the error envelope', async () => {
      const bad = await api('/api/now/table/incident', { method: 'POST', body: '{nope' });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { message: expect.any(String) }, status: 'failure' });
      const form = await api('/api/now/table/incident', {
        method: 'POST',
        body: 'short_description=x',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      expect(form.status).toBe(415);
    });
  });

  describe('PATCH/PUT/DELETE /api/now/table/incident/{sys_id}', () => {
    it('changes only the given fields, bumps sys_mod_count and sys_updated_on (one-second granularity)', async () => {
      const created = sim.seedIncident({ short_description: 'VPN flaps', description: 'since 9am' });
      clock.advance(1_700);
      const res = await patch(created.sys_id!, { urgency: '1', state: 2 });
      expect(res.status).toBe(200);
      const { result } = (await res.json()) as { result: Json };
      expect(result).toMatchObject({
        short_description: 'VPN flaps',
        description: 'since 9am',
        urgency: '1',
        priority: '3',
        state: '2',
        sys_mod_count: '1',
        sys_created_on: '2026-03-01 09:00:00',
        sys_updated_on: '2026-03-01 09:00:02',
        sys_updated_by: INTEGRATION.userName,
      });

      const put = await patch(created.sys_id!, { description: 'all day' }, 'PUT');
      expect(((await put.json()) as { result: Json }).result).toMatchObject({
        description: 'all day',
        urgency: '1',
        sys_mod_count: '2',
        sys_updated_on: '2026-03-01 09:00:02',
      });
    });

    it('does not count a write that changes nothing as an update', async () => {
      const created = sim.seedIncident({ short_description: 'same' });
      clock.advance(5_000);
      const res = await patch(created.sys_id!, { short_description: 'same', priority: '1' });
      expect(res.status).toBe(200);
      expect(sim.record(created.sys_id!)).toMatchObject({
        sys_mod_count: '0',
        sys_updated_on: '2026-03-01 09:00:00',
      });
    });

    it('sets and clears resolution stamps with the state', async () => {
      const created = sim.seedIncident({});
      clock.advance(60_000);
      await patch(created.sys_id!, {
        state: '6',
        close_code: 'Solved (Permanently)',
        close_notes: 'rebooted',
      });
      expect(sim.record(created.sys_id!)).toMatchObject({
        state: '6',
        resolved_at: '2026-03-01 09:01:00',
        resolved_by: INTEGRATION.sysId,
        active: 'true',
      });
      await patch(created.sys_id!, { state: '7' });
      expect(sim.record(created.sys_id!)).toMatchObject({
        closed_at: '2026-03-01 09:01:00',
        active: 'false',
      });
      await patch(created.sys_id!, { state: '2' });
      expect(sim.record(created.sys_id!)).toMatchObject({ resolved_at: '', closed_at: '', active: 'true' });
    });

    it('answers 404 with the envelope for an unknown sys_id; DELETE answers 204', async () => {
      const missing = 'f'.repeat(32);
      for (const res of [
        await api(`/api/now/table/incident/${missing}`),
        await patch(missing, { state: '2' }),
        await api(`/api/now/table/incident/${missing}`, { method: 'DELETE' }),
      ]) {
        expect(res.status).toBe(404);
        expect(await res.json()).toEqual(NO_RECORD);
      }
      const created = sim.seedIncident({});
      const deleted = await api(`/api/now/table/incident/${created.sys_id!}`, { method: 'DELETE' });
      expect(deleted.status).toBe(204);
      expect(await deleted.text()).toBe('');
      expect(sim.record(created.sys_id!)).toBeUndefined();
    });

    it('enforces the close-field data policy with 403 when switched on', async () => {
      const created = sim.seedIncident({});
      const allowed = await patch(created.sys_id!, { state: '6' });
      expect(allowed.status).toBe(200);

      sim.setCloseFieldsPolicy(true);
      const other = sim.seedIncident({});
      const refused = await patch(other.sys_id!, { state: '6', close_code: 'Solved (Permanently)' });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({
        error: { message: expect.stringContaining('Resolution notes'), detail: 'Operation Failed' },
        status: 'failure',
      });
      expect(sim.record(other.sys_id!)).toMatchObject({ state: '1', sys_mod_count: '0' });
      const ok = await patch(other.sys_id!, {
        state: '6',
        close_code: 'Solved (Permanently)',
        close_notes: 'fixed',
      });
      expect(ok.status).toBe(200);
    });

    it('refuses writes with an ACL 403 for the users named, reads still work', async () => {
      const created = sim.seedIncident({ short_description: 'x' });
      sim.denyWrites({ users: [INTEGRATION.userName] });
      const res = await patch(created.sys_id!, { short_description: 'y' });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        error: {
          message: 'Operation Failed',
          detail: 'ACL Exception Update Failed due to security constraints',
        },
        status: 'failure',
      });
      expect((await post({ short_description: 'z' })).status).toBe(403);
      expect((await api(`/api/now/table/incident/${created.sys_id!}`)).status).toBe(200);
      sim.allowWrites();
      expect((await patch(created.sys_id!, { short_description: 'y' })).status).toBe(200);
    });
  });

  describe('GET /api/now/table/incident', () => {
    function seedTen(): void {
      for (let i = 1; i <= 10; i += 1) {
        sim.seedIncident({ short_description: `Incident ${i}`, state: i % 2 === 0 ? '2' : '1' });
        clock.advance(i <= 5 ? 400 : 1_000);
      }
    }

    it('filters with encoded queries and gs.dateGenerate, and orders', async () => {
      seedTen();
      const rows = await list(
        "sys_updated_on>=javascript:gs.dateGenerate('2026-03-01','09:00:03')^ORDERBYDESCnumber",
        '&sysparm_fields=number,sys_updated_on',
      );
      expect(rows.map((row) => row.number)).toEqual(['INC0010010', 'INC0010009', 'INC0010008', 'INC0010007']);
      const two = await list(
        'state=2^short_descriptionSTARTSWITHIncident 1^NQnumber=INC0010003',
        '&sysparm_fields=number',
      );
      expect(two).toEqual([{ number: 'INC0010003' }, { number: 'INC0010010' }]);
      expect(
        await list('numberININC0010001,INC0010004^ORshort_descriptionLIKEdent 9', '&sysparm_fields=number'),
      ).toEqual([{ number: 'INC0010001' }, { number: 'INC0010004' }, { number: 'INC0010009' }]);
    });

    it('pages with sysparm_limit/offset and answers X-Total-Count and Link', async () => {
      seedTen();
      const page = await api(
        '/api/now/table/incident?sysparm_query=ORDERBYnumber&sysparm_fields=number&sysparm_limit=3&sysparm_offset=3',
      );
      expect(page.headers.get('x-total-count')).toBe('10');
      expect(((await page.json()) as { result: Json[] }).result.map((row) => row.number)).toEqual([
        'INC0010004',
        'INC0010005',
        'INC0010006',
      ]);
      const links = Object.fromEntries(
        (page.headers.get('link') ?? '').split(',').map((part) => {
          const [, url = '', rel = ''] = /^<([^>]+)>;rel="(\w+)"$/.exec(part) ?? [];
          return [rel, new URL(url).searchParams.get('sysparm_offset')];
        }),
      );
      expect(links).toEqual({ first: '0', prev: '0', next: '6', last: '9' });

      let next: string | null =
        `${sim.url}/api/now/table/incident?sysparm_query=ORDERBYnumber&sysparm_fields=number&sysparm_limit=4`;
      const seen: unknown[] = [];
      while (next !== null) {
        const res = await fetch(next, { headers: { Authorization: `Bearer ${token}` } });
        seen.push(...((await res.json()) as { result: Json[] }).result.map((row) => row.number));
        next = /<([^>]+)>;rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
      }
      expect(seen).toHaveLength(10);
      expect(new Set(seen).size).toBe(10);
    });

    it('answers an empty list on the default path and 404 on v1', async () => {
      expect(await list('number=INC9999999')).toEqual([]);
      const v1 = await api('/api/now/v1/table/incident?sysparm_query=number=INC9999999');
      expect(v1.status).toBe(404);
    });

    it('shows references as {link,value}, bare with exclude_reference_link, names with display_value', async () => {
      const group = sim.groups().find((candidate) => candidate.name === 'Network')!;
      const created = sim.seedIncident({
        assignment_group: group.sysId,
        state: '2',
        impact: '1',
        urgency: '1',
      });
      const base = `/api/now/table/incident/${created.sys_id!}?sysparm_fields=assignment_group,state,priority`;

      const raw = (await (await api(base)).json()) as { result: Json };
      expect(raw.result).toEqual({
        assignment_group: {
          link: `${sim.url}/api/now/table/sys_user_group/${group.sysId}`,
          value: group.sysId,
        },
        state: '2',
        priority: '1',
      });
      const bare = (await (await api(`${base}&sysparm_exclude_reference_link=true`)).json()) as {
        result: Json;
      };
      expect(bare.result.assignment_group).toBe(group.sysId);
      const display = (await (await api(`${base}&sysparm_display_value=true`)).json()) as { result: Json };
      expect(display.result).toEqual({
        assignment_group: 'Network',
        state: 'In Progress',
        priority: '1 - Critical',
      });
      const all = (await (await api(`${base}&sysparm_display_value=all`)).json()) as { result: Json };
      expect(all.result).toEqual({
        assignment_group: {
          display_value: 'Network',
          link: `${sim.url}/api/now/table/sys_user_group/${group.sysId}`,
          value: group.sysId,
        },
        state: { display_value: 'In Progress', value: '2' },
        priority: { display_value: '1 - Critical', value: '1' },
      });
    });

    it('dot-walks one level through references in queries and fields', async () => {
      const network = sim.groups().find((group) => group.name === 'Network')!;
      sim.seedIncident({
        short_description: 'net',
        assignment_group: network.sysId,
        caller_id: BETH.userName,
      });
      sim.seedIncident({ short_description: 'none' });
      const rows = await list(
        'assignment_group.name=Network',
        '&sysparm_fields=short_description,assignment_group.name,caller_id.email',
      );
      expect(rows).toEqual([
        { short_description: 'net', 'assignment_group.name': 'Network', 'caller_id.email': BETH.email },
      ]);
      expect(await list('assignment_group.nameISEMPTY', '&sysparm_fields=short_description')).toEqual([
        { short_description: 'none' },
      ]);
    });

    it('accepts a reference by its display name on write', async () => {
      const res = await post({ assignment_group: 'Database' });
      const { result } = (await res.json()) as { result: { assignment_group: { value: string } } };
      expect(result.assignment_group.value).toBe(
        sim.groups().find((group) => group.name === 'Database')?.sysId,
      );
    });

    it('stores correlation_id and correlation_display, and finds a record by its correlation_id', async () => {
      const ours = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
      await post({
        short_description: 'Linked',
        correlation_id: ours,
        correlation_display: 'Nexecute INC-42',
      });
      seedTen();
      expect(
        await list(`correlation_id=${ours}`, '&sysparm_fields=short_description,correlation_display'),
      ).toEqual([{ short_description: 'Linked', correlation_display: 'Nexecute INC-42' }]);
    });

    it('lists sys_user_group rows', async () => {
      const res = await api(
        '/api/now/table/sys_user_group?sysparm_query=name=Network&sysparm_fields=sys_id,name',
      );
      expect(await res.json()).toEqual({
        result: [{ sys_id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'Network' }],
      });
    });
  });

  describe('journal fields and sys_journal_field', () => {
    it('appends a row per comment or work note, reads the field raw as "", and filters by time', async () => {
      const created = (await (
        await post({ short_description: 'x', comments: 'Customer says hi' })
      ).json()) as {
        result: Json;
      };
      const sysId = String(created.result.sys_id);
      expect(created.result.comments).toBe('');
      clock.advance(2_000);
      const res = await patch(sysId, { work_notes: 'Internal only' });
      expect(((await res.json()) as { result: Json }).result).toMatchObject({
        work_notes: '',
        sys_mod_count: '1',
      });
      clock.advance(2_000);
      sim.addJournal(sysId, 'comments', 'Fixed it', BETH.userName);
      expect(sim.record(sysId)?.sys_mod_count).toBe('2');

      const query = encodeURIComponent(
        `element_id=${sysId}^elementINcomments,work_notes^ORDERBYsys_created_on`,
      );
      const rows = (await (await api(`/api/now/table/sys_journal_field?sysparm_query=${query}`)).json()) as {
        result: Json[];
      };
      expect(rows.result).toEqual([
        {
          sys_id: expect.stringMatching(/^[0-9a-f]{32}$/),
          element: 'comments',
          element_id: sysId,
          name: 'incident',
          value: 'Customer says hi',
          sys_created_by: INTEGRATION.userName,
          sys_created_on: '2026-03-01 09:00:00',
        },
        expect.objectContaining({
          element: 'work_notes',
          value: 'Internal only',
          sys_created_on: '2026-03-01 09:00:02',
        }),
        expect.objectContaining({ element: 'comments', value: 'Fixed it', sys_created_by: BETH.userName }),
      ]);
      const since = encodeURIComponent(`element_id=${sysId}^sys_created_on>2026-03-01 09:00:02`);
      const later = (await (
        await api(`/api/now/table/sys_journal_field?sysparm_query=${since}&sysparm_fields=value`)
      ).json()) as {
        result: Json[];
      };
      expect(later.result).toEqual([{ value: 'Fixed it' }]);

      const display = (await (
        await api(`/api/now/table/incident/${sysId}?sysparm_fields=comments&sysparm_display_value=true`)
      ).json()) as {
        result: Json;
      };
      expect(display.result.comments).toBe(
        '2026-03-01 09:00:04 - Beth Anglin (Additional comments)\nFixed it\n\n' +
          '2026-03-01 09:00:00 - Nexecute Integration (Additional comments)\nCustomer says hi\n\n',
      );
    });
  });

  describe('GET /api/now/table/sys_choice', () => {
    const query = `/api/now/table/sys_choice?sysparm_query=${encodeURIComponent('name=incident^element=close_code^inactive=false')}&sysparm_fields=value,label`;

    it('answers the base close codes by default', async () => {
      const res = (await (await api(query)).json()) as { result: Json[] };
      expect(res.result).toEqual(BASE_CLOSE_CODES.map((code) => ({ value: code, label: code })));
    });

    it('answers a configured list', async () => {
      sim.setCloseCodes([{ value: 'Solution provided', label: 'Solution provided' }, 'Duplicate']);
      const res = (await (await api(query)).json()) as { result: Json[] };
      expect(res.result).toEqual([
        { value: 'Solution provided', label: 'Solution provided' },
        { value: 'Duplicate', label: 'Duplicate' },
      ]);
    });
  });

  describe('authentication', () => {
    it('answers 401 with the envelope once the token expires or is revoked; a new token works', async () => {
      await startSimulator({ accessTokenTtlSeconds: 120 });
      expect((await api('/api/now/table/incident')).status).toBe(200);
      clock.advance(120_000);
      const expired = await api('/api/now/table/incident');
      expect(expired.status).toBe(401);
      expect(await expired.json()).toEqual(NOT_AUTHENTICATED);

      token = await passwordToken(INTEGRATION.userName, INTEGRATION.password ?? '');
      expect((await api('/api/now/table/incident')).status).toBe(200);
      sim.expireAccessTokens();
      expect((await api('/api/now/table/incident')).status).toBe(401);
      sim.setAccessTokenTtl(30);
      token = await passwordToken(INTEGRATION.userName, INTEGRATION.password ?? '');
      const issued = sim.issuedTokens().at(-1)!;
      expect(issued.expiresAt - issued.issuedAt).toBe(30_000);
      sim.revokeAll();
      expect((await api('/api/now/table/incident')).status).toBe(401);
    });

    it('refuses an expired refresh token; the password grant then issues a fresh pair', async () => {
      const first = await fetch(sim.tokenUrl, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: DEFAULT_CLIENT.clientId,
          client_secret: DEFAULT_CLIENT.clientSecret,
          username: INTEGRATION.userName,
          password: INTEGRATION.password ?? '',
        }),
      });
      const { refresh_token } = (await first.json()) as { refresh_token: string };
      sim.expireRefreshTokens();
      const refresh = (): Promise<Response> =>
        fetch(sim.tokenUrl, {
          method: 'POST',
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: DEFAULT_CLIENT.clientId,
            client_secret: DEFAULT_CLIENT.clientSecret,
            refresh_token,
          }),
        });
      const refused = await refresh();
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ error: 'server_error', error_description: 'access_denied' });
      sim.expireAccessTokens();
      token = await passwordToken(INTEGRATION.userName, INTEGRATION.password ?? '');
      expect((await api('/api/now/table/incident')).status).toBe(200);
    });

    it('accepts Basic authentication with a user password', async () => {
      const basic = Buffer.from(`${INTEGRATION.userName}:${INTEGRATION.password ?? ''}`).toString('base64');
      expect(
        (await api('/api/now/table/incident', { headers: { Authorization: `Basic ${basic}` } })).status,
      ).toBe(200);
      const wrong = Buffer.from(`${INTEGRATION.userName}:nope`).toString('base64');
      expect(
        (await api('/api/now/table/incident', { headers: { Authorization: `Basic ${wrong}` } })).status,
      ).toBe(401);
    });
  });

  describe('faults', () => {
    it('answers 429 with Retry-After and X-RateLimit-* for the next N calls to a route', async () => {
      sim.fault('/api/now/table/incident', {
        status: 429,
        retryAfterSeconds: 7,
        times: 2,
        rateLimitHeaders: true,
      });
      for (let i = 0; i < 2; i += 1) {
        const res = await api('/api/now/table/incident');
        expect(res.status).toBe(429);
        expect(res.headers.get('retry-after')).toBe('7');
        expect(res.headers.get('x-ratelimit-limit')).toEqual(expect.any(String));
        expect(Number(res.headers.get('x-ratelimit-reset'))).toBe(Math.floor(clock.now() / 1000) + 7);
        expect(res.headers.get('x-ratelimit-rule')).toMatch(/^[0-9a-f]{32}$/);
        expect(await res.json()).toMatchObject({ status: 'failure' });
      }
      expect((await api('/api/now/table/incident')).status).toBe(200);
      expect(sim.requests.filter((r) => r.path === '/api/now/table/incident').map((r) => r.status)).toEqual([
        429, 429, 200,
      ]);
    });

    it('applies a rate-limit rule per window: headers on each call, 429 past the limit, reset by the clock', async () => {
      sim.setRateLimit({ limit: 2, windowSeconds: 60 });
      const first = await api('/api/now/table/incident');
      expect(first.headers.get('x-ratelimit-limit')).toBe('2');
      expect(first.headers.get('x-ratelimit-reset')).toBe(String(Math.ceil(clock.now() / 1000) + 60));
      expect((await api('/api/now/table/incident')).status).toBe(200);
      const limited = await api('/api/now/table/incident');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);

      sim.setRateLimit({ limit: 0, retryAfter: false });
      const bare = await api('/api/now/table/incident');
      expect(bare.status).toBe(429);
      expect(bare.headers.get('retry-after')).toBeNull();
      expect(bare.headers.get('x-ratelimit-reset')).toEqual(expect.any(String));

      sim.setRateLimit({ limit: 1, windowSeconds: 60 });
      expect((await api('/api/now/table/incident')).status).toBe(200);
      expect((await api('/api/now/table/incident')).status).toBe(429);
      clock.advance(60_000);
      expect((await api('/api/now/table/incident')).status).toBe(200);
      sim.setRateLimit(undefined);
    });

    it('answers 500 and 503 until cleared', async () => {
      sim.fault('/api/now', { status: 500, times: Infinity });
      expect((await api('/api/now/table/incident')).status).toBe(500);
      expect((await api('/api/now/v2/table/incident')).status).toBe(500);
      sim.clearFaults();
      sim.fault('/api/now/table/incident', { status: 503, body: '<html>Instance hibernating</html>' });
      const res = await api('/api/now/table/incident');
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect((await api('/api/now/table/incident')).status).toBe(200);
    });

    it('faults one method only, leaving the others (and its count) alone', async () => {
      const created = (await (await post({ short_description: 'Disk full' })).json()) as { result: Json };
      const sysId = String(created.result.sys_id);
      sim.fault('/api/now/table/incident', { method: 'PATCH', status: 403, times: 1 });
      expect((await api(`/api/now/table/incident/${sysId}`)).status).toBe(200);
      expect((await post({ short_description: 'Another' })).status).toBe(201);
      expect((await patch(sysId, { state: '2' })).status).toBe(403);
      expect((await patch(sysId, { state: '2' })).status).toBe(200);
    });

    it('is slow on request', async () => {
      sim.fault('/api/now/table/incident', { delayMs: 120 });
      const started = Date.now();
      expect((await api('/api/now/table/incident')).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    });

    it('resets connections, then goes down (refused) and comes back with its records', async () => {
      const created = sim.seedIncident({ short_description: 'survives' });
      sim.fault('/api/now/table/incident', { dropConnection: true });
      await expect(api('/api/now/table/incident')).rejects.toThrow();

      await sim.down();
      expect(sim.isUp).toBe(false);
      const failure = (): Promise<string | undefined> =>
        api('/api/now/table/incident').then(
          () => 'answered',
          (error: unknown) => (error as { cause?: { code?: string } }).cause?.code,
        );
      // A pooled keep-alive socket may first fail as a reset; a fresh connection is refused.
      await failure();
      const refused = await failure();
      expect(refused).toBe('ECONNREFUSED');
      await sim.up();
      const res = await api(`/api/now/table/incident/${created.sys_id!}?sysparm_fields=short_description`);
      expect(await res.json()).toEqual({ result: { short_description: 'survives' } });
    });
  });

  describe('webhooks', () => {
    let receiver: Receiver;

    beforeEach(async () => {
      receiver = await Receiver.start();
      sim.configureWebhook({ url: receiver.url, secret: SECRET, retryDelayMs: 10 });
    });

    afterEach(async () => {
      await receiver.close();
    });

    it('posts signed incident.created, incident.updated and journal.added events for Table API writes', async () => {
      const created = (await (await post({ short_description: 'hook' })).json()) as { result: Json };
      const sysId = String(created.result.sys_id);
      await patch(sysId, { state: '2', work_notes: 'on it' });
      await patch(sysId, { state: '2' }); // no change: no event
      await sim.webhook.idle();

      const events = receiver.events();
      expect(events.map((event) => [event.event, event.event_id])).toEqual([
        ['incident.created', `${sysId}:0`],
        ['incident.updated', `${sysId}:1`],
        ['journal.added', expect.stringMatching(/^journal:[0-9a-f]{32}$/)],
      ]);
      expect(events[1]?.record).toMatchObject({
        sys_id: sysId,
        state: '2',
        sys_mod_count: '1',
        work_notes: '',
      });
      expect(events[2]?.record).toMatchObject({ element: 'work_notes', element_id: sysId, value: 'on it' });
      for (const entry of receiver.received) {
        const ts = String(entry.headers['x-nexecute-timestamp']);
        const mac = createHmac('sha256', SECRET).update(`${ts}.${entry.body}`).digest('hex');
        expect(entry.headers['x-nexecute-signature']).toBe(`sha256=${mac}`);
      }
    });

    it("skips the integration user's own writes with emitFor others, not a ServiceNow user's", async () => {
      sim.configureWebhook({ emitFor: 'others' });
      expect(sim.webhook.integrationUser).toBe(INTEGRATION.userName);
      const created = (await (await post({ short_description: 'ours' })).json()) as { result: Json };
      const sysId = String(created.result.sys_id);
      sim.updateAsUser(sysId, { urgency: '1' }, BETH.userName);
      sim.addJournal(sysId, 'comments', 'from the portal', BETH.userName);
      await sim.webhook.idle();
      expect(
        receiver.events().map((event) => [event.event, event.record.sys_mod_count ?? event.record.value]),
      ).toEqual([
        ['incident.updated', '1'],
        ['incident.updated', '2'],
        ['journal.added', 'from the portal'],
      ]);
      expect(sim.record(sysId)).toMatchObject({ sys_updated_by: BETH.userName, urgency: '1', priority: '3' });
    });

    it('sends duplicates and out-of-order deliveries when switched', async () => {
      const seeded = sim.seedIncident({ short_description: 'quiet seed' });
      sim.webhook.holdNext();
      sim.updateAsUser(seeded.sys_id!, { state: '2' });
      sim.webhook.duplicateNext();
      sim.updateAsUser(seeded.sys_id!, { state: '3', hold_reason: '1' });
      await sim.webhook.idle();
      sim.webhook.releaseHeld();
      await sim.webhook.idle();
      expect(receiver.events().map((event) => event.event_id)).toEqual([
        `${seeded.sys_id!}:2`,
        `${seeded.sys_id!}:2`,
        `${seeded.sys_id!}:1`,
      ]);
    });

    it('reports every change to onChange listeners, whoever made it', async () => {
      const changes: string[] = [];
      const stop = sim.onChange((change) =>
        changes.push(
          `${change.kind}:${change.userName}:${change.record.sys_mod_count ?? ''}:${change.journal.length}`,
        ),
      );
      const created = (await (await post({ short_description: 'watched', comments: 'hi' })).json()) as {
        result: Json;
      };
      const sysId = String(created.result.sys_id);
      await patch(sysId, { short_description: 'watched' }); // no change: not reported
      sim.updateAsUser(sysId, { state: '2' }, BETH.userName);
      stop();
      sim.updateAsUser(sysId, { state: '3' }, BETH.userName);
      expect(changes).toEqual([`created:${INTEGRATION.userName}:0:1`, `updated:${BETH.userName}:1:0`]);
      await sim.webhook.idle();
    });

    it('sends deletes', async () => {
      const created = sim.createAsUser({ short_description: 'gone soon' });
      sim.deleteAsUser(created.sys_id!);
      await sim.webhook.idle();
      expect(receiver.events().map((event) => event.event)).toEqual(['incident.created', 'incident.deleted']);
    });
  });
});
