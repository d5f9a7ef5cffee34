import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { signInAsAdmin, type SignedIn } from '../../../../test/sign-in';
import type { TcpProxy } from '../../../../test/support/tcp-proxy';
import { waitFor } from '../../../../test/support/wait-for';
import {
  startTestAppBehindProxy,
  TEST_ADMIN,
  type ProxiedTestApp,
  type TestApp,
} from '../../../../test/test-app';

/** Routes that never touch the database, so an outage does not concern them. */
const DATABASE_FREE = new Set([
  'GET /api/health/live',
  'GET /api/auth/providers',
  // no webhook secret is configured here: refused (401) before anything is stored
  'POST /api/webhooks/servicenow',
  // no Slack signing secret here either: 401 before anything is read or stored
  'POST /api/slack/events',
  'POST /api/slack/interactions',
  'POST /api/slack/commands',
]);

/** Bodies good enough to get past validation, so the request really reaches the database. */
const VALID_BODIES: Record<string, object> = {
  'POST /api/auth/login': { email: TEST_ADMIN.email, password: TEST_ADMIN.password },
  'POST /api/incidents': { title: 'Outage probe', impact: 2, urgency: 2 },
  'POST /api/event-sources': { name: 'Outage probe' },
  'POST /api/integrations/slack/routes': { name: 'Outage probe', channelId: 'C0OUTAGE01' },
  'PUT /api/integrations/slack/routes/order': { ids: [] },
  'POST /api/events': {
    routing_key: 'outageprobe0000000000000000000000'.slice(0, 32),
    event_action: 'trigger',
    payload: { summary: 'Outage probe', source: 'probe', severity: 'info' },
  },
  'POST /api/events/alertmanager': {
    version: '4',
    status: 'firing',
    groupKey: 'probe',
    alerts: [
      { status: 'firing', labels: { alertname: 'Probe' }, annotations: {}, fingerprint: '0123456789abcdef' },
    ],
  },
};

/** Producers authenticate with a source's integration key, which only the database can tell apart. */
const AUTHORIZATION: Record<string, string> = {
  'POST /api/events/alertmanager': `Bearer ${'outageprobe0000000000000000000000'.slice(0, 32)}`,
};

interface Operation {
  readonly method: string;
  readonly path: string;
}

async function timed(send: () => Promise<Response>): Promise<{ res: Response; ms: number }> {
  const started = performance.now();
  const res = await send();
  return { res, ms: performance.now() - started };
}

function expectUnavailable(res: Response, what: string): void {
  expect({ what, status: res.status, code: (res.body as { code?: string }).code }).toEqual({
    what,
    status: 503,
    code: 'DATABASE_UNAVAILABLE',
  });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
}

