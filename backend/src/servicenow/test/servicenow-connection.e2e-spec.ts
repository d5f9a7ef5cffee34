import { givenUser, signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { SecretBox } from '../../common/crypto/secret-box';
import { ServiceNowClient } from '../servicenow-client';
import { secretAad } from '../servicenow-connection.service';
import { DEFAULT_MAPPING } from '../servicenow-mapping';
import type { ServiceNowSimulator } from '../../../test/simulators/servicenow.simulator';
import { ServiceNowConnectionService } from '../servicenow-connection.service';
import { SERVICENOW_SETTINGS, type ServiceNowSettingsSource } from '../servicenow-sync-settings';
import {
  CLIENT,
  FAST_RESILIENCE,
  INTEGRATION_USER,
  instanceEnv,
  startInstance,
  tableRequests,
  WEBHOOK_SECRET,
} from './sync-fixtures';

const ROUTE = '/api/integrations/servicenow';
const NETWORK_GROUP = '287ebd7da9fe198100f92cc8d1d2154e';
const DESK_GROUP = 'd625dccec0a8016700a222a0f7900d06';

describe('/api/integrations/servicenow (console-managed connection)', () => {
  let sim: ServiceNowSimulator;
  let t: TestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    ({ sim } = await startInstance());
    t = await startTestApp({ env: FAST_RESILIENCE });
    admin = await signInAsAdmin(t);
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  const put = (body: object) => t.http.put(ROUTE).set('Authorization', admin.bearer).send(body);
  const connect = () =>
    put({
      instanceUrl: `${sim.url}/`,
      grant: 'password',
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      username: INTEGRATION_USER.userName,
      password: INTEGRATION_USER.password,
      webhookSecret: WEBHOOK_SECRET,
      defaultAssignmentGroup: 'Service Desk',
    });
  const runTest = async () =>
    (await t.http.post(`${ROUTE}/test`).set('Authorization', admin.bearer).expect(200)).body as {
      ok: boolean;
      steps: { step: string; ok: boolean; detail: string; durationMs: number }[];
    };

  it('GET: not configured at first, with the default mapping', async () => {
    const res = await t.http.get(ROUTE).set('Authorization', admin.bearer).expect(200);
    expect(res.body).toMatchObject({
      configured: false,
      source: null,
      instanceUrl: null,
      hasClientSecret: false,
      mapping: DEFAULT_MAPPING,
      enabled: true,
    });
  });

  it('is for admins only', async () => {
    const responder = await givenUser(t, 'responder');
    await t.http.get(ROUTE).set('Authorization', responder.bearer).expect(403);
    await t.http.put(ROUTE).set('Authorization', responder.bearer).send({ enabled: false }).expect(403);
    await t.http.get(ROUTE).expect(401);
  });

  it('PUT refuses an incomplete connection with 422 naming what is missing', async () => {
    const res = await put({ instanceUrl: sim.url, clientId: CLIENT.clientId }).expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      code: 'SERVICENOW_SETTINGS_INCOMPLETE',
      missing: ['clientSecret', 'username', 'password'],
    });
  });

  it('PUT validates fields (URL, grant, mapping values)', async () => {
    const res = await put({
      instanceUrl: 'ftp://x',
      grant: 'implicit',
      mapping: { states: { resolved: 'six' }, closeCodes: { Nope: 'x' } },
    }).expect(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['instanceUrl', 'grant', 'mapping.states.resolved', 'mapping.closeCodes']),
    );
  });

  it('PUT connects: secrets are encrypted at rest, never returned, and the change is audited without them', async () => {
    const res = await connect().expect(200);
    expect(res.body).toMatchObject({
      configured: true,
      source: 'console',
      instanceUrl: sim.url,
      grant: 'password',
      clientId: CLIENT.clientId,
      username: INTEGRATION_USER.userName,
      hasClientSecret: true,
      hasPassword: true,
      hasWebhookSecret: true,
      defaultAssignmentGroup: 'Service Desk',
      updatedBy: admin.user.email,
    });
    const body = JSON.stringify(res.body);
    for (const secret of [CLIENT.clientSecret, INTEGRATION_USER.password, WEBHOOK_SECRET])
      expect(body).not.toContain(secret);

    const [row] = await t.dataSource.query<Record<string, string>[]>(
      'SELECT client_secret, password, webhook_secret FROM servicenow_connection',
    );
    const box = t.app.get(SecretBox);
    expect(row!.client_secret).toMatch(/^v1\./);
    expect(box.decrypt(row!.client_secret!, secretAad('clientSecret'))).toBe(CLIENT.clientSecret);
    expect(box.decrypt(row!.password!, secretAad('password'))).toBe(INTEGRATION_USER.password);
    expect(box.decrypt(row!.webhook_secret!, secretAad('webhookSecret'))).toBe(WEBHOOK_SECRET);
    expect(JSON.stringify(row)).not.toContain(INTEGRATION_USER.password);

    const audits = await t.dataSource.query<
      { after: object; before: object; details: object; actor_id: string }[]
    >(
      `SELECT before, after, details, actor_id FROM audit_events WHERE action = 'integration.updated' ORDER BY occurred_at`,
    );
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actor_id: admin.user.id,
      before: { instanceUrl: null, hasClientSecret: false },
      after: { instanceUrl: sim.url, hasClientSecret: true, hasPassword: true },
      details: { secretsChanged: ['clientSecret', 'password', 'webhookSecret'] },
    });
    const audit = JSON.stringify(audits);
    for (const secret of [CLIENT.clientSecret, INTEGRATION_USER.password, WEBHOOK_SECRET])
      expect(audit).not.toContain(secret);
  });

  it('PUT keeps left-out secrets and merges a partial mapping', async () => {
    const res = await put({
      mapping: { closeCodes: { 'Solution provided': 'Solved (Permanently)' } },
    }).expect(200);
    expect(res.body.hasClientSecret).toBe(true);
    expect(res.body.mapping.closeCodes['Solution provided']).toBe('Solved (Permanently)');
    expect(res.body.mapping.closeCodes['Duplicate']).toBe('Duplicate');
    expect(res.body.mapping.states).toEqual(DEFAULT_MAPPING.states);
  });

  it('PUT sets the assignment groups (the whole map), and the sync reads them with the rest at once', async () => {
    const res = await put({
      assignmentGroups: { 'Network Operations': NETWORK_GROUP, 'Service Desk': DESK_GROUP },
    }).expect(200);
    expect(res.body.assignmentGroups).toEqual({
      'Network Operations': NETWORK_GROUP,
      'Service Desk': DESK_GROUP,
    });
    const sync = await t.app.get<ServiceNowSettingsSource>(SERVICENOW_SETTINGS).read();
    expect(sync).toMatchObject({
      instanceUrl: sim.url,
      webhookSecret: WEBHOOK_SECRET,
      enabled: true,
      mapping: {
        defaultAssignmentGroup: 'Service Desk',
        assignmentGroups: { 'Network Operations': NETWORK_GROUP, 'Service Desk': DESK_GROUP },
        states: DEFAULT_MAPPING.states,
        // only the admin's own close-code choices; the rest are matched against sys_choice
        closeCodes: { 'Solution provided': 'Solved (Permanently)' },
      },
    });
    const replaced = await put({ assignmentGroups: { 'Service Desk': DESK_GROUP } }).expect(200);
    expect(replaced.body.assignmentGroups).toEqual({ 'Service Desk': DESK_GROUP });
    const [audit] = await t.dataSource.query<{ before: object; after: object }[]>(
      `SELECT before, after FROM audit_events WHERE action = 'integration.updated' ORDER BY occurred_at DESC LIMIT 1`,
    );
    expect(audit).toMatchObject({
      before: { assignmentGroups: { 'Network Operations': NETWORK_GROUP } },
      after: { assignmentGroups: { 'Service Desk': DESK_GROUP } },
    });
  });

  it('PUT refuses assignment groups that are not name → sys_id', async () => {
    for (const assignmentGroups of [
      { 'Service Desk': 'Service Desk' },
      { ' padded ': DESK_GROUP },
      ['Service Desk'],
      { 'Service Desk': 42 },
    ]) {
      const res = await put({ assignmentGroups }).expect(400);
      expect((res.body.errors as { field: string }[]).map((e) => e.field)).toEqual(['assignmentGroups']);
    }
  });

  it('POST /test passes every step against a healthy instance, changing nothing there', async () => {
    const incident = sim.seedIncident({ short_description: 'VPN down for Building 4' });
    const from = sim.requests.length;
    const report = await runTest();
    expect(report.steps.map((s) => [s.step, s.ok])).toEqual([
      ['token', true],
      ['read', true],
      ['write', true],
      ['webhook_secret', true],
    ]);
    expect(report.ok).toBe(true);
    expect(report.steps[1]!.detail).toBe(`Read incident ${incident['number']}`);
    // the write probe writes a record's own value back: no update there
    expect(sim.record(incident['sys_id']!)).toMatchObject({
      short_description: 'VPN down for Building 4',
      sys_mod_count: '0',
    });
    const patch = tableRequests(sim, from).find((r) => r.method === 'PATCH')!;
    expect(patch.status).toBe(200);
  });

  it('a disabled connection makes no calls for sync, but POST /test still runs (an admin asked)', async () => {
    await put({ enabled: false }).expect(200);
    const client = t.app.get(ServiceNowClient);
    expect(await client.isConfigured()).toBe(false);
    await expect(client.listIncidents('')).rejects.toMatchObject({ kind: 'not_configured' });
    expect((await runTest()).ok).toBe(true);
    await put({ enabled: true }).expect(200);
  });

  it('POST /test reports a refused write with the instance’s own text', async () => {
    sim.fault('/api/now/table/incident', {
      method: 'PATCH',
      status: 403,
      body: {
        error: {
          message: 'Operation Failed',
          detail: 'ACL Exception Update Failed due to security constraints',
        },
        status: 'failure',
      },
    });
    const report = await runTest();
    expect(report.ok).toBe(false);
    expect(report.steps.find((s) => s.step === 'write')).toMatchObject({
      ok: false,
      detail: '403 Operation Failed: ACL Exception Update Failed due to security constraints',
    });
  });

  it('POST /test reports refused credentials at the token step, and a missing webhook secret', async () => {
    await put({ password: 'not the password', webhookSecret: null }).expect(200);
    const report = await runTest();
    expect(report.steps).toEqual([
      expect.objectContaining({ step: 'token', ok: false, detail: '401 server_error: access_denied' }),
      expect.objectContaining({ step: 'read', ok: false, detail: 'Not tried: no access token' }),
      expect.objectContaining({ step: 'write', ok: false }),
      expect.objectContaining({ step: 'webhook_secret', ok: false }),
    ]);
  });

  it('a credentials change drops the stored tokens', async () => {
    await put({ password: INTEGRATION_USER.password }).expect(200);
    await runTest();
    const [before] = await t.dataSource.query<{ access_token: string | null }[]>(
      'SELECT access_token FROM servicenow_connection',
    );
    expect(before!.access_token).not.toBeNull();
    await put({ clientSecret: 'another-secret' }).expect(200);
    const [after] = await t.dataSource.query<{ access_token: string | null; token_owner: string | null }[]>(
      'SELECT access_token, token_owner FROM servicenow_connection',
    );
    expect(after).toEqual({ access_token: null, token_owner: null });
  });

  it('PUT instanceUrl: null disconnects and clears every secret', async () => {
    const res = await put({ instanceUrl: null }).expect(200);
    expect(res.body).toMatchObject({ configured: false, hasClientSecret: false, hasPassword: false });
    const [row] = await t.dataSource.query<Record<string, unknown>[]>(
      'SELECT client_secret, password, webhook_secret, access_token FROM servicenow_connection',
    );
    expect(Object.values(row!).every((v) => v === null)).toBe(true);
  });
});

