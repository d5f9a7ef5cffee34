import { createServer } from 'node:net';
import type { Response as SupertestResponse, Test } from 'supertest';
import { SecretBox } from '../../common/crypto/secret-box';
import { signInAsAdmin, givenUser } from '../../../test/sign-in';
import {
  pkceS256Challenge,
  ServiceNowSimulator,
  type SimulatedServiceNowUser,
} from '../../../test/simulators/servicenow.simulator';
import { startTestApp, type TestApp } from '../../../test/test-app';

const CLIENT_ID = 'nexecute-console';
const CLIENT_SECRET = 'sso-e2e-client-secret';

/** One simulated ServiceNow person per scenario, so no test depends on another's leftovers. */
function snUser(userName: string, first: string, last: string, email?: string): SimulatedServiceNowUser {
  return {
    sysId: Buffer.from(userName).toString('hex').padEnd(32, '0').slice(0, 32),
    userName,
    email: email ?? `${userName}@servicenow.example`,
    firstName: first,
    lastName: last,
  };
}

const NEWCOMER = snUser('nora.newcomer', 'Nora', 'Newcomer');
/** Mixed-case email at the provider; the local account has it in lower case. */
const LINKED = snUser('lena.linked', 'Lena', 'Linked', 'Lena.Linked@ServiceNow.example');
const REPLAYER = snUser('rex.replay', 'Rex', 'Replay');
const STRANGER = snUser('sam.stranger', 'Sam', 'Stranger');
const DENIER = snUser('dora.denier', 'Dora', 'Denier');
const DISABLED = snUser('dirk.disabled', 'Dirk', 'Disabled');
const OUTAGE = snUser('otto.outage', 'Otto', 'Outage');
const UNKNOWN = snUser('una.unknown', 'Una', 'Unknown');
const KNOWN = snUser('kai.known', 'Kai', 'Known');

/** A port nobody listens on right now, so PUBLIC_URL (and the registered redirect URI) can name it before start. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return address.port;
}

interface SsoWorld {
  readonly t: TestApp;
  readonly sim: ServiceNowSimulator;
  readonly callbackUrl: string;
  close(): Promise<void>;
}

/** The real app with "Sign in with ServiceNow" pointed at a simulated instance that knows its callback. */
async function startSsoWorld(
  users: readonly SimulatedServiceNowUser[],
  env: Record<string, string> = {},
): Promise<SsoWorld> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const callbackUrl = `${publicUrl}/api/auth/sso/servicenow/callback`;
  const sim = await ServiceNowSimulator.start({
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [callbackUrl] }],
    users,
  });
  const t = await startTestApp({
    port,
    env: {
      PUBLIC_URL: publicUrl,
      SSO_PROVIDER: 'servicenow',
      SSO_BASE_URL: sim.url,
      SSO_CLIENT_ID: CLIENT_ID,
      SSO_CLIENT_SECRET: CLIENT_SECRET,
      SSO_DEFAULT_ROLE: 'responder',
      ...env,
    },
  });
  return {
    t,
    sim,
    callbackUrl,
    close: async () => {
      await t.close();
      await sim.close();
    },
  };
}

interface SetCookie {
  readonly value: string;
  readonly attributes: readonly string[];
}

function setCookie(res: SupertestResponse, name: string): SetCookie | undefined {
  const header = res.headers['set-cookie'] as unknown;
  const lines = Array.isArray(header) ? (header as string[]) : typeof header === 'string' ? [header] : [];
  const line = lines.find((l) => l.startsWith(`${name}=`));
  if (line === undefined) return undefined;
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  return { value: decodeURIComponent(pair.slice(name.length + 1)), attributes };
}

function locationOf(res: { status: number; headers: Record<string, unknown> }): string {
  const location = res.headers['location'];
  if (typeof location !== 'string') throw new Error(`no Location header (status ${res.status})`);
  return location;
}

interface Begun {
  readonly res: SupertestResponse;
  readonly authorizeUrl: URL;
  /** The nx_sso cookie's value, which the browser sends back on the callback. */
  readonly stateCookie: string;
}

