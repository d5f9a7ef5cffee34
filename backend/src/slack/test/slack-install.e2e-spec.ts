import { eventually } from '../../../test/support/wait-for';
import { signInAsAdmin, type SignedIn } from '../../../test/sign-in';
import { startTestApp, TEST_ADMIN, type TestApp } from '../../../test/test-app';
import { SlackSimulator } from '../../../test/simulators/slack.simulator';
import { SecretBox } from '../../common/crypto/secret-box';
import { installationSecretAad } from '../slack-installations';
import { SlackWorkspaces } from '../slack-workspaces';

interface InstallationRow {
  team_id: string;
  team_name: string;
  app_id: string;
  bot_user_id: string;
  bot_id: string | null;
  scopes: string[];
  bot_token: string;
  refresh_token: string | null;
  token_expires_at: Date | null;
  installed_by: string | null;
  installed_by_label: string | null;
}

const HOUR = 3_600_000;

describe('Slack install (OAuth v2) against the simulator', () => {
  let sim: SlackSimulator;
  let t: TestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    sim = new SlackSimulator();
    await sim.start();
    t = await startTestApp({ env: sim.env({ botToken: false }) });
    admin = await signInAsAdmin(t);
  });
  afterAll(async () => {
    await t.close();
    await sim.stop();
  });
  beforeEach(async () => {
    sim.setConsent('allow');
    sim.clearFaults();
    await t.dataSource.query(`DELETE FROM slack_installations`);
    t.app.get(SlackWorkspaces).forget(sim.teamId);
  });

  const installations = (): Promise<InstallationRow[]> =>
    t.dataSource.query<InstallationRow[]>(`SELECT * FROM slack_installations ORDER BY team_id`);
  const decrypt = (token: string, teamId: string, column: 'bot_token' | 'refresh_token'): string =>
    t.app.get(SecretBox).decrypt(token, installationSecretAad(teamId, column));

  /** Admin → our /install → Slack's authorize page → back to our callback, as a browser would. */
  async function install(
    tamper: { state?: string; cookie?: string | null; code?: string } = {},
  ): Promise<{ location: string; authorizeUrl: URL }> {
    const start = await t.http.get('/api/slack/install').set('Authorization', admin.bearer).expect(302);
    const authorizeUrl = new URL(start.headers.location as string);
    const setCookie = ([] as string[]).concat(start.headers['set-cookie'] ?? []);
    const cookie = setCookie.find((c) => c.startsWith('nx_slack_state='))?.split(';')[0];
    expect(cookie).toBeDefined();
    const slack = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(slack.status).toBe(302);
    const back = new URL(slack.headers.get('location') ?? '');
    if (tamper.state !== undefined) back.searchParams.set('state', tamper.state);
    if (tamper.code !== undefined) back.searchParams.set('code', tamper.code);
    const req = t.http.get(`${back.pathname}${back.search}`);
    if (tamper.cookie !== null) req.set('Cookie', tamper.cookie ?? cookie ?? '');
    const callback = await req.expect(302);
    return { location: callback.headers.location as string, authorizeUrl };
  }

  describe('GET /api/slack/install → Slack → GET /api/slack/oauth/callback', () => {
    it('stores the workspace with both tokens encrypted and sends the admin back to the Integrations page', async () => {
      const { location, authorizeUrl } = await install();
      expect(location).toBe(`/admin/integrations?slack=installed&team=${sim.teamId}`);
      expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(sim.authorizeUrl);
      expect(Object.fromEntries(authorizeUrl.searchParams)).toMatchObject({
        client_id: sim.clientId,
        scope: 'chat:write,commands,app_mentions:read,users:read,users:read.email',
        redirect_uri: expect.stringMatching(/\/api\/slack\/oauth\/callback$/) as unknown,
        state: expect.stringMatching(/^[\w-]{43}$/) as unknown,
      });

      const [row, ...others] = await installations();
      expect(others).toHaveLength(0);
      const issued = sim
        .issuedTokens()
        .filter((token) => token.grant === 'authorization_code')
        .at(-1);
      expect(row).toMatchObject({
        team_id: sim.teamId,
        team_name: sim.teamName,
        app_id: sim.appId,
        bot_user_id: sim.botUserId,
        bot_id: sim.botId,
        scopes: ['chat:write', 'commands', 'app_mentions:read', 'users:read', 'users:read.email'],
        installed_by_label: TEST_ADMIN.email,
        installed_by: admin.user.id,
      });
      // ciphertexts, not the tokens
      expect(row?.bot_token).not.toContain(issued?.accessToken ?? '?');
      expect(decrypt(row?.bot_token ?? '', sim.teamId, 'bot_token')).toBe(issued?.accessToken);
      expect(decrypt(row?.refresh_token ?? '', sim.teamId, 'refresh_token')).toBe(issued?.refreshToken);
      const expiresIn = (row?.token_expires_at?.getTime() ?? 0) - Date.now();
      expect(expiresIn).toBeGreaterThan(11.9 * HOUR);
      expect(expiresIn).toBeLessThanOrEqual(12 * HOUR);

      const [audit] = await t.dataSource.query<
        { actor_id: string; details: Record<string, unknown>; after: object }[]
      >(
        `SELECT actor_id, details, after FROM audit_events WHERE action = 'integration.updated' AND target_id = 'slack'
          ORDER BY id DESC LIMIT 1`,
      );
      expect(audit).toMatchObject({
        actor_id: admin.user.id,
        details: { change: 'workspace_installed', teamId: sim.teamId },
        after: { teamId: sim.teamId, tokenRotation: true },
      });
      expect(JSON.stringify(audit)).not.toContain(issued?.accessToken ?? '?');

      // the installed workspace is now the default one, with its own token
      const slack = await t.app.get(SlackWorkspaces).client();
      await slack.chat.postMessage({ channel: 'C0SIMINC01', text: 'installed' });
      expect(sim.calls('chat.postMessage').at(-1)?.token).toBe(issued?.accessToken);
    });

    it('hands the console the authorize URL as JSON when asked (its XHR carries the bearer token)', async () => {
      const res = await t.http
        .get('/api/slack/install')
        .set('Authorization', admin.bearer)
        .set('Accept', 'application/json')
        .expect(200);
      expect(res.body).toMatchObject({ url: expect.stringContaining(sim.authorizeUrl) as unknown });
      expect(String(res.headers['set-cookie'])).toMatch(/nx_slack_state=.*HttpOnly.*SameSite=Lax/i);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('refuses a state that is not this browser’s, is reused or is missing, and stores nothing', async () => {
      expect((await install({ state: 'forged-state' })).location).toBe(
        '/admin/integrations?slack=error&code=SLACK_OAUTH_STATE_INVALID&reason=state_mismatch',
      );
      expect((await install({ cookie: null })).location).toContain('code=SLACK_OAUTH_STATE_INVALID');
      expect((await install({ state: 'x', cookie: 'nx_slack_state=x' })).location).toBe(
        '/admin/integrations?slack=error&code=SLACK_OAUTH_STATE_INVALID&reason=unknown_or_expired_state',
      );
      expect(await installations()).toEqual([]);

      // a state works once: replaying the whole callback is refused
      const start = await t.http.get('/api/slack/install').set('Authorization', admin.bearer).expect(302);
      const cookie = ([] as string[]).concat(start.headers['set-cookie'] ?? [])[0]?.split(';')[0] ?? '';
      const back = new URL(
        (await fetch(start.headers.location as string, { redirect: 'manual' })).headers.get('location') ?? '',
      );
      const first = await t.http.get(`${back.pathname}${back.search}`).set('Cookie', cookie).expect(302);
      expect(first.headers.location).toContain('slack=installed');
      const replay = await t.http.get(`${back.pathname}${back.search}`).set('Cookie', cookie).expect(302);
      expect(replay.headers.location).toContain('code=SLACK_OAUTH_STATE_INVALID');
    });

    it('reports a cancelled consent as SLACK_OAUTH_DENIED', async () => {
      sim.setConsent('deny');
      expect((await install()).location).toBe(
        '/admin/integrations?slack=error&code=SLACK_OAUTH_DENIED&reason=access_denied',
      );
      expect(await installations()).toEqual([]);
    });

    it('reports a code Slack refuses as SLACK_OAUTH_FAILED with Slack’s reason', async () => {
      expect((await install({ code: 'not-a-code' })).location).toBe(
        '/admin/integrations?slack=error&code=SLACK_OAUTH_FAILED&reason=invalid_code',
      );
      expect(await installations()).toEqual([]);
      // calls are recorded after they return, off the request's path
      const call = await eventually(async () => {
        const [latest] = await t.dataSource.query<{ method: string; ok: boolean; error: string }[]>(
          `SELECT method, ok, error FROM slack_calls WHERE method = 'oauth.v2.access' ORDER BY id DESC LIMIT 1`,
        );
        return latest?.ok === false ? latest : undefined;
      });
      expect(call).toEqual({ method: 'oauth.v2.access', ok: false, error: 'invalid_code' });
    });
  });

  describe('token rotation', () => {
    it('refreshes a token that expires within 2 h before the call, storing the new access and refresh tokens', async () => {
      await install();
      const [before] = await installations();
      await t.dataSource.query(
        `UPDATE slack_installations SET token_expires_at = now() + interval '90 minutes'`,
      );
      const oldAccess = decrypt(before?.bot_token ?? '', sim.teamId, 'bot_token');
      const oldRefresh = decrypt(before?.refresh_token ?? '', sim.teamId, 'refresh_token');

      const slack = await t.app.get(SlackWorkspaces).client(sim.teamId);
      await slack.chat.postMessage({ channel: 'C0SIMINC01', text: 'after refresh' });

      const [after] = await installations();
      const newAccess = decrypt(after?.bot_token ?? '', sim.teamId, 'bot_token');
      const newRefresh = decrypt(after?.refresh_token ?? '', sim.teamId, 'refresh_token');
      expect(newAccess).not.toBe(oldAccess);
      expect(newRefresh).not.toBe(oldRefresh);
      expect(sim.issuedTokens().at(-1)).toMatchObject({
        grant: 'refresh_token',
        accessToken: newAccess,
        refreshToken: newRefresh,
      });
      expect((after?.token_expires_at?.getTime() ?? 0) - Date.now()).toBeGreaterThan(11.9 * HOUR);
      expect(sim.calls('chat.postMessage').at(-1)?.token).toBe(newAccess);
      expect(sim.calls('oauth.v2.access').at(-1)?.args).toMatchObject({
        grant_type: 'refresh_token',
        refresh_token: oldRefresh,
      });
    });

    it('refreshes an expired token once however many calls ask at the same time', async () => {
      await install();
      sim.expireTokens();
      await t.dataSource.query(
        `UPDATE slack_installations SET token_expires_at = now() - interval '1 minute'`,
      );
      const refreshesBefore = sim.calls('oauth.v2.access').length;
      const workspaces = t.app.get(SlackWorkspaces);
      const clients = await Promise.all(Array.from({ length: 5 }, () => workspaces.client(sim.teamId)));
      expect(sim.calls('oauth.v2.access').length - refreshesBefore).toBe(1);
      await expect(clients[0]?.auth.test()).resolves.toMatchObject({ ok: true, team_id: sim.teamId });
    });

    it('answers SLACK_TOKEN_REFRESH_FAILED when Slack refuses the refresh of an expired token', async () => {
      await install();
      await t.dataSource.query(
        `UPDATE slack_installations SET token_expires_at = now() - interval '1 minute'`,
      );
      sim.fault('oauth.v2.access', { error: 'invalid_refresh_token' });
      await expect(t.app.get(SlackWorkspaces).client(sim.teamId)).rejects.toMatchObject({
        code: 'SLACK_TOKEN_REFRESH_FAILED',
      });
    });
  });

  describe('GET /api/integrations/slack', () => {
    it('shows what is configured, the workspaces with their scopes and expiry, and the calls; never a token', async () => {
      await install();
      sim.fault('chat.postMessage', { error: 'channel_not_found' });
      const slack = await t.app.get(SlackWorkspaces).client();
      await expect(slack.chat.postMessage({ channel: 'C0GONE0001', text: 'x' })).rejects.toThrow();
      const res = await t.http.get('/api/integrations/slack').set('Authorization', admin.bearer).expect(200);
      expect(res.body).toMatchObject({
        connected: true,
        signingSecret: true,
        oauthClient: true,
        environmentToken: false,
        installUrl: '/api/slack/install',
        redirectUrl: expect.stringMatching(/\/api\/slack\/oauth\/callback$/) as unknown,
        defaultChannel: null,
        apiUrl: sim.apiUrl,
        workspaces: [
          {
            teamId: sim.teamId,
            teamName: sim.teamName,
            source: 'oauth',
            botUserId: sim.botUserId,
            scopes: ['chat:write', 'commands', 'app_mentions:read', 'users:read', 'users:read.email'],
            tokenRotation: true,
            tokenExpiresAt: expect.any(String) as unknown,
            installedBy: TEST_ADMIN.email,
            isDefault: true,
          },
        ],
        calls: { windowHours: 24 },
      });
      const body = res.body as {
        calls: {
          byMethod: { method: string; count: number; errors: number }[];
          recentErrors: { method: string; error: string }[];
        };
      };
      expect(body.calls.byMethod.find((m) => m.method === 'chat.postMessage')).toMatchObject({ errors: 1 });
      expect(body.calls.recentErrors[0]).toMatchObject({
        method: 'chat.postMessage',
        error: 'channel_not_found',
      });
      const text = JSON.stringify(res.body);
      for (const token of sim.issuedTokens()) {
        expect(text).not.toContain(token.accessToken);
        if (token.refreshToken) expect(text).not.toContain(token.refreshToken);
      }
    });
  });

  describe('DELETE /api/integrations/slack/workspaces/:teamId', () => {
    it('removes the workspace, revokes its token at Slack and audits it', async () => {
      await install();
      const [row] = await installations();
      const token = decrypt(row?.bot_token ?? '', sim.teamId, 'bot_token');
      await t.http
        .delete(`/api/integrations/slack/workspaces/${sim.teamId}`)
        .set('Authorization', admin.bearer)
        .expect(204);
      expect(await installations()).toEqual([]);
      expect(sim.issuedTokens().find((x) => x.accessToken === token)?.revoked).toBe(true);
      const [audit] = await t.dataSource.query<{ details: object; after: object | null }[]>(
        `SELECT details, after FROM audit_events WHERE action = 'integration.updated' AND target_id = 'slack'
          ORDER BY id DESC LIMIT 1`,
      );
      expect(audit).toEqual({
        details: { change: 'workspace_uninstalled', teamId: sim.teamId },
        after: null,
      });
      await expect(t.app.get(SlackWorkspaces).client()).rejects.toMatchObject({
        code: 'SLACK_NOT_CONNECTED',
      });

      const again = await t.http
        .delete(`/api/integrations/slack/workspaces/${sim.teamId}`)
        .set('Authorization', admin.bearer)
        .expect(404);
      expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(again.body).toMatchObject({ code: 'SLACK_WORKSPACE_NOT_FOUND', status: 404 });
    });
  });
});

