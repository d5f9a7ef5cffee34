import { randomUUID } from 'node:crypto';
import { signInAsAdmin, givenUser, type SignedIn } from '../../../test/sign-in';
import { startTestApp, type TestApp } from '../../../test/test-app';

/**
 * The permissions table of docs/auth.md, executed: every route the API publishes is called by
 * nobody, each role and two API keys, and must admit exactly the callers listed here. A route
 * missing from this table fails the test, so a new route cannot ship without a decision.
 */
type Caller = 'nobody' | 'viewer' | 'responder' | 'admin' | 'auditKey' | 'incidentsKey';
const CALLERS: readonly Caller[] = ['nobody', 'viewer', 'responder', 'admin', 'auditKey', 'incidentsKey'];
const PEOPLE: readonly Caller[] = ['viewer', 'responder', 'admin'];
const EVERYONE = CALLERS;
// Viewers read; responders act; admins everything. The incidents key holds incidents:read and :write.
const INCIDENT_READERS: readonly Caller[] = ['viewer', 'responder', 'admin', 'incidentsKey'];
const INCIDENT_WRITERS: readonly Caller[] = ['responder', 'admin', 'incidentsKey'];

const MATRIX: Record<string, readonly Caller[]> = {
  'GET /api/health/live': EVERYONE,
  'GET /api/health/ready': EVERYONE,
  'GET /api/auth/providers': EVERYONE,
  'POST /api/auth/login': EVERYONE,
  'POST /api/auth/refresh': EVERYONE,
  'POST /api/auth/logout': EVERYONE,
  'GET /api/auth/sso/{provider}': EVERYONE,
  'GET /api/auth/sso/{provider}/callback': EVERYONE,
  'GET /api/auth/me': ['viewer', 'responder', 'admin', 'auditKey', 'incidentsKey'],
  'PATCH /api/auth/me': PEOPLE,
  'POST /api/auth/password': PEOPLE,
  'GET /api/auth/sessions': PEOPLE,
  'DELETE /api/auth/sessions/{id}': PEOPLE,
  'GET /api/users': ['admin'],
  'POST /api/users': ['admin'],
  'GET /api/users/{id}': ['admin'],
  'PATCH /api/users/{id}': ['admin'],
  'DELETE /api/users/{id}': ['admin'],
  'POST /api/users/{id}/disable': ['admin'],
  'POST /api/users/{id}/enable': ['admin'],
  'POST /api/users/{id}/reset-password': ['admin'],
  'GET /api/people': ['responder', 'admin'],
  'GET /api/api-keys': ['admin'],
  'POST /api/api-keys': ['admin'],
  'DELETE /api/api-keys/{id}': ['admin'],
  'GET /api/audit': ['admin', 'auditKey'],
  'GET /api/audit/actions': ['admin', 'auditKey'],
  'GET /api/incidents': INCIDENT_READERS,
  'POST /api/incidents': INCIDENT_WRITERS,
  'GET /api/incidents/{id}': INCIDENT_READERS,
  'GET /api/incidents/metadata': INCIDENT_READERS,
  'PATCH /api/incidents/{id}': INCIDENT_WRITERS,
  'POST /api/incidents/{id}/acknowledge': INCIDENT_WRITERS,
  'POST /api/incidents/{id}/assign': INCIDENT_WRITERS,
  'POST /api/incidents/{id}/hold': INCIDENT_WRITERS,
  'POST /api/incidents/{id}/resolve': INCIDENT_WRITERS,
  'POST /api/incidents/{id}/close': INCIDENT_WRITERS,
  'POST /api/incidents/{id}/cancel': INCIDENT_WRITERS,
  'POST /api/incidents/{id}/reopen': INCIDENT_WRITERS,
  'POST /api/incidents/{id}/resume': INCIDENT_WRITERS,
  'POST /api/incidents/{id}/comments': INCIDENT_WRITERS,
  'GET /api/incidents/{id}/timeline': INCIDENT_READERS,
  'GET /api/incidents/{id}/deliveries': INCIDENT_READERS,
  'POST /api/incidents/bulk/acknowledge': INCIDENT_WRITERS,
  'POST /api/incidents/bulk/assign': INCIDENT_WRITERS,
  'GET /api/deliveries': ['admin'],
  'GET /api/deliveries/summary': ['admin'],
  'POST /api/deliveries/{id}/replay': ['admin'],
  'GET /api/incidents/{id}/events': INCIDENT_READERS,
  // Producers' endpoints pass the guards: they authenticate the sender themselves (an event
  // source's integration key, or an events:ingest API key; events.e2e-spec covers who gets in).
  'POST /api/events': EVERYONE,
  'POST /api/events/alertmanager': EVERYONE,
  // ServiceNow's business rules authenticate by their signature (servicenow-sync.e2e-spec).
  'POST /api/webhooks/servicenow': EVERYONE,
  // Slack signs what it posts (v0); the signature is the authentication (slack-signed-requests.e2e-spec).
  'POST /api/slack/events': EVERYONE,
  'POST /api/slack/interactions': EVERYONE,
  'POST /api/slack/commands': EVERYONE,
  'GET /api/incidents/{id}/servicenow': INCIDENT_READERS,
  'GET /api/analytics/summary': INCIDENT_READERS,
  'GET /api/analytics/response-times': INCIDENT_READERS,
  'GET /api/analytics/backlog': INCIDENT_READERS,
  'GET /api/analytics/sla': INCIDENT_READERS,
  'GET /api/analytics/sources': INCIDENT_READERS,
  'GET /api/integrations/servicenow': ['admin'],
  'PUT /api/integrations/servicenow': ['admin'],
  'POST /api/integrations/servicenow/test': ['admin'],
  'GET /api/integrations/servicenow/health': ['admin'],
  'GET /api/integrations/servicenow/conflict-policy': ['admin'],
  'GET /api/integrations/servicenow/choices': INCIDENT_WRITERS,
  // Slack: the install starts from the console (admin); Slack's redirect back is public (state-checked,
  // slack-install.e2e-spec).
  'GET /api/slack/install': ['admin'],
  'GET /api/slack/oauth/callback': EVERYONE,
  'GET /api/integrations/slack': ['admin'],
  'DELETE /api/integrations/slack/workspaces/{teamId}': ['admin'],
  'GET /api/integrations/slack/routes': ['admin'],
  'POST /api/integrations/slack/routes': ['admin'],
  'PUT /api/integrations/slack/routes/order': ['admin'],
  'GET /api/integrations/slack/routes/{id}': ['admin'],
  'PATCH /api/integrations/slack/routes/{id}': ['admin'],
  'DELETE /api/integrations/slack/routes/{id}': ['admin'],
  'GET /api/event-sources': ['admin'],
  'POST /api/event-sources': ['admin'],
  'GET /api/event-sources/{id}': ['admin'],
  'PATCH /api/event-sources/{id}': ['admin'],
  'DELETE /api/event-sources/{id}': ['admin'],
  'POST /api/event-sources/{id}/rotate-key': ['admin'],
  'POST /api/event-sources/{id}/rotate-secret': ['admin'],
  'GET /api/inbox': ['admin'],
  'GET /api/inbox/{id}': ['admin'],
  'POST /api/inbox/{id}/replay': ['admin'],
};