describe('/api/integrations/servicenow (environment-managed connection)', () => {
  let sim: ServiceNowSimulator;
  let t: TestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    ({ sim } = await startInstance());
    t = await startTestApp({
      env: instanceEnv(sim, {
        SERVICENOW_DEFAULT_ASSIGNMENT_GROUP: 'Network',
        SERVICENOW_ASSIGNMENT_GROUPS: `Network Operations=${NETWORK_GROUP}, Service Desk=${DESK_GROUP}`,
      }),
    });
    admin = await signInAsAdmin(t);
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  it('GET shows the environment’s settings, without secrets', async () => {
    const res = await t.http.get(ROUTE).set('Authorization', admin.bearer).expect(200);
    expect(res.body).toMatchObject({
      configured: true,
      source: 'environment',
      instanceUrl: sim.url,
      grant: 'password',
      username: INTEGRATION_USER.userName,
      hasClientSecret: true,
      hasPassword: true,
      hasWebhookSecret: true,
      defaultAssignmentGroup: 'Network',
      assignmentGroups: { 'Network Operations': NETWORK_GROUP, 'Service Desk': DESK_GROUP },
    });
    expect(JSON.stringify(res.body)).not.toContain(CLIENT.clientSecret);
  });

  it('the sync reads the environment’s connection (webhook secret, groups) through the same service', async () => {
    const sync = await t.app.get<ServiceNowSettingsSource>(SERVICENOW_SETTINGS).read();
    expect(sync).toMatchObject({
      instanceUrl: sim.url,
      webhookSecret: WEBHOOK_SECRET,
      enabled: true,
      mapping: {
        defaultAssignmentGroup: 'Network',
        assignmentGroups: { 'Network Operations': NETWORK_GROUP, 'Service Desk': DESK_GROUP },
        closeCodes: {},
      },
    });
    expect((await t.app.get(ServiceNowConnectionService).settings())?.source).toBe('environment');
  });

  it('PUT answers 409 INTEGRATION_MANAGED_BY_ENVIRONMENT and changes nothing', async () => {
    const res = await t.http
      .put(ROUTE)
      .set('Authorization', admin.bearer)
      .send({ enabled: false })
      .expect(409);
    expect(res.body).toMatchObject({ code: 'INTEGRATION_MANAGED_BY_ENVIRONMENT', status: 409 });
    const audits = await t.dataSource.query(
      `SELECT 1 FROM audit_events WHERE action = 'integration.updated'`,
    );
    expect(audits).toHaveLength(0);
  });

  it('POST /test runs against the environment’s connection', async () => {
    sim.seedIncident({ short_description: 'Printer on fire' });
    const res = await t.http.post(`${ROUTE}/test`).set('Authorization', admin.bearer).expect(200);
    expect(res.body.ok).toBe(true);
  });
});
