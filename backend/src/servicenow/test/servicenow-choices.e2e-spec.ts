import { givenUser, signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { ServiceNowSimulator } from '../../../test/simulators/servicenow.simulator';
import { eventually } from '../../../test/support/wait-for';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { CLOSE_CODES } from '../../incidents/incident-state';

const ROUTE = '/api/integrations/servicenow/choices';
const CLIENT = { clientId: 'nexecute-choices', clientSecret: 'choices-secret-0123456789' };
const USER = { userName: 'nexecute.integration', password: 'integration-pass-42' };

interface ChoicesBody {
  element: string;
  source: 'servicenow' | 'nexecute';
  error: string | null;
  choices: { value: string; label: string; closeCode: string | null }[];
}

function startInstance(closeCodes: readonly (string | { value: string; label: string })[]) {
  return ServiceNowSimulator.start({
    clients: [{ ...CLIENT, redirectUris: ['http://127.0.0.1/unused'], applicationUser: USER.userName }],
    users: [
      {
        sysId: '6816f79cc0a8016401c5a33be04be441',
        userName: USER.userName,
        email: 'integration@example.com',
        firstName: 'Nexecute',
        lastName: 'Integration',
        password: USER.password,
      },
    ],
    clientCredentialsGrant: true,
    closeCodes,
  });
}

describe('GET /api/integrations/servicenow/choices', () => {
  let sn: ServiceNowSimulator;
  let broken: ServiceNowSimulator;
  let t: TestApp;
  let admin: SignedIn;
  let responder: SignedIn;

  beforeAll(async () => {
    sn = await startInstance([
      { value: 'Solved (Permanently)', label: 'Solved (Permanently)' },
      { value: 'Solved Remotely (Permanently)', label: 'Solved Remotely (Permanently)' },
      { value: 'workaround', label: 'Solved (Work Around)' },
      { value: 'Closed/Resolved by Caller', label: 'Closed/Resolved by Caller' },
      { value: 'Not Solved (Too Costly)', label: 'Not Solved (Too Costly)' },
    ]);
    broken = await startInstance(['Solved (Permanently)']);
    t = await startTestApp({
      env: {
        SERVICENOW_TIMEOUT_MS: '1000',
        SERVICENOW_RETRY_BUDGET_MS: '1500',
        SERVICENOW_MAX_RETRIES: '1',
        DELIVERY_WORKER_POLL_INTERVAL_MS: '200',
      },
    });
    admin = await signInAsAdmin(t);
    responder = await givenUser(t, 'responder');
  });
  afterAll(async () => {
    await t.close();
    await sn.close();
    await broken.close();
  });

  const get = (who: SignedIn, query = '') =>
    t.http.get(`${ROUTE}${query}`).set('Authorization', who.bearer).expect(200) as Promise<{
      body: ChoicesBody;
    }>;
  const connect = (instanceUrl: string, mapping?: object) =>
    t.http
      .put('/api/integrations/servicenow')
      .set('Authorization', admin.bearer)
      .send({
        instanceUrl,
        grant: 'password',
        clientId: CLIENT.clientId,
        clientSecret: CLIENT.clientSecret,
        username: USER.userName,
        password: USER.password,
        ...(mapping ? { mapping } : {}),
      })
      .expect(200);

  it('offers our own close codes while no instance is connected', async () => {
    const { body } = await get(responder);
    expect(body).toEqual({
      element: 'close_code',
      source: 'nexecute',
      error: null,
      choices: CLOSE_CODES.map((code) => ({ value: code, label: code, closeCode: code })),
    });
  });

  it('is for responders and admins; an unknown element is refused', async () => {
    const viewer = await givenUser(t, 'viewer');
    await t.http.get(ROUTE).set('Authorization', viewer.bearer).expect(403);
    await t.http.get(ROUTE).expect(401);
    const res = await t.http.get(`${ROUTE}?element=state`).set('Authorization', admin.bearer).expect(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it("falls back to ours with the instance's own error text when its sys_choice cannot be read", async () => {
    broken.fault('/api/now/table/sys_choice', {
      status: 500,
      times: Infinity,
      body: { error: { message: 'Choice table unavailable', detail: 'maintenance' }, status: 'failure' },
    });
    await connect(broken.url);
    const { body } = await get(admin);
    expect(body.source).toBe('nexecute');
    expect(body.error).toContain('Choice table unavailable');
    expect(body.choices.map((c) => c.value)).toEqual([...CLOSE_CODES]);
  });

  it("offers the instance's active close codes in its order, each with the code of ours it is kept as", async () => {
    await connect(sn.url);
    const { body } = await get(responder);
    expect(body).toMatchObject({ element: 'close_code', source: 'servicenow', error: null });
    expect(body.choices).toEqual([
      { value: 'Solved (Permanently)', label: 'Solved (Permanently)', closeCode: 'Solution provided' },
      // Also "Solution provided" on the way in, but ours is written as the first: not offered.
      { value: 'Solved Remotely (Permanently)', label: 'Solved Remotely (Permanently)', closeCode: null },
      // Neither value nor label is one of ours or a known equivalent: kept as Solution provided, not offered.
      { value: 'workaround', label: 'Solved (Work Around)', closeCode: null },
      {
        value: 'Closed/Resolved by Caller',
        label: 'Closed/Resolved by Caller',
        closeCode: 'Resolved by caller',
      },
      {
        value: 'Not Solved (Too Costly)',
        label: 'Not Solved (Too Costly)',
        closeCode: 'No resolution provided',
      },
    ]);
    const reads = sn.requests.filter((r) => r.path === '/api/now/table/sys_choice');
    expect(reads.at(-1)?.query).toMatchObject({
      sysparm_query: 'name=incident^element=close_code^inactive=false^ORDERBYsequence',
    });
  });

  it('follows the mapping: a value an admin maps one of ours to becomes that code', async () => {
    await connect(sn.url, {
      closeCodes: {
        'Workaround provided': 'workaround',
        'Resolved by change': 'Solved Remotely (Permanently)',
      },
    });
    const before = sn.requests.filter((r) => r.path === '/api/now/table/sys_choice').length;
    const { body } = await get(admin);
    expect(body.choices.map((c) => [c.value, c.closeCode])).toEqual([
      ['Solved (Permanently)', 'Solution provided'],
      ['Solved Remotely (Permanently)', 'Resolved by change'],
      ['workaround', 'Workaround provided'],
      ['Closed/Resolved by Caller', 'Resolved by caller'],
      ['Not Solved (Too Costly)', 'No resolution provided'],
    ]);
    // The list is cached: the instance was not asked again.
    expect(sn.requests.filter((r) => r.path === '/api/now/table/sys_choice')).toHaveLength(before);
  });

  it("resolving with an offered code writes the instance's value (the sync reads the console's connection)", async () => {
    const created = await t.http
      .post('/api/incidents')
      .set('Authorization', responder.bearer)
      .send({ title: 'Choices round trip', impact: 2, urgency: 2 })
      .expect(201);
    const id = (created.body as { id: string }).id;
    const record = await eventually(
      () => sn.all().find((r) => r['short_description'] === 'Choices round trip'),
      15_000,
      'the incident created on the instance',
    );
    const act = (action: string, body: object = {}) =>
      t.http
        .post(`/api/incidents/${id}/${action}`)
        .set('Authorization', responder.bearer)
        .send(body)
        .expect(200);
    await act('acknowledge');
    await act('resolve', { closeCode: 'Workaround provided', closeNotes: 'Restarted the pool' });
    const resolved = await eventually(
      () => {
        const now = sn.all().find((r) => r['sys_id'] === record['sys_id']);
        return now?.['state'] === '6' ? now : undefined;
      },
      15_000,
      'the incident resolved on the instance',
    );
    expect(resolved).toMatchObject({ close_code: 'workaround', close_notes: 'Restarted the pool' });
  });
});