/** Leg one: the console's "Sign in with ServiceNow" link. */
async function begin(w: SsoWorld): Promise<Begun> {
  const res = await w.t.http.get('/api/auth/sso/servicenow').expect(302);
  const cookie = setCookie(res, 'nx_sso');
  if (!cookie) throw new Error('no nx_sso cookie on the redirect to the provider');
  return { res, authorizeUrl: new URL(locationOf(res)), stateCookie: cookie.value };
}

/** The browser at the instance: the simulator's redirect back to our callback. */
async function atProvider(authorizeUrl: URL): Promise<URL> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`provider answered ${res.status}: ${await res.text()}`);
  return new URL(locationOf({ status: res.status, headers: Object.fromEntries(res.headers) }));
}

/** Leg two: the browser follows the provider back to us, sending nx_sso if it has it. */
function callback(w: SsoWorld, returnUrl: URL, stateCookie?: string): Test {
  expect(`${returnUrl.origin}${returnUrl.pathname}`).toBe(w.callbackUrl);
  const req = w.t.http.get(`${returnUrl.pathname}${returnUrl.search}`);
  if (stateCookie !== undefined) void req.set('Cookie', `nx_sso=${stateCookie}`);
  return req;
}

interface RoundTrip {
  readonly begun: Begun;
  readonly returnUrl: URL;
  readonly res: SupertestResponse;
}

/** The whole browser round trip as `userName`, signed in at the instance already. */
async function signInWithServiceNow(w: SsoWorld, user: SimulatedServiceNowUser): Promise<RoundTrip> {
  w.sim.signInAs(user.userName);
  const begun = await begin(w);
  const returnUrl = await atProvider(begun.authorizeUrl);
  const res = await callback(w, returnUrl, begun.stateCookie);
  return { begun, returnUrl, res };
}

function requestIdOf(res: SupertestResponse): string {
  const id = res.headers['x-request-id'];
  if (typeof id !== 'string') throw new Error('no X-Request-Id on the response');
  return id;
}

interface AuditRow {
  action: string;
  outcome: string;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown> | null;
}

function auditOfRequest(t: TestApp, requestId: string): Promise<AuditRow[]> {
  return t.dataSource.query(
    `SELECT action, outcome, actor_type, actor_id, actor_label, target_type, target_id, details
       FROM audit_events WHERE request_id = $1 ORDER BY id`,
    [requestId],
  );
}

