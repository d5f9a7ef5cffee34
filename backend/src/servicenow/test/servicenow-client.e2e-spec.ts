import { SecretBox } from '../../common/crypto/secret-box';
import { signInAsAdmin } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { ServiceNowCallStats, type ServiceNowOperationStats } from '../servicenow-call-stats';
import { ServiceNowClient } from '../servicenow-client';
import { secretAad } from '../servicenow-connection.service';
import { ServiceNowCallError } from '../servicenow.errors';
import { instanceEnv, startTestInstance, type TestInstance } from './servicenow-instance';

async function failureOf(promise: Promise<unknown>): Promise<ServiceNowCallError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ServiceNowCallError) return e;
    throw e;
  }
  throw new Error('expected a ServiceNowCallError');
}

describe('ServiceNowClient against an instance (OAuth simulator + temporary Table API stub)', () => {
  let sn: TestInstance;
  let t: TestApp;
  let client: ServiceNowClient;

  const start = async (env: Record<string, string> = {}, simulator = {}) => {
    sn = await startTestInstance(simulator);
    t = await startTestApp({ env: instanceEnv(sn, env) });
    client = t.app.get(ServiceNowClient);
  };
  afterEach(async () => {
    await t?.close();
    await sn?.close();
  });

  describe('OAuth token cache', () => {
    it('obtains one token for many concurrent first calls (password grant, form-encoded)', async () => {
      await start();
      const incident = sn.table.addIncident();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => client.getIncident(incident.sys_id)),
      );
      expect(results.every((r) => r?.number === incident.number)).toBe(true);
      expect(sn.tokenGrants()).toEqual(['password']);
      const tokenRequest = sn.oauth.requests.find((r) => r.path === '/oauth_token.do')!;
      expect(tokenRequest.headers['content-type']).toBe('application/x-www-form-urlencoded');
    });

    it('on a 401 renews once (refresh_token) for all concurrent calls and retries each once', async () => {
      await start();
      const incident = sn.table.addIncident();
      await client.getIncident(incident.sys_id);
      sn.oauth.expireAccessTokens();
      sn.table.requests.length = 0;

      const results = await Promise.all(Array.from({ length: 8 }, () => client.getIncident(incident.sys_id)));
      expect(results.every((r) => r?.sys_id === incident.sys_id)).toBe(true);
      expect(sn.tokenGrants()).toEqual(['password', 'refresh_token']);
      const statuses = sn.table.tableRequests().map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(8);
      expect(statuses.filter((s) => s === 200)).toHaveLength(8);
    });

    it('renews before expiry, without a 401, when the token is about to lapse', async () => {
      // expires_in 2: renewed from 1.6 s on (a fifth of the lifetime ahead), the instance honours it until 2 s
      await start({}, { accessTokenTtlSeconds: 2 });
      const incident = sn.table.addIncident();
      await client.getIncident(incident.sys_id);
      await new Promise((r) => setTimeout(r, 1700));
      await client.getIncident(incident.sys_id);
      expect(sn.tokenGrants()).toEqual(['password', 'refresh_token']);
      expect(sn.table.tableRequests().map((r) => r.status)).toEqual([200, 200]);
    });

    it('re-runs the configured grant when the refresh token has lapsed', async () => {
      await start({}, { refreshTokenTtlSeconds: 3600 });
      const incident = sn.table.addIncident();
      await client.getIncident(incident.sys_id);
      sn.advance(2 * 3600 * 1000); // on the instance both tokens are now expired
      expect((await client.getIncident(incident.sys_id))?.sys_id).toBe(incident.sys_id);
      expect(sn.tokenGrants()).toEqual(['password', 'refresh_token', 'password']);
    });

    it('uses client_credentials when so configured (no refresh token)', async () => {
      await start({
        SERVICENOW_GRANT: 'client_credentials',
        SERVICENOW_USERNAME: '',
        SERVICENOW_PASSWORD: '',
      });
      sn.table.addIncident();
      await client.listIncidents('active=true', { limit: 1 });
      sn.oauth.expireAccessTokens();
      await client.listIncidents('active=true', { limit: 1 });
      expect(sn.tokenGrants()).toEqual(['client_credentials', 'client_credentials']);
    });

    it('reports refused credentials as an auth failure with the instance’s words, without retrying', async () => {
      await start({ SERVICENOW_PASSWORD: 'wrong password' });
      const error = await failureOf(client.listIncidents(''));
      expect(error).toMatchObject({
        kind: 'auth',
        status: 401,
        instanceMessage: 'server_error: access_denied',
      });
      expect(sn.tokenGrants()).toEqual(['password']);
    });

    it('stores tokens encrypted, and a restarted app reuses them', async () => {
      sn = await startTestInstance();
      const env = instanceEnv(sn);
      const first = await startTestApp({ env, keepDatabase: true });
      const incident = sn.table.addIncident();
      await first.app.get(ServiceNowClient).getIncident(incident.sys_id);
      const [row] = await first.dataSource.query<{ access_token: string; refresh_token: string }[]>(
        'SELECT access_token, refresh_token FROM servicenow_connection',
      );
      const issued = sn.oauth.issuedTokens()[0]!;
      expect(row!.access_token).toMatch(/^v1\./);
      expect(row!.access_token).not.toContain(issued.accessToken);
      expect(row!.refresh_token).not.toContain(issued.refreshToken!);
      const box = first.app.get(SecretBox);
      expect(box.decrypt(row!.access_token, secretAad('accessToken'))).toBe(issued.accessToken);
      await first.close();

      t = await startTestApp({ env, database: first.database });
      try {
        await t.app.get(ServiceNowClient).getIncident(incident.sys_id);
        expect(sn.tokenGrants()).toEqual(['password']);
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
      sn.table.addIncident();
      await client.listIncidents('', { limit: 1 });
      sn.table.requests.length = 0;
      sn.table.fault({ status: 429, times: 2, headers: { 'Retry-After': '1' } });
      await client.listIncidents('', { limit: 1 });
      const times = sn.table.tableRequests().map((r) => r.at);
      expect(sn.table.tableRequests().map((r) => r.status)).toEqual([429, 429, 200]);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
      expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(950);
    });

    it('waits for X-RateLimit-Reset when there is no Retry-After', async () => {
      await start();
      await client.listIncidents('', { limit: 1 });
      sn.table.requests.length = 0;
      const reset = Math.ceil(Date.now() / 1000) + 1;
      sn.table.fault({ status: 429, headers: { 'X-RateLimit-Reset': String(reset) } });
      await client.listIncidents('', { limit: 1 });
      const [limited, ok] = sn.table.tableRequests();
      expect(limited!.status).toBe(429);
      expect(ok!.at).toBeGreaterThanOrEqual(reset * 1000 - 50);
    });

    it('gives up at once, transient, when Retry-After is beyond the retry budget', async () => {
      await start();
      await client.listIncidents('', { limit: 1 });
      sn.table.requests.length = 0;
      sn.table.fault({ status: 429, headers: { 'Retry-After': '3600' } });
      const started = Date.now();
      const error = await failureOf(client.listIncidents(''));
      expect(Date.now() - started).toBeLessThan(1000);
      expect(error).toMatchObject({ kind: 'transient', status: 429, retryAfterSeconds: 3600 });
      expect(sn.table.tableRequests()).toHaveLength(1);
    });

    it('backs off on 5xx, then succeeds', async () => {
      await start();
      await client.listIncidents('', { limit: 1 });
      sn.table.requests.length = 0;
      sn.table.fault({ status: 500, times: 2 });
      await client.listIncidents('', { limit: 1 });
      expect(sn.table.tableRequests().map((r) => r.status)).toEqual([500, 500, 200]);
      expect(client.circuitState()).toBe('closed');
    });

    it('times out a slow answer and retries it', async () => {
      await start();
      await client.listIncidents('', { limit: 1 });
      sn.table.fault({ delayMs: 1500, status: 200, body: { result: [] } });
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
      sn.table.requests.length = 0;
      sn.table.fault({ status: 503, times: 1000, body: '<html><body>Instance is hibernating</body></html>' });

      const first = await failureOf(client.listIncidents(''));
      expect(first).toMatchObject({ kind: 'transient', failure: 'circuit_open' });
      expect(sn.table.tableRequests()).toHaveLength(3);
      expect(client.circuitState()).toBe('open');

      const fast = await failureOf(client.listIncidents(''));
      expect(fast.failure).toBe('circuit_open');
      expect(sn.table.tableRequests()).toHaveLength(3);

      sn.table.clearFaults();
      await new Promise((r) => setTimeout(r, 2100));
      await client.listIncidents('', { limit: 1 });
      expect(client.circuitState()).toBe('closed');
      expect(sn.table.tableRequests()).toHaveLength(4);
    });

    it('reports an unreachable instance as transient (network), and records why', async () => {
      sn = await startTestInstance();
      const down = await startTestInstance();
      const url = down.url;
      await down.close(); // nothing listens there any more
      t = await startTestApp({ env: instanceEnv(sn, { SERVICENOW_INSTANCE_URL: url }) });
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
      const incident = sn.table.addIncident();
      sn.table.fault({
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
      expect(sn.table.tableRequests().filter((r) => r.method === 'PATCH')).toHaveLength(1);
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
      expect(created).toMatchObject({ short_description: 'Disk full', sys_mod_count: '0' });
      const updated = await client.updateIncident(created.sys_id, { state: '2' });
      expect(updated).toMatchObject({ state: '2', sys_mod_count: '1', short_description: 'Disk full' });
      const patch = sn.table.tableRequests().find((r) => r.method === 'PATCH')!;
      expect(JSON.parse(patch.body)).toEqual({ state: '2' });

      expect(await client.getIncident('0123456789abcdef0123456789abcdef')).toBeNull();
      const page = await client.listIncidents('active=true', { fields: ['sys_id', 'number'], limit: 5 });
      expect(page.total).toBe(1);
      expect(page.records).toEqual([{ sys_id: created.sys_id, number: created.number }]);
      const list = sn.table.tableRequests().find((r) => r.method === 'GET' && r.path.endsWith('/incident'))!;
      expect(list.query.get('sysparm_query')).toBe('active=true');
      expect(list.query.get('sysparm_exclude_reference_link')).toBe('true');

      sn.table.journal.push({
        sys_id: 'j1',
        element_id: created.sys_id,
        element: 'work_notes',
        value: 'checked the disk',
        sys_created_by: 'jane',
        sys_created_on: '2026-12-04 09:00:00',
      });
      expect(await client.listJournal(created.sys_id, '2026-12-04T08:00:00Z')).toEqual([
        expect.objectContaining({ element: 'work_notes', value: 'checked the disk' }),
      ]);
      const journal = sn.table.tableRequests().find((r) => r.path.endsWith('/sys_journal_field'))!;
      expect(journal.query.get('sysparm_query')).toBe(
        `element_id=${created.sys_id}^elementINcomments,work_notes^sys_created_on>=2026-12-04 08:00:00^ORDERBYsys_created_on`,
      );

      expect(await client.closeCodes()).toEqual(
        sn.table.closeCodes.map((value) => ({ value, label: value })),
      );
      await client.closeCodes();
      expect(sn.table.tableRequests().filter((r) => r.path.endsWith('/sys_choice'))).toHaveLength(1);
    });

    it('says it is not configured when no connection is set', async () => {
      sn = await startTestInstance();
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
      const incident = sn.table.addIncident();
      await client.getIncident(incident.sys_id);
      await client.getIncident(incident.sys_id);
      sn.table.fault({
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