describe('Slack install with SLACK_BOT_TOKEN and no OAuth client', () => {
  let sim: SlackSimulator;
  let t: TestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    sim = new SlackSimulator();
    await sim.start();
    // no OAuth client: only the environment's bot token
    const env = Object.fromEntries(
      Object.entries(sim.env()).filter(([key]) => !key.startsWith('SLACK_CLIENT_')),
    );
    t = await startTestApp({ env: { ...env, SLACK_DEFAULT_CHANNEL: 'C0SIMINC01' } });
    admin = await signInAsAdmin(t);
  });
  afterAll(async () => {
    await t.close();
    await sim.stop();
  });

  it('refuses to start an install: SLACK_INSTALL_NOT_CONFIGURED as problem+json', async () => {
    const res = await t.http.get('/api/slack/install').set('Authorization', admin.bearer).expect(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'SLACK_INSTALL_NOT_CONFIGURED', status: 409 });
  });

  it('shows the environment workspace, and will not uninstall it', async () => {
    const res = await t.http.get('/api/integrations/slack').set('Authorization', admin.bearer).expect(200);
    expect(res.body).toMatchObject({
      connected: true,
      oauthClient: false,
      environmentToken: true,
      installUrl: null,
      defaultChannel: 'C0SIMINC01',
      workspaces: [{ teamId: sim.teamId, source: 'environment', isDefault: true }],
    });
    const del = await t.http
      .delete(`/api/integrations/slack/workspaces/${sim.teamId}`)
      .set('Authorization', admin.bearer)
      .expect(409);
    expect(del.body).toMatchObject({ code: 'INTEGRATION_MANAGED_BY_ENVIRONMENT' });
  });
});