function freshSessionOf(t: TestApp, person: Caller): Promise<SignedIn> {
  return person === 'admin' ? signInAsAdmin(t) : givenUser(t, person === 'viewer' ? 'viewer' : 'responder');
}

/** The codes that mean "the guards said no"; anything else means the request got past them. */
const REFUSALS = ['AUTH_UNAUTHENTICATED', 'AUTH_FORBIDDEN', 'AUTH_SCOPE_MISSING'];

describe('access matrix: every route × every kind of caller', () => {
  let t: TestApp;
  const headers = new Map<Caller, Record<string, string>>();

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        SSO_PROVIDER: 'servicenow',
        SSO_BASE_URL: 'http://127.0.0.1:9',
        SSO_CLIENT_ID: 'matrix-client',
        SSO_CLIENT_SECRET: 'matrix-secret',
      },
    });
    const admin = await signInAsAdmin(t);
    headers.set('nobody', {});
    headers.set('admin', { authorization: admin.bearer });
    for (const role of ['viewer', 'responder'] as const) {
      headers.set(role, { authorization: (await givenUser(t, role)).bearer });
    }
    for (const [caller, scopes] of [
      ['auditKey', ['audit:read']],
      ['incidentsKey', ['incidents:read', 'incidents:write']],
    ] as const) {
      const res = await t.http
        .post('/api/api-keys')
        .set('authorization', admin.bearer)
        .send({ name: caller, scopes })
        .expect(201);
      headers.set(caller, { 'x-api-key': (res.body as { key: string }).key });
    }
  });
  afterAll(() => t.close());

  it('covers exactly the routes the API publishes', async () => {
    const doc = (await t.http.get('/api/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const published = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(published.sort()).toEqual(Object.keys(MATRIX).sort());
  });

  const cases = Object.entries(MATRIX).flatMap(([route, allowed]) =>
    CALLERS.map((caller) => [route, caller, allowed.includes(caller)] as const),
  );

  it.each(cases)('%s by %s: admitted = %s', async (route, caller, admitted) => {
    const [method = '', template = ''] = route.split(' ');
    const path = template.replace('{provider}', 'servicenow').replace('{id}', randomUUID());
    // Logout ends the session it is called with: spend a separate one, so later rows still test this caller.
    const callerHeaders =
      route === 'POST /api/auth/logout' && PEOPLE.includes(caller)
        ? { authorization: (await freshSessionOf(t, caller)).bearer }
        : (headers.get(caller) ?? {});
    const req = t.http[method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](path).set(callerHeaders);
    const res = method === 'GET' || method === 'DELETE' ? await req : await req.send({});
    const code = (res.body as { code?: string } | undefined)?.code;
    if (admitted) {
      expect(REFUSALS).not.toContain(code);
      expect(res.status).not.toBe(403);
    } else {
      expect(REFUSALS).toContain(code);
      expect(res.status).toBe(caller === 'nobody' ? 401 : 403);
    }
  });
});
