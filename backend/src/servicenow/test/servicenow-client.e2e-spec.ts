import { SecretBox } from '../../common/crypto/secret-box';
import { signInAsAdmin } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { ServiceNowCallStats, type ServiceNowOperationStats } from '../servicenow-call-stats';
import { ServiceNowClient } from '../servicenow-client';
import { secretAad } from '../servicenow-connection.service';
import { ServiceNowCallError } from '../servicenow.errors';
import type {
  ServiceNowSimulator,
  ServiceNowSimulatorOptions,
} from '../../../test/simulators/servicenow.simulator';
import { instanceEnv, startInstance, tableRequests, tokenGrants, type InstanceClock } from './sync-fixtures';

async function failureOf(promise: Promise<unknown>): Promise<ServiceNowCallError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ServiceNowCallError) return e;
    throw e;
  }
  throw new Error('expected a ServiceNowCallError');
}

describe('ServiceNowClient against the instance simulator', () => {
  let sim: ServiceNowSimulator;
  let clock: InstanceClock;
  let t: TestApp;
  let client: ServiceNowClient;

  /** Requests before this index are from the test's setup. */
  let mark = 0;
  const start = async (env: Record<string, string> = {}, simulator: ServiceNowSimulatorOptions = {}) => {
    mark = 0;
    ({ sim, clock } = await startInstance(simulator));
    t = await startTestApp({ env: instanceEnv(sim, env) });
    client = t.app.get(ServiceNowClient);
  };
  /** An incident on the instance (no webhook), as the Table API returns it. */
  const seed = (fields: Record<string, string> = {}) => {
    const row = sim.seedIncident({ short_description: 'Printer on fire', ...fields });
    return { sys_id: row['sys_id']!, number: row['number']! };
  };
  afterEach(async () => {
    mark = 0;
    await t?.close();
    await sim?.close();
  });

  describe('OAuth token cache', () => {
    it('obtains one token for many concurrent first calls (password grant, form-encoded)', async () => {
      await start();
      const incident = seed();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => client.getIncident(incident.sys_id)),
      );
      expect(results.every((r) => r?.number === incident.number)).toBe(true);
      expect(tokenGrants(sim)).toEqual(['password']);
      const tokenRequest = sim.requests.find((r) => r.path === '/oauth_token.do')!;
      expect(tokenRequest.headers['content-type']).toBe('application/x-www-form-urlencoded');
    });

    it('on a 401 renews once (refresh_token) for all concurrent calls and retries each once', async () => {
      await start();
      const incident = seed();
      await client.getIncident(incident.sys_id);
      sim.expireAccessTokens();
      mark = sim.requests.length;

      const results = await Promise.all(Array.from({ length: 8 }, () => client.getIncident(incident.sys_id)));
      expect(results.every((r) => r?.sys_id === incident.sys_id)).toBe(true);
      expect(tokenGrants(sim)).toEqual(['password', 'refresh_token']);
      const statuses = tableRequests(sim, mark).map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(8);
      expect(statuses.filter((s) => s === 200)).toHaveLength(8);
    });

    it('renews before expiry, without a 401, when the token is about to lapse', async () => {
      // expires_in 2: renewed from 1.6 s on (a fifth of the lifetime ahead), the instance honours it until 2 s
      await start({}, { accessTokenTtlSeconds: 2 });
      const incident = seed();
      await client.getIncident(incident.sys_id);
      await new Promise((r) => setTimeout(r, 1700));
      await client.getIncident(incident.sys_id);
      expect(tokenGrants(sim)).toEqual(['password', 'refresh_token']);
      expect(tableRequests(sim, mark).map((r) => r.status)).toEqual([200, 200]);
    });

    it('re-runs the configured grant when the refresh token has lapsed', async () => {
      await start({}, { refreshTokenTtlSeconds: 3600 });
      const incident = seed();
      await client.getIncident(incident.sys_id);
      clock.advance(2 * 3600 * 1000); // on the instance both tokens are now expired
      expect((await client.getIncident(incident.sys_id))?.sys_id).toBe(incident.sys_id);
      expect(tokenGrants(sim)).toEqual(['password', 'refresh_token', 'password']);
    });

    it('uses client_credentials when so configured (no refresh token)', async () => {
      await start({
        SERVICENOW_GRANT: 'client_credentials',
        SERVICENOW_USERNAME: '',
        SERVICENOW_PASSWORD: '',
      });
      seed();
      await client.listIncidents('active=true', { limit: 1 });
      sim.expireAccessTokens();
      await client.listIncidents('active=true', { limit: 1 });
      expect(tokenGrants(sim)).toEqual(['client_credentials', 'client_credentials']);
    });

    it('reports refused credentials as an auth failure with the instance’s words, without retrying', async () => {
      await start({ SERVICENOW_PASSWORD: 'wrong password' });
      const error = await failureOf(client.listIncidents(''));
      expect(error).toMatchObject({
        kind: 'auth',
        status: 401,
        instanceMessage: 'server_error: access_denied',
      });
      expect(tokenGrants(sim)).toEqual(['password']);
    });

    it('stores tokens encrypted, and a restarted app reuses them', async () => {
      ({ sim, clock } = await startInstance());
      const env = instanceEnv(sim);
      const first = await startTestApp({ env, keepDatabase: true });
      const incident = seed();
      await first.app.get(ServiceNowClient).getIncident(incident.sys_id);
      const [row] = await first.dataSource.query<{ access_token: string; refresh_token: string }[]>(
        'SELECT access_token, refresh_token FROM servicenow_connection',
      );
      const issued = sim.issuedTokens()[0]!;
      expect(row!.access_token).toMatch(/^v1\./);
      expect(row!.access_token).not.toContain(issued.accessToken);
      expect(row!.refresh_token).not.toContain(issued.refreshToken!);
      const box = first.app.get(SecretBox);
      expect(box.decrypt(row!.access_token, secretAad('accessToken'))).toBe(issued.accessToken);
      await first.close();

      t = await startTestApp({ env, database: first.database });
      try {
        await t.app.get(ServiceNowClient).getIncident(incident.sys_id);
        expect(tokenGrants(sim)).toEqual(['password']);
        // and its statistics count the calls of both: every instance shows the same figures
        const stats = await t.app.get(ServiceNowCallStats).byOperation();
        expect(stats.map((s) => [s.operation, s.count])).toEqual([
          ['incident.get', 2],
          ['token', 1],
        ]);
      } finally {
        await t.close();
        await first.database.drop();
        t = undefined as unknown as TestApp;
      }
    });
  });

  describe('retries, back-off and the circuit breaker', () => {
    it('honours Retry-After through a 429 storm, then succeeds', async () => {
      await start();
      seed();
      await client.listIncidents('', { limit: 1 });
      mark = sim.requests.length;
      sim.fault('/api/now/table', { status: 429, times: 2, retryAfterSeconds: 1 });
      await client.listIncidents('', { limit: 1 });
      const times = tableRequests(sim, mark).map((r) => r.at);
      expect(tableRequests(sim, mark).map((r) => r.status)).toEqual([429, 429, 200]);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
      expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(950);
    });

    it('waits for X-RateLimit-Reset when there is no Retry-After', async () => {
      await start();
      await client.listIncidents('', { limit: 1 });
      mark = sim.requests.length;
      // a rate-limit rule without Retry-After: one call per 2-second window
      const windowStart = Date.now();
      sim.setRateLimit({ limit: 1, windowSeconds: 2, retryAfter: false });
      await client.listIncidents('', { limit: 1 });
      await client.listIncidents('', { limit: 1 });
      const [, limited, ok] = tableRequests(sim, mark);
      expect(limited!.status).toBe(429);
      expect(ok!.status).toBe(200);
      // X-RateLimit-Reset is the window's end, at least windowStart + 2 s
      expect(ok!.at).toBeGreaterThanOrEqual(windowStart + 2000 - 50);
      sim.setRateLimit(undefined);
    });

    it('gives up at once, transient, when Retry-After is beyond the retry budget', async () => {
      await start();
      await client.listIncidents('', { limit: 1 });
      mark = sim.requests.length;
      sim.fault('/api/now/table', { status: 429, retryAfterSeconds: 3600 });
      const started = Date.now();
      const error = await failureOf(client.listIncidents(''));
      expect(Date.now() - started).toBeLessThan(1000);
      expect(error).toMatchObject({ kind: 'transient', status: 429, retryAfterSeconds: 3600 });
      expect(tableRequests(sim, mark)).toHaveLength(1);
    });

    it('backs off on 5xx, then succeeds', async () => {
      await start();
      await client.listIncidents('', { limit: 1 });
      mark = sim.requests.length;
      sim.fault('/api/now/table', { status: 500, times: 2 });
      await client.listIncidents('', { limit: 1 });
      expect(tableRequests(sim, mark).map((r) => r.status)).toEqual([500, 500, 200]);
      expect(client.circuitState()).toBe('closed');
    });

    it('times out a slow answer and retries it', async () => {
      await start({ SERVICENOW_TIMEOUT_MS: '1000' });
      await client.listIncidents('', { limit: 1 });
      sim.fault('/api/now/table', { delayMs: 1500, status: 200, body: { result: [] } });
      const started = Date.now();
      const page = await client.listIncidents('', { limit: 1 });
      expect(page.records).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      await t.app.get(ServiceNowCallStats).flush();
      const [row] = await t.dataSource.query<{ error: string }[]>(
        `SELECT error FROM servicenow_calls WHERE NOT ok AND status IS NULL`,
      );
      expect(row!.error).toBe('no answer within 1000 ms');
    });

    it('opens the circuit after consecutive failures, fails fast, and closes after a good probe', async () => {
      // half-open after 2 s: longer than the back-off between the attempts of one call
      await start({ SERVICENOW_CIRCUIT_HALF_OPEN_MS: '2000' });
      await client.listIncidents('', { limit: 1 });
      mark = sim.requests.length;
      sim.fault('/api/now/table', {
        status: 503,
        times: 1000,
        body: '<html><body>Instance is hibernating</body></html>',
      });

      const first = await failureOf(client.listIncidents(''));
      expect(first).toMatchObject({ kind: 'transient', failure: 'circuit_open' });
      expect(tableRequests(sim, mark)).toHaveLength(3);
      expect(client.circuitState()).toBe('open');

      const fast = await failureOf(client.listIncidents(''));
      expect(fast.failure).toBe('circuit_open');
      expect(tableRequests(sim, mark)).toHaveLength(3);

      sim.clearFaults();
      await new Promise((r) => setTimeout(r, 2100));
      await client.listIncidents('', { limit: 1 });
      expect(client.circuitState()).toBe('closed');
      expect(tableRequests(sim, mark)).toHaveLength(4);
    });

    it('reports an unreachable instance as transient (network), and records why', async () => {
      ({ sim, clock } = await startInstance());
      await sim.down(); // nothing listens there any more
      t = await startTestApp({ env: instanceEnv(sim) });
      client = t.app.get(ServiceNowClient);
      const error = await failureOf(client.listIncidents(''));
      expect(error.kind).toBe('transient');
      expect(['network', 'circuit_open']).toContain(error.failure);
      await t.app.get(ServiceNowCallStats).flush();
      const rows = await t.dataSource.query<{ error: string }[]>(
        `SELECT error FROM servicenow_calls WHERE operation = 'token' ORDER BY id LIMIT 1`,
      );
      expect(rows[0]!.error).toMatch(/^network error: fetch failed \(ECONNREFUSED\)/);
    });

    it('fails a 403 (ACL, data policy) at once as permanent, with the instance’s message', async () => {
      await start();
      const incident = seed();
      sim.fault('/api/now/table/incident', {
        method: 'PATCH',
        status: 403,
        body: {
          error: { message: 'Operation Failed', detail: 'Data Policy Exception: Close notes are mandatory' },
          status: 'failure',
        },
      });
      const error = await failureOf(client.updateIncident(incident.sys_id, { state: '6' }));
      expect(error).toMatchObject({
        kind: 'permanent',
        status: 403,
        instanceMessage: 'Operation Failed: Data Policy Exception: Close notes are mandatory',
      });
      expect(tableRequests(sim, mark).filter((r) => r.method === 'PATCH')).toHaveLength(1);
    });
  });

  describe('Table API calls', () => {
    it('creates (201), patches only the given fields, gets, lists, and reads journal and close codes', async () => {
      await start();
      const created = await client.createIncident({
        short_description: 'Disk full',
        impact: '2',
        urgency: '1',
      });
      expect(created).toMatchObject({ short_description: 'Disk full', sys_mod_count: '0', priority: '2' });
      const updated = await client.updateIncident(created.sys_id, { state: '2' });
      expect(updated).toMatchObject({ state: '2', sys_mod_count: '1', short_description: 'Disk full' });
      const patch = tableRequests(sim, mark).find((r) => r.method === 'PATCH')!;
      expect(JSON.parse(patch.rawBody)).toEqual({ state: '2' });

      expect(await client.getIncident('0123456789abcdef0123456789abcdef')).toBeNull();
      const page = await client.listIncidents('active=true', { fields: ['sys_id', 'number'], limit: 5 });
      expect(page.total).toBe(1);
      expect(page.records).toEqual([{ sys_id: created.sys_id, number: created.number }]);
      const list = tableRequests(sim, mark).find((r) => r.method === 'GET' && r.path.endsWith('/incident'))!;
      expect(list.query['sysparm_query']).toBe('active=true');
      expect(list.query['sysparm_exclude_reference_link']).toBe('true');

      const since = new Date(clock.now() - 3600_000);
      sim.addJournal(created.sys_id, 'work_notes', 'checked the disk', 'beth.anglin');
      expect(await client.listJournal(created.sys_id, since.toISOString())).toEqual([
        expect.objectContaining({
          element: 'work_notes',
          value: 'checked the disk',
          sys_created_by: 'beth.anglin',
        }),
      ]);
      const journal = tableRequests(sim, mark).find((r) => r.path.endsWith('/sys_journal_field'))!;
      const glideSince = since.toISOString().slice(0, 19).replace('T', ' ');
      expect(journal.query['sysparm_query']).toBe(
        `element_id=${created.sys_id}^elementINcomments,work_notes^sys_created_on>=${glideSince}^ORDERBYsys_created_on`,
      );

      expect(await client.closeCodes()).toEqual(sim.closeCodes());
      await client.closeCodes();
      expect(tableRequests(sim, mark).filter((r) => r.path.endsWith('/sys_choice'))).toHaveLength(1);
    });

    it('says it is not configured when no connection is set', async () => {
      ({ sim, clock } = await startInstance());
      t = await startTestApp({ env: { DELIVERY_WORKER_ENABLED: 'false' } });
      client = t.app.get(ServiceNowClient);
      expect(await client.isConfigured()).toBe(false);
      expect(await failureOf(client.listIncidents(''))).toMatchObject({ kind: 'not_configured' });
    });
  });

  describe('GET /api/integrations/servicenow/health', () => {
    it('keeps call statistics SERVICENOW_CALL_RETENTION_DAYS', async () => {
      await start({ SERVICENOW_CALL_RETENTION_DAYS: '7' });
      await client.listIncidents('', { limit: 1 });
      await t.dataSource.query(
        `INSERT INTO servicenow_calls (at, operation, status, ok, duration_ms) VALUES (now() - interval '8 days', 'incident.list', 200, true, 5)`,
      );
      expect(await t.app.get(ServiceNowCallStats).sweep()).toBe(1);
      await t.app.get(ServiceNowCallStats).flush();
      const rows = await t.dataSource.query<{ operation: string }[]>(
        `SELECT operation FROM servicenow_calls`,
      );
      expect(rows.map((r) => r.operation).sort()).toEqual(['incident.list', 'token']);
    });

    it('shows calls per operation (count, errors, p50/p95, last error), the circuit and token expiries', async () => {
      await start();
      const incident = seed();
      await client.getIncident(incident.sys_id);
      await client.getIncident(incident.sys_id);
      sim.fault('/api/now/table/incident', {
        method: 'PATCH',
        status: 403,
        body: { error: { message: 'ACL', detail: null }, status: 'failure' },
      });
      await failureOf(client.updateIncident(incident.sys_id, { state: '2' }));

      const admin = await signInAsAdmin(t);
      const res = await t.http
        .get('/api/integrations/servicenow/health')
        .set('Authorization', admin.bearer)
        .expect(200);
      const calls = res.body.calls as ServiceNowOperationStats[];
      const byOp = Object.fromEntries(calls.map((c) => [c.operation, c]));
      const get = byOp['incident.get']!;
      expect(byOp['incident.get']).toMatchObject({ count: 2, errors: 0, lastError: null });
      expect(get.p50Ms).toEqual(expect.any(Number));
      expect(get.p95Ms).toBeGreaterThanOrEqual(get.p50Ms!);
      expect(byOp['incident.update']).toMatchObject({ count: 1, errors: 1, lastError: 'ACL' });
      expect(byOp.token).toMatchObject({ count: 1, errors: 0 });
      expect(res.body).toMatchObject({
        circuit: 'closed',
        tokenExpiresAt: expect.any(String),
        refreshTokenExpiresAt: expect.any(String),
        // the sync's part, from its ServiceNowSyncStatus: nothing received or queued yet
        lastWebhookAt: null,
        pendingSyncs: 0,
        failedSyncs: 0,
        recentErrors: [
          expect.objectContaining({ operation: 'incident.update', status: 403, message: 'ACL' }),
        ],
      });
    });
  });
});
