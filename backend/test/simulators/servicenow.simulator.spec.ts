import { randomBytes } from 'node:crypto';
import { URL, URLSearchParams } from 'node:url';
import {
  pkceS256Challenge,
  ServiceNowSimulator,
  type ServiceNowSimulatorOptions,
} from './servicenow.simulator';

const CLIENT = {
  clientId: 'nexecute-console',
  clientSecret: 's3cret',
  redirectUris: ['http://127.0.0.1:4000/api/auth/sso/servicenow/callback'],
};
const REDIRECT_URI = CLIENT.redirectUris[0]!;
const ABEL = {
  sysId: '62826bf03710200044e0bfc8bcbe5df1',
  userName: 'abel.tuter',
  email: 'abel.tuter@example.com',
  firstName: 'Abel',
  lastName: 'Tuter',
};
const BETH = {
  sysId: '46d44a5dc0a8010e0000b9d8eaf1b87c',
  userName: 'beth.anglin',
  email: 'beth.anglin@example.com',
  firstName: 'Beth',
  lastName: 'Anglin',
  password: 'beth-pw',
};
const START = Date.parse('2026-03-01T09:00:00Z');

describe('ServiceNowSimulator', () => {
  let sim: ServiceNowSimulator;
  let nowMs: number;

  async function startSimulator(overrides: Partial<ServiceNowSimulatorOptions> = {}): Promise<void> {
    await sim?.close();
    sim = await ServiceNowSimulator.start({
      clients: [CLIENT],
      users: [ABEL, BETH],
      now: () => nowMs,
      ...overrides,
    });
  }

  beforeEach(async () => {
    nowMs = START;
    await startSimulator();
  });

  afterEach(async () => {
    await sim.close();
  });

  function pkce(): { verifier: string; challenge: string } {
    const verifier = randomBytes(32).toString('base64url'); // 43 characters
    return { verifier, challenge: pkceS256Challenge(verifier) };
  }

  function authorize(params: Record<string, string>): Promise<Response> {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: CLIENT.clientId,
      redirect_uri: REDIRECT_URI,
      state: 'st4te',
      ...params,
    });
    return fetch(`${sim.url}/oauth_auth.do?${query.toString()}`, { redirect: 'manual' });
  }

  function location(res: Response): URL {
    const header = res.headers.get('location');
    if (header === null) throw new Error(`no Location header (status ${res.status})`);
    return new URL(header);
  }

  async function codeFor(challenge?: string): Promise<string> {
    const res = await authorize(
      challenge === undefined ? {} : { code_challenge: challenge, code_challenge_method: 'S256' },
    );
    expect(res.status).toBe(302);
    return location(res).searchParams.get('code')!;
  }

  function token(params: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${sim.url}/oauth_token.do`, {
      method: 'POST',
      headers,
      body: new URLSearchParams(params), // fetch sends application/x-www-form-urlencoded;charset=UTF-8
    });
  }

  function exchange(code: string, verifier?: string, extra: Record<string, string> = {}): Promise<Response> {
    return token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      ...(verifier === undefined ? {} : { code_verifier: verifier }),
      ...extra,
    });
  }

  async function tokensFor(
    userName = ABEL.userName,
  ): Promise<{ access_token: string; refresh_token: string }> {
    const res = await token({
      grant_type: 'password',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      username: userName,
      password: userName === BETH.userName ? BETH.password : 'password',
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { access_token: string; refresh_token: string };
  }

  function whoAmI(accessToken: string, fields = 'sys_id,user_name'): Promise<Response> {
    const query = new URLSearchParams({
      sysparm_query: 'sys_id=javascript:gs.getUserID()',
      sysparm_fields: fields,
      sysparm_limit: '1',
    });
    return fetch(`${sim.url}/api/now/table/sys_user?${query.toString()}`, {
      headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
    });
  }

  const ACCESS_DENIED = { error: 'server_error', error_description: 'access_denied' };
  const NOT_AUTHENTICATED = {
    error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
    status: 'failure',
  };

  describe('authorization code flow with PKCE', () => {
    it('redirects with code and state, exchanges the code with its verifier and serves the user', async () => {
      const { verifier, challenge } = pkce();

      const authorization = await authorize({
        code_challenge: challenge,
        code_challenge_method: 'S256',
        scope: 'useraccount',
      });
      expect(authorization.status).toBe(302);
      const callback = location(authorization);
      expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
      expect(callback.searchParams.get('state')).toBe('st4te');
      const code = callback.searchParams.get('code');
      expect(code).toEqual(expect.any(String));

      const res = await exchange(code!, verifier);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual([
        'access_token',
        'refresh_token',
        'scope',
        'token_type',
        'expires_in',
      ]);
      expect(body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        scope: 'useraccount',
        token_type: 'Bearer',
        expires_in: 1799,
      });

      const me = await whoAmI(body.access_token as string, '');
      expect(me.status).toBe(200);
      expect(await me.json()).toEqual({
        result: [
          {
            sys_id: ABEL.sysId,
            user_name: 'abel.tuter',
            email: 'abel.tuter@example.com',
            first_name: 'Abel',
            last_name: 'Tuter',
            name: 'Abel Tuter',
            active: 'true',
          },
        ],
      });

      const tokenRequest = sim.requests.find((request) => request.path === '/oauth_token.do');
      expect(tokenRequest?.form).toMatchObject({ code_verifier: verifier, grant_type: 'authorization_code' });
      expect(tokenRequest?.status).toBe(200);
      expect(sim.issuedTokens()).toEqual([
        expect.objectContaining({
          accessToken: body.access_token,
          refreshToken: body.refresh_token,
          grantType: 'authorization_code',
          userName: 'abel.tuter',
          clientId: CLIENT.clientId,
          expiresAt: START + 1799_000,
          revoked: false,
        }),
      ]);
    });

    it('acts for the user chosen with signInAs and echoes the requested scope', async () => {
      sim.signInAs(BETH.userName);
      const { verifier, challenge } = pkce();
      const res = await authorize({
        code_challenge: challenge,
        code_challenge_method: 'S256',
        scope: 'openid',
      });
      const body = (await (await exchange(location(res).searchParams.get('code')!, verifier)).json()) as {
        access_token: string;
        scope: string;
      };
      expect(body.scope).toBe('openid');
      expect(await (await whoAmI(body.access_token)).json()).toEqual({
        result: [{ sys_id: BETH.sysId, user_name: 'beth.anglin' }],
      });
    });

    it('accepts HTTP Basic client authentication', async () => {
      const { verifier, challenge } = pkce();
      const code = await codeFor(challenge);
      const basic = Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64');
      const res = await token(
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
        { Authorization: `Basic ${basic}` },
      );
      expect(res.status).toBe(200);
    });

    it('lets a public client prove itself with the verifier alone', async () => {
      const { verifier, challenge } = pkce();
      const code = await codeFor(challenge);
      const res = await token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_id: CLIENT.clientId,
        code_verifier: verifier,
      });
      expect(res.status).toBe(200);
    });
  });

  describe('GET /oauth_auth.do refusals', () => {
    it('redirects access_denied with the state when the user denies consent', async () => {
      sim.setConsent('deny');
      const res = await authorize({});
      expect(res.status).toBe(302);
      const callback = location(res);
      expect(callback.searchParams.get('error')).toBe('access_denied');
      expect(callback.searchParams.get('error_description')).toEqual(expect.any(String));
      expect(callback.searchParams.get('state')).toBe('st4te');
      expect(callback.searchParams.has('code')).toBe(false);
    });

    it.each([
      ['an unregistered redirect_uri', { redirect_uri: 'https://evil.example/steal' }],
      ['a redirect_uri differing only by a trailing slash', { redirect_uri: `${REDIRECT_URI}/` }],
      ['an unknown client', { client_id: 'nobody' }],
      ['no client_id', { client_id: '' }],
    ])('answers %s with a 400 page, never a redirect', async (_case, params) => {
      const res = await authorize({ ...params, response_type: 'token' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    });

    it('redirects unsupported_response_type for anything but code', async () => {
      const res = await authorize({ response_type: 'token' });
      expect(location(res).searchParams.get('error')).toBe('unsupported_response_type');
      expect(location(res).searchParams.get('state')).toBe('st4te');
    });

    it('redirects invalid_request for the plain PKCE method', async () => {
      const res = await authorize({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
      expect(location(res).searchParams.get('error')).toBe('invalid_request');
      expect(location(res).searchParams.has('code')).toBe(false);
    });

    it('requires a code_challenge when started with requirePkce', async () => {
      await startSimulator({ requirePkce: true });
      const res = await authorize({});
      expect(location(res).searchParams.get('error')).toBe('invalid_request');
    });

    it('shows the login page when the simulated browser is signed out', async () => {
      sim.signOut();
      const res = await authorize({});
      expect(res.status).toBe(200);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('Log in');
    });

    it('refuses to sign in an unknown user', () => {
      expect(() => sim.signInAs('nobody')).toThrow(/no user named nobody/);
    });
  });

  describe('POST /oauth_token.do authorization_code refusals', () => {
    it('refuses a verifier that does not match the challenge', async () => {
      const { challenge } = pkce();
      const code = await codeFor(challenge);
      const res = await exchange(code, pkce().verifier);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(ACCESS_DENIED);
    });

    it('refuses a missing verifier when the code was issued with a challenge', async () => {
      const code = await codeFor(pkce().challenge);
      expect((await exchange(code)).status).toBe(401);
    });

    it('refuses a verifier shorter than 43 characters even if it hashes to the challenge', async () => {
      const short = 'a'.repeat(42);
      const code = await codeFor(pkceS256Challenge(short));
      expect((await exchange(code, short)).status).toBe(401);
    });

    it('refuses a verifier for a code issued without a challenge (PKCE downgrade)', async () => {
      const code = await codeFor();
      expect((await exchange(code, pkce().verifier)).status).toBe(401);
    });

    it('refuses a second use of a code and revokes the tokens the first use issued', async () => {
      const { verifier, challenge } = pkce();
      const code = await codeFor(challenge);
      const first = (await (await exchange(code, verifier)).json()) as {
        access_token: string;
        refresh_token: string;
      };
      expect((await whoAmI(first.access_token)).status).toBe(200);

      const replay = await exchange(code, verifier);
      expect(replay.status).toBe(401);
      expect(await replay.json()).toEqual(ACCESS_DENIED);

      const me = await whoAmI(first.access_token);
      expect(me.status).toBe(401);
      expect(await me.json()).toEqual(NOT_AUTHENTICATED);
      const refresh = await token({
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
      });
      expect(refresh.status).toBe(401);
      expect(sim.issuedTokens()[0]?.revoked).toBe(true);
    });

    it('refuses a code 60 s after it was issued, by the test clock', async () => {
      const { verifier, challenge } = pkce();
      const fresh = await codeFor(challenge);
      nowMs += 59_000;
      expect((await exchange(fresh, verifier)).status).toBe(200);

      const stale = await codeFor(challenge);
      nowMs += 60_000;
      expect((await exchange(stale, verifier)).status).toBe(401);
    });

    it('refuses a redirect_uri other than the one the code was issued for', async () => {
      const { verifier, challenge } = pkce();
      const code = await codeFor(challenge);
      const res = await exchange(code, verifier, { redirect_uri: 'http://127.0.0.1:4000/other' });
      expect(res.status).toBe(401);
    });

    it('refuses a wrong client secret', async () => {
      const { verifier, challenge } = pkce();
      const code = await codeFor(challenge);
      const res = await exchange(code, verifier, { client_secret: 'wrong' });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(ACCESS_DENIED);
    });

    it('answers invalid_grant instead when started with the rfc6749 error style', async () => {
      await startSimulator({ grantErrorStyle: 'rfc6749' });
      const res = await exchange('no-such-code', pkce().verifier);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_grant' });
    });
  });

  describe('POST /oauth_token.do request format', () => {
    it('refuses a JSON body with 400 invalid_request', async () => {
      const res = await fetch(`${sim.url}/oauth_token.do`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          grant_type: 'password',
          client_id: CLIENT.clientId,
          client_secret: CLIENT.clientSecret,
          username: ABEL.userName,
          password: 'password',
        }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
      expect(sim.issuedTokens()).toEqual([]);
    });

    it('refuses an unsupported grant type, and client_credentials while it is off', async () => {
      for (const grantType of ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'client_credentials']) {
        const res = await token({
          grant_type: grantType,
          client_id: CLIENT.clientId,
          client_secret: CLIENT.clientSecret,
        });
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({ error: 'unsupported_grant_type' });
      }
    });
  });

  describe('POST /oauth_token.do other grants', () => {
    it('refresh_token: new access token, same refresh token, refresh expiry not extended', async () => {
      await startSimulator({ refreshTokenTtlSeconds: 3600 });
      const first = await tokensFor();

      nowMs += 3000_000;
      const refreshed = await token({
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
      });
      expect(refreshed.status).toBe(200);
      const body = (await refreshed.json()) as {
        access_token: string;
        refresh_token: string;
        expires_in: number;
      };
      expect(body.access_token).not.toBe(first.access_token);
      expect(body.refresh_token).toBe(first.refresh_token);
      expect(body.expires_in).toBe(1799);
      expect((await whoAmI(body.access_token)).status).toBe(200);

      nowMs = START + 3600_000;
      const tooLate = await token({
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
      });
      expect(tooLate.status).toBe(401);
    });

    it('password: checks the password and returns a still-valid token again', async () => {
      const first = await tokensFor(BETH.userName);
      const again = await tokensFor(BETH.userName);
      expect(again).toEqual(first);

      const wrong = await token({
        grant_type: 'password',
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        username: BETH.userName,
        password: 'password',
      });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual(ACCESS_DENIED);
    });

    it('client_credentials: runs as the OAuth Application User and issues no refresh token', async () => {
      await startSimulator({
        clientCredentialsGrant: true,
        clients: [{ ...CLIENT, applicationUser: BETH.userName }],
      });
      const res = await token({
        grant_type: 'client_credentials',
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual({
        access_token: expect.any(String),
        scope: 'useraccount',
        token_type: 'Bearer',
        expires_in: 1799,
      });
      expect(await (await whoAmI(body.access_token as string)).json()).toEqual({
        result: [{ sys_id: BETH.sysId, user_name: BETH.userName }],
      });
    });

    it('honours accessTokenTtlSeconds', async () => {
      await startSimulator({ accessTokenTtlSeconds: 60 });
      const { access_token } = await tokensFor();
      nowMs += 59_000;
      expect((await whoAmI(access_token)).status).toBe(200);
      nowMs += 1_000;
      expect((await whoAmI(access_token)).status).toBe(401);
    });
  });

  describe('GET /api/now/table/sys_user', () => {
    it('answers 401 with the error envelope without a bearer token', async () => {
      const res = await fetch(`${sim.url}/api/now/table/sys_user?sysparm_limit=1`);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(NOT_AUTHENTICATED);
    });

    it('answers 401 once access tokens are expired, and a refresh recovers', async () => {
      const { access_token, refresh_token } = await tokensFor();
      sim.expireAccessTokens();
      const res = await whoAmI(access_token);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual(NOT_AUTHENTICATED);

      const refreshed = await token({
        grant_type: 'refresh_token',
        refresh_token,
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
      });
      const body = (await refreshed.json()) as { access_token: string };
      expect((await whoAmI(body.access_token)).status).toBe(200);
    });

    it('answers 401 after revokeAll, and refuses the refresh token too', async () => {
      const { access_token, refresh_token } = await tokensFor();
      sim.revokeAll();
      expect((await whoAmI(access_token)).status).toBe(401);
      const refresh = await token({
        grant_type: 'refresh_token',
        refresh_token,
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
      });
      expect(refresh.status).toBe(401);
      expect(sim.issuedTokens().every((issued) => issued.revoked)).toBe(true);
    });

    it('filters by user_name and sys_id, ignores unknown fields, and reads one record by sys_id', async () => {
      const { access_token } = await tokensFor();
      const headers = { Authorization: `Bearer ${access_token}` };
      const byName = await fetch(
        `${sim.url}/api/now/table/sys_user?sysparm_query=user_name=beth.anglin&sysparm_fields=email,bogus`,
        { headers },
      );
      expect(await byName.json()).toEqual({ result: [{ email: BETH.email }] });
      expect(byName.headers.get('x-total-count')).toBe('1');

      const byId = await fetch(
        `${sim.url}/api/now/table/sys_user?sysparm_query=sys_id=${BETH.sysId}&sysparm_fields=name`,
        {
          headers,
        },
      );
      expect(await byId.json()).toEqual({ result: [{ name: 'Beth Anglin' }] });

      const none = await fetch(`${sim.url}/api/now/table/sys_user?sysparm_query=user_name=nobody`, {
        headers,
      });
      expect(await none.json()).toEqual({ result: [] });

      const record = await fetch(`${sim.url}/api/now/table/sys_user/${ABEL.sysId}?sysparm_fields=user_name`, {
        headers,
      });
      expect(await record.json()).toEqual({ result: { user_name: ABEL.userName } });
    });

    it('answers a query it cannot evaluate with 400 rather than a wrong list', async () => {
      const { access_token } = await tokensFor();
      const headers = { Authorization: `Bearer ${access_token}` };
      const res = await fetch(`${sim.url}/api/now/table/sys_user?sysparm_query=user_name~beth`, { headers });
      expect(res.status).toBe(400);
      const either = await fetch(
        `${sim.url}/api/now/table/sys_user?sysparm_query=user_name=nobody^ORuser_name=beth.anglin&sysparm_fields=user_name`,
        { headers },
      );
      expect(await either.json()).toEqual({ result: [{ user_name: 'beth.anglin' }] });
    });
  });

  describe('fault injection', () => {
    it('answers 503 with Retry-After the given number of times, then recovers', async () => {
      sim.fault('/oauth_token.do', { status: 503, times: 1, retryAfterSeconds: 5 });
      const { verifier, challenge } = pkce();
      const code = await codeFor(challenge);

      const failed = await exchange(code, verifier);
      expect(failed.status).toBe(503);
      expect(failed.headers.get('retry-after')).toBe('5');

      // The fault answered before the endpoint ran, so the code is still unused.
      const retried = await exchange(code, verifier);
      expect(retried.status).toBe(200);
      expect(
        sim.requests.filter((request) => request.path === '/oauth_token.do').map((r) => r.status),
      ).toEqual([503, 200]);
    });

    it('applies to everything beneath a path, with a custom body', async () => {
      const { access_token } = await tokensFor();
      sim.fault('/api/now/table', {
        status: 429,
        times: 2,
        body: { error: { message: 'Too many' }, status: 'failure' },
      });
      expect((await whoAmI(access_token)).status).toBe(429);
      const second = await whoAmI(access_token);
      expect(await second.json()).toEqual({ error: { message: 'Too many' }, status: 'failure' });
      expect((await whoAmI(access_token)).status).toBe(200);
    });

    it('delays without failing when no status is given', async () => {
      sim.fault('/oauth_token.do', { delayMs: 50 });
      const started = Date.now();
      await tokensFor();
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    });

    it('drops the connection to simulate an instance that is down', async () => {
      sim.fault('/oauth_token.do', { dropConnection: true });
      await expect(tokensFor()).rejects.toThrow();
      await expect(tokensFor()).resolves.toEqual(
        expect.objectContaining({ access_token: expect.any(String) }),
      );
    });
  });
});