async function countWhere(t: TestApp, sql: string, params: unknown[]): Promise<number> {
  const [row] = await t.dataSource.query<
    {
      n: number;
    }[]
  >(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return row?.n ?? 0;
}

/** Nothing of this person reached our database: no account, no identity, no session. */
async function expectNothingCreatedFor(t: TestApp, user: SimulatedServiceNowUser): Promise<void> {
  expect(await countWhere(t, 'users WHERE email = $1', [user.email])).toBe(0);
  expect(await countWhere(t, 'federated_identities WHERE subject = $1', [user.sysId])).toBe(0);
  expect(
    await countWhere(t, `auth_sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1`, [user.email]),
  ).toBe(0);
}

describe('Sign in with ServiceNow', () => {
  let w: SsoWorld;
  beforeAll(async () => {
    w = await startSsoWorld([NEWCOMER, LINKED, REPLAYER, STRANGER, DENIER, DISABLED, OUTAGE]);
  });
  afterAll(() => w.close());

  describe('GET /api/auth/providers', () => {
    it('lists ServiceNow next to local sign-in', async () => {
      const res = await w.t.http.get('/api/auth/providers').expect(200);
      expect(res.body).toEqual({
        local: true,
        sso: [{ id: 'servicenow', name: 'ServiceNow', authorizeUrl: '/api/auth/sso/servicenow' }],
      });
    });
  });

  describe('GET /api/auth/sso/servicenow', () => {
    it("redirects to the instance's /oauth_auth.do with the client, callback, state and an S256 challenge", async () => {
      const { authorizeUrl, res } = await begin(w);
      expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${w.sim.url}/oauth_auth.do`);
      const q = authorizeUrl.searchParams;
      expect(q.get('response_type')).toBe('code');
      expect(q.get('client_id')).toBe(CLIENT_ID);
      expect(q.get('redirect_uri')).toBe(w.callbackUrl);
      expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(q.get('code_challenge_method')).toBe('S256');
      // The secret never travels through the browser.
      expect(authorizeUrl.toString()).not.toContain(CLIENT_SECRET);
      expect(res.headers['location']).not.toContain(CLIENT_SECRET);
    });

    it('binds the state to this browser with a short-lived HttpOnly nx_sso cookie', async () => {
      const { authorizeUrl, res } = await begin(w);
      const cookie = setCookie(res, 'nx_sso');
      expect(cookie?.value).toBe(authorizeUrl.searchParams.get('state'));
      expect(cookie?.attributes).toEqual(
        expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/api/auth/sso/servicenow', 'Max-Age=600']),
      );
    });

    it('gives every sign-in its own state', async () => {
      const [a, b] = await Promise.all([begin(w), begin(w)]);
      expect(a.stateCookie).not.toBe(b.stateCookie);
      expect(a.authorizeUrl.searchParams.get('code_challenge')).not.toBe(
        b.authorizeUrl.searchParams.get('code_challenge'),
      );
    });
  });

  describe('a first sign-in by someone we have never seen', () => {
    let trip: RoundTrip;
    beforeAll(async () => {
      trip = await signInWithServiceNow(w, NEWCOMER);
    });

    it('redirects to the console with an HttpOnly, SameSite=Strict nx_refresh cookie', () => {
      expect(trip.res.status).toBe(302);
      expect(locationOf(trip.res)).toBe('/');
      const refresh = setCookie(trip.res, 'nx_refresh');
      expect(refresh?.value).toMatch(/^\S+\.\S+$/);
      expect(refresh?.attributes).toEqual(
        expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Secure', 'Path=/api/auth']),
      );
    });

    it('clears the nx_sso state cookie', () => {
      const cleared = setCookie(trip.res, 'nx_sso');
      expect(cleared?.value).toBe('');
      expect(cleared?.attributes).toEqual(expect.arrayContaining(['Path=/api/auth/sso/servicenow']));
    });

    it('lets the console refresh with that cookie into an access token for the new user', async () => {
      const refresh = setCookie(trip.res, 'nx_refresh');
      const res = await w.t.http
        .post('/api/auth/refresh')
        .set('Cookie', `nx_refresh=${refresh?.value ?? ''}`)
        .send({})
        .expect(200);
      expect(res.body).toMatchObject({
        accessToken: expect.any(String),
        tokenType: 'Bearer',
        user: {
          kind: 'user',
          email: NEWCOMER.email,
          name: 'Nora Newcomer',
          role: 'responder',
          status: 'active',
          mustChangePassword: false,
        },
      });
      const body = res.body as { accessToken: string };
      const me = await w.t.http
        .get('/api/auth/me')
        .set('Authorization', `Bearer ${body.accessToken}`)
        .expect(200);
      expect(me.body).toMatchObject({
        email: NEWCOMER.email,
        role: 'responder',
        ssoProviders: ['servicenow'],
      });
    });

    it('provisioned one passwordless account with SSO_DEFAULT_ROLE and an sso session', async () => {
      const users = await w.t.dataSource.query<
        { id: string; role: string; name: string; status: string; password_hash: string | null }[]
      >(`SELECT id, email, name, role, status, password_hash FROM users WHERE email = $1`, [NEWCOMER.email]);
      expect(users).toEqual([
        expect.objectContaining({
          role: 'responder',
          name: 'Nora Newcomer',
          status: 'active',
          password_hash: null,
        }),
      ]);
      expect(
        await countWhere(w.t, `auth_sessions WHERE user_id = $1 AND method = 'sso'`, [users[0]?.id]),
      ).toBe(1);
    });

    it("stores the instance's tokens encrypted, bound to the identity and column", async () => {
      const [identity] = await w.t.dataSource.query<
        {
          email: string;
          user_email: string;
          access_token_encrypted: string;
          refresh_token_encrypted: string;
          token_expires_at: Date | null;
        }[]
      >(
        `SELECT i.user_id, i.email, i.access_token_encrypted, i.refresh_token_encrypted, i.token_expires_at, u.email AS user_email
           FROM federated_identities i JOIN users u ON u.id = i.user_id
          WHERE i.provider = 'servicenow' AND i.subject = $1`,
        [NEWCOMER.sysId],
      );
      expect(identity).toMatchObject({ email: NEWCOMER.email, user_email: NEWCOMER.email });
      const issued = w.sim
        .issuedTokens()
        .filter((tok) => tok.userName === NEWCOMER.userName && tok.grantType === 'authorization_code');
      expect(issued).toHaveLength(1);
      const { accessToken, refreshToken } = issued[0]!;

      for (const [stored, plain] of [
        [identity!.access_token_encrypted, accessToken],
        [identity!.refresh_token_encrypted, refreshToken],
      ] as const) {
        expect(stored.startsWith('v1.')).toBe(true);
        expect(stored).not.toBe(plain);
        expect(stored).not.toContain(plain);
      }
      const box = w.t.app.get(SecretBox);
      const ad = (column: string): string => `federated_identities:servicenow:${NEWCOMER.sysId}:${column}`;
      expect(box.decrypt(identity!.access_token_encrypted, ad('access_token'))).toBe(accessToken);
      expect(box.decrypt(identity!.refresh_token_encrypted, ad('refresh_token'))).toBe(refreshToken);
      // Copied to the other column (or another identity's row), a ciphertext does not decrypt.
      expect(() => box.decrypt(identity!.access_token_encrypted, ad('refresh_token'))).toThrow();
      expect(() =>
        box.decrypt(
          identity!.access_token_encrypted,
          `federated_identities:servicenow:${LINKED.sysId}:access_token`,
        ),
      ).toThrow();
      // Nor do they, or the client secret, reach the log.
      const log = JSON.stringify(w.t.logs());
      for (const secret of [accessToken, refreshToken!, CLIENT_SECRET]) expect(log).not.toContain(secret);
      // The simulator's access tokens live 1799 s.
      expect(identity!.token_expires_at).toBeInstanceOf(Date);
      const ttl = identity!.token_expires_at!.getTime() - Date.now();
      expect(ttl).toBeGreaterThan(1700_000);
      expect(ttl).toBeLessThanOrEqual(1800_000);
    });

    it('proved the PKCE verifier to the token endpoint, with the client credentials, server to server', () => {
      const state = trip.begun.authorizeUrl.searchParams.get('state');
      const challenge = trip.begun.authorizeUrl.searchParams.get('code_challenge');
      const authorize = w.sim.requests.filter(
        (r) => r.path === '/oauth_auth.do' && r.query['state'] === state,
      );
      expect(authorize).toHaveLength(1);
      const code = trip.returnUrl.searchParams.get('code');
      const exchanges = w.sim.requests.filter(
        (r) => r.path === '/oauth_token.do' && r.form?.['code'] === code,
      );
      expect(exchanges).toHaveLength(1);
      const form = exchanges[0]!.form!;
      expect(form['grant_type']).toBe('authorization_code');
      expect(form['redirect_uri']).toBe(w.callbackUrl);
      expect(form['code_verifier']).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
      expect(pkceS256Challenge(form['code_verifier']!)).toBe(challenge);
      expect(exchanges[0]!.status).toBe(200);
    });

    it('audits the provisioning and the sign-in', async () => {
      const rows = await auditOfRequest(w.t, requestIdOf(trip.res));
      const [user] = await w.t.dataSource.query<
        {
          id: string;
        }[]
      >(`SELECT id FROM users WHERE email = $1`, [NEWCOMER.email]);
      expect(rows.map((r) => r.action)).toEqual(['user.created', 'auth.sso.succeeded']);
      expect(rows[0]).toMatchObject({
        outcome: 'success',
        actor_type: 'system',
        actor_label: 'sso:servicenow',
        target_type: 'user',
        target_id: user!.id,
        details: { provisionedBy: 'servicenow' },
      });
      expect(rows[1]).toMatchObject({
        outcome: 'success',
        actor_type: 'user',
        actor_id: user!.id,
        actor_label: NEWCOMER.email,
        target_type: 'session',
        details: { provider: 'servicenow', subject: NEWCOMER.sysId },
      });
    });

    it('logs the callback without its authorization code or state', () => {
      const code = trip.returnUrl.searchParams.get('code') ?? '';
      const state = trip.returnUrl.searchParams.get('state') ?? '';
      expect(code.length).toBeGreaterThan(8);
      const lines = w.t.logs().filter((l) => l.requestId === requestIdOf(trip.res));
      const access = lines.find((l) => l.msg === 'request completed');
      expect(access).toMatchObject({
        url: '/api/auth/sso/servicenow/callback?code=[REDACTED]&state=[REDACTED]',
        status: 302,
      });
      const text = JSON.stringify(w.t.logs());
      expect(text).not.toContain(code);
      expect(text).not.toContain(state);
    });

    it('is never stored by a cache: the redirect sets the refresh cookie', () => {
      expect(trip.res.headers['cache-control']).toBe('no-store');
      expect(trip.res.headers['pragma']).toBe('no-cache');
    });

    it('signs the same person in again later without a second account', async () => {
      const again = await signInWithServiceNow(w, NEWCOMER);
      expect(locationOf(again.res)).toBe('/');
      expect(await countWhere(w.t, 'users WHERE email = $1', [NEWCOMER.email])).toBe(1);
      expect(await countWhere(w.t, 'federated_identities WHERE subject = $1', [NEWCOMER.sysId])).toBe(1);
      const actions = (await auditOfRequest(w.t, requestIdOf(again.res))).map((r) => r.action);
      expect(actions).toEqual(['auth.sso.succeeded']);
    });
  });

  describe('someone who already has a local account with that email', () => {
    it('is linked to it: no second user, role unchanged', async () => {
      const local = await givenUser(w.t, 'viewer', { email: LINKED.email.toLowerCase(), name: 'Lena Local' });
      const trip = await signInWithServiceNow(w, LINKED);
      expect(locationOf(trip.res)).toBe('/');

      const refresh = setCookie(trip.res, 'nx_refresh');
      const res = await w.t.http
        .post('/api/auth/refresh')
        .set('Cookie', `nx_refresh=${refresh?.value ?? ''}`)
        .send({})
        .expect(200);
      expect(res.body).toMatchObject({ user: { id: local.user.id, role: 'viewer', name: 'Lena Local' } });

      expect(await countWhere(w.t, 'users WHERE email = $1', [LINKED.email])).toBe(1);
      const identities = await w.t.dataSource.query<{ user_id: string }[]>(
        `SELECT user_id FROM federated_identities WHERE provider = 'servicenow' AND subject = $1`,
        [LINKED.sysId],
      );
      expect(identities).toEqual([{ user_id: local.user.id }]);
      const actions = (await auditOfRequest(w.t, requestIdOf(trip.res))).map((r) => r.action);
      expect(actions).toEqual(['auth.sso.succeeded']);
      // Their password still works too.
      await w.t.http
        .post('/api/auth/login')
        .send({ email: local.user.email, password: local.password })
        .expect(200);
    });
  });

  describe('GET /api/auth/sso/servicenow/callback with a bad state', () => {
    it("refuses a state that is not the one this browser's cookie holds", async () => {
      w.sim.signInAs(STRANGER.userName);
      const victim = await begin(w);
      const attacker = await begin(w);
      const returnUrl = await atProvider(victim.authorizeUrl);
      const res = await callback(w, returnUrl, attacker.stateCookie).expect(302);
      expect(locationOf(res)).toBe('/login?error=sso_state_invalid');
      expect(setCookie(res, 'nx_refresh')).toBeUndefined();
      const code = returnUrl.searchParams.get('code');
      expect(w.sim.requests.filter((r) => r.form?.['code'] === code)).toHaveLength(0);
      await expectNothingCreatedFor(w.t, STRANGER);
      expect(await auditOfRequest(w.t, requestIdOf(res))).toEqual([
        expect.objectContaining({
          action: 'auth.sso.failed',
          outcome: 'failure',
          details: expect.objectContaining({ provider: 'servicenow', reason: 'sso_state_invalid' }),
        }),
      ]);
    });

    it('refuses a callback from a browser without the nx_sso cookie', async () => {
      w.sim.signInAs(STRANGER.userName);
      const { authorizeUrl } = await begin(w);
      const returnUrl = await atProvider(authorizeUrl);
      const res = await callback(w, returnUrl).expect(302);
      expect(locationOf(res)).toBe('/login?error=sso_state_invalid');
      expect(setCookie(res, 'nx_refresh')).toBeUndefined();
      await expectNothingCreatedFor(w.t, STRANGER);
    });

    it('refuses a callback with no state at all', async () => {
      const { stateCookie } = await begin(w);
      const res = await w.t.http
        .get('/api/auth/sso/servicenow/callback?code=whatever')
        .set('Cookie', `nx_sso=${stateCookie}`)
        .expect(302);
      expect(locationOf(res)).toBe('/login?error=sso_state_invalid');
    });

    it('refuses to replay a state that already signed someone in', async () => {
      const first = await signInWithServiceNow(w, REPLAYER);
      expect(locationOf(first.res)).toBe('/');
      const sessionsBefore = await countWhere(
        w.t,
        `auth_sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1`,
        [REPLAYER.email],
      );

      const replay = await callback(w, first.returnUrl, first.begun.stateCookie).expect(302);
      expect(locationOf(replay)).toBe('/login?error=sso_state_invalid');
      expect(setCookie(replay, 'nx_refresh')).toBeUndefined();
      // Refused before the code was presented to the instance a second time.
      const code = first.returnUrl.searchParams.get('code');
      expect(w.sim.requests.filter((r) => r.form?.['code'] === code)).toHaveLength(1);
      expect(
        await countWhere(w.t, `auth_sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1`, [
          REPLAYER.email,
        ]),
      ).toBe(sessionsBefore);
    });
  });

  describe('when the person clicks Deny at the instance', () => {
    afterEach(() => w.sim.setConsent('allow'));

    it('redirects to /login?error=sso_denied and audits auth.sso.failed', async () => {
      w.sim.setConsent('deny');
      const trip = await signInWithServiceNow(w, DENIER);
      expect(trip.returnUrl.searchParams.get('error')).toBe('access_denied');
      expect(trip.res.status).toBe(302);
      expect(locationOf(trip.res)).toBe('/login?error=sso_denied');
      expect(setCookie(trip.res, 'nx_refresh')).toBeUndefined();
      await expectNothingCreatedFor(w.t, DENIER);
      expect(await auditOfRequest(w.t, requestIdOf(trip.res))).toEqual([
        expect.objectContaining({
          action: 'auth.sso.failed',
          outcome: 'failure',
          details: expect.objectContaining({ provider: 'servicenow', reason: 'sso_denied' }),
        }),
      ]);
      // The state is spent: the same answer cannot be replayed.
      const replay = await callback(w, trip.returnUrl, trip.begun.stateCookie).expect(302);
      expect(locationOf(replay)).toBe('/login?error=sso_state_invalid');
    });
  });

  describe('a disabled local account', () => {
    it('is not signed in: /login?error=sso_user_disabled, no session', async () => {
      const admin = await signInAsAdmin(w.t);
      const local = await givenUser(w.t, 'responder', { email: DISABLED.email });
      await w.t.http
        .post(`/api/users/${local.user.id}/disable`)
        .set('Authorization', admin.bearer)
        .expect(200);

      const trip = await signInWithServiceNow(w, DISABLED);
      expect(locationOf(trip.res)).toBe('/login?error=sso_user_disabled');
      expect(setCookie(trip.res, 'nx_refresh')).toBeUndefined();
      expect(
        await countWhere(w.t, `auth_sessions WHERE user_id = $1 AND method = 'sso'`, [local.user.id]),
      ).toBe(0);
      expect(await countWhere(w.t, 'users WHERE email = $1', [DISABLED.email])).toBe(1);
      expect(await auditOfRequest(w.t, requestIdOf(trip.res))).toEqual([
        expect.objectContaining({
          action: 'auth.sso.failed',
          outcome: 'failure',
          details: expect.objectContaining({ reason: 'sso_user_disabled' }),
        }),
      ]);
    });
  });

  describe("when the instance's token endpoint fails", () => {
    afterEach(() => w.sim.clearFaults());

    it('redirects to /login?error=sso_failed and creates nothing', async () => {
      w.sim.fault('/oauth_token.do', { status: 503, body: '<html>Instance hibernating</html>' });
      const trip = await signInWithServiceNow(w, OUTAGE);
      expect(locationOf(trip.res)).toBe('/login?error=sso_failed');
      expect(setCookie(trip.res, 'nx_refresh')).toBeUndefined();
      const code = trip.returnUrl.searchParams.get('code');
      expect(w.sim.requests.filter((r) => r.form?.['code'] === code).map((r) => r.status)).toEqual([503]);
      await expectNothingCreatedFor(w.t, OUTAGE);
      expect(await auditOfRequest(w.t, requestIdOf(trip.res))).toEqual([
        expect.objectContaining({
          action: 'auth.sso.failed',
          outcome: 'failure',
          details: expect.objectContaining({ reason: 'sso_failed' }),
        }),
      ]);
      // The instance's error page is not echoed to the browser.
      expect(locationOf(trip.res)).not.toContain('hibernating');
    });
  });

  describe('an unknown provider id', () => {
    it('GET /api/auth/sso/:provider answers 404 AUTH_SSO_PROVIDER_UNKNOWN', async () => {
      const res = await w.t.http
        .get('/api/auth/sso/okta')
        .expect(404)
        .expect('content-type', /problem\+json/);
      expect(res.body).toMatchObject({ code: 'AUTH_SSO_PROVIDER_UNKNOWN', status: 404 });
      expect(setCookie(res, 'nx_sso')).toBeUndefined();
    });

    it('GET /api/auth/sso/:provider/callback answers 404 AUTH_SSO_PROVIDER_UNKNOWN', async () => {
      const res = await w.t.http.get('/api/auth/sso/okta/callback?code=x&state=y').expect(404);
      expect(res.body).toMatchObject({ code: 'AUTH_SSO_PROVIDER_UNKNOWN', status: 404 });
    });
  });
});

describe('Sign in with ServiceNow, with SSO_AUTO_PROVISION=false', () => {
  let w: SsoWorld;
  beforeAll(async () => {
    w = await startSsoWorld([UNKNOWN, KNOWN], { SSO_AUTO_PROVISION: 'false' });
  });
  afterAll(() => w.close());

  it('sends someone without an account to /login?error=sso_no_account and creates nothing', async () => {
    const trip = await signInWithServiceNow(w, UNKNOWN);
    expect(locationOf(trip.res)).toBe('/login?error=sso_no_account');
    expect(setCookie(trip.res, 'nx_refresh')).toBeUndefined();
    await expectNothingCreatedFor(w.t, UNKNOWN);
    expect(await auditOfRequest(w.t, requestIdOf(trip.res))).toEqual([
      expect.objectContaining({
        action: 'auth.sso.failed',
        outcome: 'failure',
        details: expect.objectContaining({ reason: 'sso_no_account' }),
      }),
    ]);
  });

  it('still signs in someone whose account exists', async () => {
    const local = await givenUser(w.t, 'responder', { email: KNOWN.email });
    const trip = await signInWithServiceNow(w, KNOWN);
    expect(locationOf(trip.res)).toBe('/');
    expect(await countWhere(w.t, 'users WHERE email = $1', [KNOWN.email])).toBe(1);
    expect(
      await countWhere(w.t, `auth_sessions WHERE user_id = $1 AND method = 'sso'`, [local.user.id]),
    ).toBe(1);
  });
});