describe('a database that goes away', () => {
  let app: ProxiedTestApp;
  let proxy: TcpProxy;
  let t: TestApp;
  let admin: SignedIn;
  let apiKey: string;
  let operations: Operation[];

  beforeAll(async () => {
    app = await startTestAppBehindProxy();
    ({ t, proxy } = app);
    admin = await signInAsAdmin(t);
    const key = await t.http
      .post('/api/api-keys')
      .set('authorization', admin.bearer)
      .send({ name: 'outage', scopes: ['incidents:read', 'incidents:write'] })
      .expect(201);
    apiKey = (key.body as { key: string }).key;
    const doc = await t.http.get('/api/docs-json').expect(200);
    const paths = (doc.body as { paths: Record<string, Record<string, unknown>> }).paths;
    operations = Object.entries(paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => ({ method: method.toUpperCase(), path })),
    );
  });

  afterAll(() => app.close());

  afterEach(async () => {
    await proxy.forward();
    await waitFor(async () => (await t.http.get('/api/health/ready')).status === 200, 10000, 'ready again');
  });

  it('answers every database route 503 DATABASE_UNAVAILABLE with Retry-After, within a second, when connections are refused', async () => {
    await proxy.refuse();
    const refreshBody = { refreshToken: admin.refreshToken };
    const slow: string[] = [];
    for (const op of operations) {
      const name = `${op.method} ${op.path}`;
      if (DATABASE_FREE.has(name)) continue;
      const url = op.path.replace(/\{[^}]+\}/g, (param) =>
        param === '{provider}' ? 'servicenow' : randomUUID(),
      );
      const { res, ms } = await timed(() =>
        t.http[op.method.toLowerCase() as 'get']('' + url)
          .set('authorization', AUTHORIZATION[name] ?? admin.bearer)
          .send(VALID_BODIES[name] ?? (name.startsWith('POST /api/auth/') ? refreshBody : {})),
      );
      if (name === 'GET /api/health/ready') {
        expect(res.status).toBe(503);
        expect((res.body as { code: string }).code).toBe('HEALTH_NOT_READY');
      } else if (
        name === 'GET /api/auth/sso/{provider}' ||
        name === 'GET /api/auth/sso/{provider}/callback'
      ) {
        // SSO is not configured in this app: refused before any database work.
        expect(res.status).toBe(404);
      } else if (name === 'GET /api/slack/oauth/callback') {
        // No state cookie: refused (back to the console) before the state is looked up.
        expect(res.status).toBe(302);
        expect(res.headers.location).toContain('code=SLACK_OAUTH_STATE_INVALID');
      } else {
        expectUnavailable(res, name);
      }
      if (ms > 1000) slow.push(`${name}: ${Math.round(ms)} ms`);
    }
    expect(slow).toEqual([]);
  });

  it('answers API-key and anonymous sign-in requests 503, not 401, and changes nothing', async () => {
    const before = await t.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM incidents');
    await proxy.refuse();
    expectUnavailable(await t.http.get('/api/incidents').set('x-api-key', apiKey), 'api key read');
    expectUnavailable(
      await t.http.post('/api/incidents').set('x-api-key', apiKey).send(VALID_BODIES['POST /api/incidents']),
      'api key write',
    );
    expectUnavailable(
      await t.http.post('/api/auth/refresh').send({ refreshToken: admin.refreshToken }),
      'refresh',
    );
    expectUnavailable(
      await t.http.post('/api/auth/login').send(VALID_BODIES['POST /api/auth/login']),
      'login',
    );
    await proxy.forward();
    await waitFor(async () => (await t.http.get('/api/health/ready')).status === 200, 10000, 'ready again');
    const after = await t.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM incidents');
    expect(after).toEqual(before);
    // The refresh refused during the outage consumed nothing: the console keeps its session.
    await t.http.post('/api/auth/refresh').send({ refreshToken: admin.refreshToken }).expect(200);
  });

  it('answers 503 within about a second when the database stops answering, and frees requests stuck on it', async () => {
    await proxy.blackhole();
    // Requests already waiting on a silent server are released when the next check fails.
    const stuck = timed(() => t.http.get('/api/incidents').set('authorization', admin.bearer));
    const { res, ms } = await stuck;
    expectUnavailable(res, 'request in flight when the server went silent');
    expect(ms).toBeLessThan(2500);
    // Once the outage is known, requests are refused at once without touching the pool.
    const later = await timed(() => t.http.get('/api/incidents').set('authorization', admin.bearer));
    expectUnavailable(later.res, 'request during the outage');
    expect(later.ms).toBeLessThan(1000);
  });

  it('declares no outage for an idle app whose check went unanswered once', async () => {
    const warned = (): number =>
      t.logs().filter((l) => l.level === 'warn' && /Database check got no answer/.test(l.msg ?? '')).length;
    const outages = (): number => t.logs().filter((l) => /Database unavailable/.test(l.msg ?? '')).length;
    const before = { warned: warned(), outages: outages() };
    await proxy.blackhole();
    await waitFor(() => warned() > before.warned, 5000, 'a check without an answer');
    await proxy.forward();
    // Nothing was waiting on the server, so one silence was not enough to cut the pool.
    expect(outages()).toBe(before.outages);
    await t.http.get('/api/incidents').set('authorization', admin.bearer).expect(200);
  });

  it('serves again when the database comes back, without a restart', async () => {
    await proxy.refuse();
    expectUnavailable(await t.http.get('/api/incidents').set('authorization', admin.bearer), 'during');
    await proxy.forward();
    await waitFor(
      async () => (await t.http.get('/api/incidents').set('authorization', admin.bearer)).status === 200,
      5000,
      'serving again',
    );
    const logs = t.logs();
    expect(logs.some((l) => l.level === 'warn' && /Database unavailable/.test(l.msg ?? ''))).toBe(true);
    expect(logs.some((l) => /Database reachable again/.test(l.msg ?? ''))).toBe(true);
    // Unavailability is not a bug: no stack traces logged as unexpected errors.
    expect(logs.filter((l) => l.level === 'error' && /failed:/.test(l.msg ?? ''))).toEqual([]);
  });
});
