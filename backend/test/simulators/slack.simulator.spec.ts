import { createServer, type Server } from 'node:http';
import {
  ErrorCode,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebClient,
} from '@slack/web-api';
import { slackSignatureProblem } from '../../src/slack/slack-signature';
import { TestClock } from './servicenow.simulator';
import { SlackSimulator } from './slack.simulator';

/** null: no token at all. */
function clientFor(sim: SlackSimulator, token: string | null = sim.botToken): WebClient {
  return new WebClient(token ?? undefined, {
    slackApiUrl: sim.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
}

async function platformError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WebAPIPlatformError) return error.data.error;
    throw error;
  }
  throw new Error('expected ok:false');
}

describe('SlackSimulator', () => {
  let clock: TestClock;
  let sim: SlackSimulator;
  let slack: WebClient;

  beforeEach(async () => {
    clock = new TestClock('2026-12-04T09:00:00Z');
    sim = new SlackSimulator({ now: clock.now });
    await sim.start();
    slack = clientFor(sim);
  });

  afterEach(async () => {
    await sim.stop();
  });

  describe('chat.*', () => {
    it('holds posted messages, thread replies and edits as Slack does, and records each call', async () => {
      const card = await slack.chat.postMessage({
        channel: 'C0TEAM0001',
        text: 'INC0010001 Database down',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'Database down' } }],
      });
      expect(card).toMatchObject({ ok: true, channel: 'C0TEAM0001' });
      const ts = card.ts ?? '';
      await slack.chat.postMessage({ channel: 'C0TEAM0001', text: 'Acknowledged', thread_ts: ts });
      const updated = await slack.chat.update({
        channel: 'C0TEAM0001',
        ts,
        text: 'INC0010001 Database down (in progress)',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*In progress*' } }],
      });
      expect(updated).toMatchObject({ ok: true, ts });

      const [message, ...others] = sim.messages('C0TEAM0001');
      expect(others).toHaveLength(0);
      expect(message).toMatchObject({ ts, text: 'INC0010001 Database down (in progress)', edits: 1 });
      expect(message?.replies.map((r) => r.text)).toEqual(['Acknowledged']);
      expect(sim.calls().map((c) => [c.method, c.ok])).toEqual([
        ['chat.postMessage', true],
        ['chat.postMessage', true],
        ['chat.update', true],
      ]);
      // WebClient sends a form with blocks JSON-encoded; the simulator hands them back parsed
      expect(sim.calls('chat.postMessage')[0]).toMatchObject({
        contentType: 'application/x-www-form-urlencoded',
        token: sim.botToken,
        args: { blocks: [{ type: 'header' }] },
      });
    });

    it('accepts JSON bodies with the token in the Authorization header', async () => {
      const res = await fetch(`${sim.apiUrl}chat.postMessage`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          Authorization: `Bearer ${sim.botToken}`,
        },
        body: JSON.stringify({ channel: 'C0TEAM0001', text: 'hello', blocks: [{ type: 'divider' }] }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true, channel: 'C0TEAM0001' });
      expect(sim.calls('chat.postMessage')[0]).toMatchObject({
        contentType: 'application/json',
        args: { text: 'hello' },
      });
    });

    it('answers not_authed, invalid_auth and unknown messages with HTTP 200 ok:false', async () => {
      expect(await platformError(clientFor(sim, null).auth.test())).toBe('not_authed');
      expect(await platformError(clientFor(sim, 'xoxb-1-2-nope').auth.test())).toBe('invalid_auth');
      expect(
        await platformError(slack.chat.update({ channel: 'C0TEAM0001', ts: '1.000001', text: 'x' })),
      ).toBe('message_not_found');
      expect(await platformError(slack.chat.postMessage({ channel: 'not-a-channel', text: 'x' }))).toBe(
        'channel_not_found',
      );
      expect(
        await platformError(slack.chat.postMessage({ channel: 'C0TEAM0001', text: 'x', thread_ts: '9.9' })),
      ).toBe('thread_not_found');
      expect(sim.calls('auth.test').map((c) => c.error)).toEqual(['not_authed', 'invalid_auth']);
    });

    it('refuses Block Kit beyond its limits with invalid_blocks and stores nothing', async () => {
      const tooLong = [
        { type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } },
        { type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } },
        {
          type: 'actions',
          elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'z'.repeat(76) } }],
        },
      ];
      try {
        await slack.chat.postMessage({ channel: 'C0TEAM0001', text: 'fallback', blocks: tooLong });
        throw new Error('expected invalid_blocks');
      } catch (error) {
        expect(error).toBeInstanceOf(WebAPIPlatformError);
        const data = (error as WebAPIPlatformError).data as unknown as { error: string; errors: string[] };
        expect(data.error).toBe('invalid_blocks');
        expect(data.errors).toEqual([
          'must be less than 151 characters [json-pointer:/0/text/text]',
          'must be less than 3001 characters [json-pointer:/1/text/text]',
          'must be less than 76 characters [json-pointer:/2/elements/0/text/text]',
        ]);
      }
      const fiftyOne = Array.from({ length: 51 }, () => ({ type: 'divider' }));
      expect(
        await platformError(slack.chat.postMessage({ channel: 'C0TEAM0001', text: 'x', blocks: fiftyOne })),
      ).toBe('invalid_blocks');
      // exactly at the limits is fine
      await slack.chat.postMessage({
        channel: 'C0TEAM0001',
        text: 'x'.repeat(40_001),
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: 'x'.repeat(150) } },
          { type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3000) } },
        ],
      });
      const messages = sim.messages('C0TEAM0001');
      expect(messages).toHaveLength(1);
      // Slack truncates (does not refuse) a long fallback text, with a warning
      expect(messages[0]?.text).toHaveLength(40_000);
    });
  });

  describe('faults', () => {
    it('answers 429 with Retry-After, which WebClient surfaces as WebAPIRateLimitedError', async () => {
      sim.fault('chat.postMessage', { status: 429, retryAfter: 7 });
      try {
        await slack.chat.postMessage({ channel: 'C0TEAM0001', text: 'x' });
        throw new Error('expected a rate limit');
      } catch (error) {
        expect(error).toBeInstanceOf(WebAPIRateLimitedError);
        expect((error as WebAPIRateLimitedError).retryAfter).toBe(7);
      }
      const raw = await fetch(`${sim.apiUrl}chat.postMessage`, { method: 'POST' });
      expect(raw.status).toBe(200); // the fault was used up
      sim.fault('*', { status: 429, retryAfter: 2, times: 2 });
      const first = await fetch(`${sim.apiUrl}auth.test`, { method: 'POST' });
      expect(first.status).toBe(429);
      expect(first.headers.get('retry-after')).toBe('2');
      expect(await first.json()).toEqual({ ok: false, error: 'ratelimited' });
      expect(sim.calls('auth.test')[0]).toMatchObject({ status: 429, error: 'ratelimited' });
    });

    it('answers a 5xx, an ok:false error or a delay as asked, times times', async () => {
      sim.fault('chat.update', { status: 503 });
      await expect(slack.chat.update({ channel: 'C1', ts: '1.1', text: 'x' })).rejects.toMatchObject({
        code: ErrorCode.HTTPError,
        statusCode: 503,
      });
      expect(WebAPIHTTPError).toBeDefined();
      sim.fault('auth.test', { error: 'invalid_auth', times: 2 });
      expect(await platformError(slack.auth.test())).toBe('invalid_auth');
      expect(await platformError(slack.auth.test())).toBe('invalid_auth');
      await expect(slack.auth.test()).resolves.toMatchObject({ ok: true, team_id: sim.teamId });
      sim.fault('auth.test', { delayMs: 150 });
      const started = Date.now();
      await slack.auth.test();
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      sim.fault('auth.test', { error: 'token_revoked', times: Infinity });
      sim.clearFaults();
      await expect(slack.auth.test()).resolves.toMatchObject({ ok: true });
    });
  });

  describe('views and triggers', () => {
    const modal = {
      type: 'modal' as const,
      callback_id: 'incident.resolve',
      private_metadata: '{"incidentId":"x"}',
      title: { type: 'plain_text' as const, text: 'Resolve INC0010001' },
      submit: { type: 'plain_text' as const, text: 'Resolve' },
      blocks: [
        {
          type: 'input',
          block_id: 'notes',
          label: { type: 'plain_text' as const, text: 'Close notes' },
          element: { type: 'plain_text_input', action_id: 'value', multiline: true },
        },
      ],
    };

    it('opens a view once per trigger_id, within 3 seconds', async () => {
      const user = sim.addUser({ email: 'beth@example.com' });
      const trigger = sim.issueTrigger(user.id);
      const opened = await slack.views.open({ trigger_id: trigger, view: modal });
      expect(opened.view).toMatchObject({
        callback_id: 'incident.resolve',
        private_metadata: '{"incidentId":"x"}',
      });
      expect(sim.views()).toMatchObject([{ user: user.id, view: { callback_id: 'incident.resolve' } }]);
      expect(await platformError(slack.views.open({ trigger_id: trigger, view: modal }))).toBe(
        'exchanged_trigger_id',
      );

      const late = sim.issueTrigger(user.id);
      clock.advance(3001);
      expect(await platformError(slack.views.open({ trigger_id: late, view: modal }))).toBe(
        'expired_trigger_id',
      );
      expect(await platformError(slack.views.open({ trigger_id: 'made.up', view: modal }))).toBe(
        'invalid_trigger_id',
      );

      const updated = await slack.views.update({
        view_id: opened.view?.id ?? '',
        view: { ...modal, title: { type: 'plain_text', text: 'Resolved' } },
      });
      expect(updated.view?.title).toMatchObject({ text: 'Resolved' });
    });

    it('refuses an oversized modal title without using the trigger', async () => {
      const trigger = sim.issueTrigger();
      expect(
        await platformError(
          slack.views.open({
            trigger_id: trigger,
            view: { ...modal, title: { type: 'plain_text', text: 'x'.repeat(25) } },
          }),
        ),
      ).toBe('invalid_arguments');
      await expect(slack.views.open({ trigger_id: trigger, view: modal })).resolves.toMatchObject({
        ok: true,
      });
    });
  });

  describe('response_url', () => {
    it('takes five posts within 30 minutes', async () => {
      const url = sim.responseUrl();
      for (let i = 1; i <= 5; i += 1) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ response_type: 'ephemeral', text: `reply ${i}` }),
        });
        expect(res.status).toBe(200);
      }
      const sixth = await fetch(url, { method: 'POST', body: JSON.stringify({ text: 'again' }) });
      expect(sixth.status).toBe(404);
      expect(await sixth.text()).toBe('used_url');
      expect(sim.responses(url)).toHaveLength(5);
      expect(sim.responses(url)[0]).toEqual({ response_type: 'ephemeral', text: 'reply 1' });

      const old = sim.responseUrl();
      clock.advance(30 * 60 * 1000 + 1);
      const expired = await fetch(old, { method: 'POST', body: JSON.stringify({ text: 'late' }) });
      expect(expired.status).toBe(404);
      expect(await expired.text()).toBe('expired_url');
    });
  });

  describe('users and conversations', () => {
    it('finds people by id and by email (profile.email with users:read.email)', async () => {
      const beth = sim.addUser({ email: 'Beth.Anglin@example.com', realName: 'Beth Anglin' });
      await expect(slack.users.info({ user: beth.id })).resolves.toMatchObject({
        user: { id: beth.id, real_name: 'Beth Anglin', profile: { email: 'Beth.Anglin@example.com' } },
      });
      await expect(slack.users.lookupByEmail({ email: 'beth.anglin@example.com' })).resolves.toMatchObject({
        user: { id: beth.id },
      });
      expect(await platformError(slack.users.lookupByEmail({ email: 'nobody@example.com' }))).toBe(
        'users_not_found',
      );
      expect(await platformError(slack.users.info({ user: 'U0NOBODY' }))).toBe('user_not_found');
      await expect(slack.conversations.info({ channel: 'C0SIMINC01' })).resolves.toMatchObject({
        channel: { id: 'C0SIMINC01', name: 'incidents' },
      });
    });

    it('posts ephemeral messages to a person', async () => {
      const beth = sim.addUser({ email: 'beth@example.com' });
      const res = await slack.chat.postEphemeral({ channel: 'C0SIMINC01', user: beth.id, text: 'Only you' });
      expect(res.message_ts).toMatch(/^\d+\.\d{6}$/);
      expect(sim.ephemerals('C0SIMINC01')).toMatchObject([{ user: beth.id, text: 'Only you' }]);
    });
  });

  describe('OAuth v2', () => {
    const redirectUri = 'http://127.0.0.1:9/api/slack/oauth/callback';

    it('redirects from the authorize page with a code and the state, and exchanges the code once', async () => {
      const authorize = new URL(sim.authorizeUrl);
      authorize.search = new URLSearchParams({
        client_id: sim.clientId,
        scope: 'chat:write,commands,users:read,users:read.email',
        redirect_uri: redirectUri,
        state: 'st-1',
      }).toString();
      const res = await fetch(authorize, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
      expect(location.searchParams.get('state')).toBe('st-1');
      const code = location.searchParams.get('code') ?? '';

      const anonymous = clientFor(sim, null);
      const access = await anonymous.oauth.v2.access({
        client_id: sim.clientId,
        client_secret: sim.clientSecret,
        code,
        redirect_uri: redirectUri,
      });
      expect(access).toMatchObject({
        ok: true,
        app_id: sim.appId,
        token_type: 'bot',
        scope: 'chat:write,commands,users:read,users:read.email',
        bot_user_id: sim.botUserId,
        team: { id: sim.teamId },
        expires_in: 43_200,
      });
      expect(access.access_token).toMatch(/^xoxe\.xoxb-/);
      expect(access.refresh_token).toMatch(/^xoxe-1-/);
      await expect(clientFor(sim, access.access_token ?? '').auth.test()).resolves.toMatchObject({
        team_id: sim.teamId,
      });

      expect(
        await platformError(
          anonymous.oauth.v2.access({
            client_id: sim.clientId,
            client_secret: sim.clientSecret,
            code,
            redirect_uri: redirectUri,
          }),
        ),
      ).toBe('invalid_code');
    });

    it('redirects with error=access_denied when the admin cancels', async () => {
      sim.setConsent('deny');
      const url = `${sim.authorizeUrl}?client_id=${sim.clientId}&scope=chat:write&redirect_uri=${encodeURIComponent(redirectUri)}&state=s2`;
      const res = await fetch(url, { redirect: 'manual' });
      const location = new URL(res.headers.get('location') ?? '');
      expect(Object.fromEntries(location.searchParams)).toEqual({ error: 'access_denied', state: 's2' });
    });

    it('refreshes a rotating token: new access and refresh tokens, the old refresh token spent', async () => {
      const anonymous = clientFor(sim, null);
      const first = await anonymous.oauth.v2.access({
        client_id: sim.clientId,
        client_secret: sim.clientSecret,
        code: sim.issueCode(),
      });
      clock.advance(43_200_000);
      expect(await platformError(clientFor(sim, first.access_token ?? '').auth.test())).toBe('token_expired');
      const refreshed = await anonymous.oauth.v2.access({
        client_id: sim.clientId,
        client_secret: sim.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token,
      });
      expect(refreshed.access_token).not.toBe(first.access_token);
      expect(refreshed.refresh_token).not.toBe(first.refresh_token);
      expect(refreshed.expires_in).toBe(43_200);
      await expect(clientFor(sim, refreshed.access_token ?? '').auth.test()).resolves.toMatchObject({
        ok: true,
      });
      expect(
        await platformError(
          anonymous.oauth.v2.access({
            client_id: sim.clientId,
            client_secret: sim.clientSecret,
            grant_type: 'refresh_token',
            refresh_token: first.refresh_token,
          }),
        ),
      ).toBe('invalid_refresh_token');
      expect(sim.issuedTokens().map((t) => t.grant)).toEqual([
        'environment',
        'authorization_code',
        'refresh_token',
      ]);
    });

    it('refuses bad client credentials, unknown codes and grant types', async () => {
      const anonymous = clientFor(sim, null);
      const code = sim.issueCode();
      expect(
        await platformError(
          anonymous.oauth.v2.access({ client_id: 'other', client_secret: sim.clientSecret, code }),
        ),
      ).toBe('invalid_client_id');
      expect(
        await platformError(
          anonymous.oauth.v2.access({ client_id: sim.clientId, client_secret: 'wrong', code }),
        ),
      ).toBe('bad_client_secret');
      expect(
        await platformError(
          anonymous.oauth.v2.access({
            client_id: sim.clientId,
            client_secret: sim.clientSecret,
            code: 'nope',
          }),
        ),
      ).toBe('invalid_code');
      expect(
        await platformError(
          // a grant type Slack does not know, sent as WebClient would send any other
          anonymous.apiCall('oauth.v2.access', {
            client_id: sim.clientId,
            client_secret: sim.clientSecret,
            grant_type: 'password',
          }),
        ),
      ).toBe('invalid_grant_type');
    });

    it('issues non-expiring tokens without rotation', async () => {
      sim.setTokenRotation(false);
      const access = await clientFor(sim, null).oauth.v2.access({
        client_id: sim.clientId,
        client_secret: sim.clientSecret,
        code: sim.issueCode(),
      });
      expect(access.access_token).toMatch(/^xoxb-/);
      expect(access.refresh_token).toBeUndefined();
      expect(access.expires_in).toBeUndefined();
    });
  });

  describe('requests to our app', () => {
    let app: Server;
    let appUrl: string;
    const received: {
      path: string;
      headers: Record<string, string | string[] | undefined>;
      body: string;
      valid: boolean;
    }[] = [];

    beforeEach(async () => {
      received.length = 0;
      app = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const raw = Buffer.concat(chunks);
          const problem = slackSignatureProblem(
            sim.signingSecret,
            {
              timestamp: req.headers['x-slack-request-timestamp'] as string | undefined,
              signature: req.headers['x-slack-signature'] as string | undefined,
            },
            raw,
          );
          received.push({
            path: req.url ?? '',
            headers: req.headers,
            body: raw.toString(),
            valid: problem === null,
          });
          res.writeHead(problem === null ? 200 : 401).end();
        });
      });
      await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
      const address = app.address();
      appUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });

    afterEach(async () => {
      await new Promise<void>((resolve) => app.close(() => resolve()));
    });

    it('signs events, commands and interactions as Slack does', async () => {
      const sender = sim.sender(appUrl);
      const beth = sim.addUser({ email: 'beth@example.com' });
      expect((await sender.urlVerification('chal')).status).toBe(200);
      expect(
        (await sender.event({ type: 'app_mention', text: 'hi' }, { eventId: 'Ev1', retryNum: 1 })).status,
      ).toBe(200);
      expect((await sender.command('list', { userId: beth.id })).status).toBe(200);
      const commandResponseUrl = sender.lastResponseUrl;
      expect((await sender.action('incident.acknowledge', 'inc-1', { userId: beth.id })).status).toBe(200);
      expect(
        (
          await sender.viewSubmission({
            callback_id: 'incident.resolve',
            state: { values: { notes: { value: { type: 'plain_text_input', value: 'done' } } } },
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await sender.raw('/api/slack/events', '{}', 'application/json', {
            secret: 'other-secret-0123456789',
          })
        ).status,
      ).toBe(401);
      expect(
        (await sender.raw('/api/slack/events', '{}', 'application/json', { timestamp: 1_000_000 })).status,
      ).toBe(401);
      expect((await sender.sslCheck()).status).toBe(401); // unsigned, as Slack sends it

      expect(received.map((r) => [r.path, r.valid])).toEqual([
        ['/api/slack/events', true],
        ['/api/slack/events', true],
        ['/api/slack/commands', true],
        ['/api/slack/interactions', true],
        ['/api/slack/interactions', true],
        ['/api/slack/events', false],
        ['/api/slack/events', false],
        ['/api/slack/commands', false],
      ]);
      const event = JSON.parse(received[1]?.body ?? '{}') as Record<string, unknown>;
      expect(event).toMatchObject({
        type: 'event_callback',
        event_id: 'Ev1',
        team_id: sim.teamId,
        event: { type: 'app_mention' },
      });
      expect(received[1]?.headers['x-slack-retry-num']).toBe('1');
      const command = Object.fromEntries(new URLSearchParams(received[2]?.body));
      expect(command).toMatchObject({
        command: '/incident',
        text: 'list',
        user_id: beth.id,
        team_id: sim.teamId,
      });
      expect(command.response_url).toBe(commandResponseUrl);
      const action = JSON.parse(new URLSearchParams(received[3]?.body).get('payload') ?? '{}') as Record<
        string,
        unknown
      >;
      expect(action).toMatchObject({
        type: 'block_actions',
        user: { id: beth.id },
        actions: [{ action_id: 'incident.acknowledge', value: 'inc-1' }],
      });
      const submission = JSON.parse(new URLSearchParams(received[4]?.body).get('payload') ?? '{}') as Record<
        string,
        unknown
      >;
      expect(submission).toMatchObject({
        type: 'view_submission',
        view: { callback_id: 'incident.resolve' },
      });
      expect(received[7]?.body).toBe('ssl_check=1&token=legacy-verification-token');
    });
  });

  describe('event retries', () => {
    it('resends an unacknowledged event with X-Slack-Retry-Num, the same event_id, until a 2xx or X-Slack-No-Retry', async () => {
      const seen: { retry: string | undefined; reason: string | undefined; eventId: string }[] = [];
      const answers = [
        { delayMs: 400, status: 200, noRetry: false },
        { delayMs: 0, status: 500, noRetry: false },
        { delayMs: 0, status: 200, noRetry: false },
      ];
      const app = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as { event_id: string };
          seen.push({
            retry: req.headers['x-slack-retry-num'] as string | undefined,
            reason: req.headers['x-slack-retry-reason'] as string | undefined,
            eventId: body.event_id,
          });
          const answer = answers.shift() ?? { delayMs: 0, status: 200, noRetry: false };
          setTimeout(() => {
            res.writeHead(answer.status, answer.noRetry ? { 'X-Slack-No-Retry': '1' } : {}).end();
          }, answer.delayMs);
        });
      });
      await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
      const address = app.address();
      const sender = sim.sender(
        `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
      );
      try {
        const attempts = await sender.deliverEvent(
          { type: 'app_mention', text: 'hi' },
          { eventId: 'EvRETRY', timeoutMs: 200 },
        );
        expect(attempts.map((a) => [a.retryNum, a.status, a.failure])).toEqual([
          [0, null, 'http_timeout'],
          [1, 500, 'http_error'],
          [2, 200, null],
        ]);
        expect(seen).toEqual([
          { retry: undefined, reason: undefined, eventId: 'EvRETRY' },
          { retry: '1', reason: 'http_timeout', eventId: 'EvRETRY' },
          { retry: '2', reason: 'http_error', eventId: 'EvRETRY' },
        ]);
        answers.push({ delayMs: 0, status: 503, noRetry: true });
        const stopped = await sender.deliverEvent({ type: 'app_mention', text: 'x' });
        expect(stopped).toEqual([{ retryNum: 0, status: 503, failure: null, noRetry: true }]);
      } finally {
        await new Promise<void>((resolve) => app.close(() => resolve()));
      }
    });
  });

  describe('the page', () => {
    it('shows each channel with its cards, edits and threads', async () => {
      const card = await slack.chat.postMessage({
        channel: 'C0SIMINC01',
        text: 'fallback',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: 'INC0010001 <Database> down' } },
          { type: 'section', fields: [{ type: 'mrkdwn', text: '*Priority*\nP1' }] },
          {
            type: 'actions',
            elements: [
              {
                type: 'button',
                action_id: 'incident.acknowledge',
                text: { type: 'plain_text', text: 'Acknowledge' },
              },
            ],
          },
        ],
      });
      await slack.chat.postMessage({
        channel: 'C0SIMINC01',
        text: 'Beth acknowledged',
        thread_ts: card.ts ?? '',
      });
      const res = await fetch(sim.url);
      const html = await res.text();
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(html).toContain('http-equiv="refresh"');
      expect(html).toContain('#incidents');
      expect(html).toContain('INC0010001 &lt;Database&gt; down');
      expect(html).toContain('<b>Priority</b><br>P1');
      expect(html).toContain('[Acknowledge]');
      expect(html).toContain('Beth acknowledged');
      const state = (await (await fetch(`${sim.url}/state.json`)).json()) as {
        channels: { id: string; messages: unknown[] }[];
      };
      expect(state.channels.find((c) => c.id === 'C0SIMINC01')?.messages).toHaveLength(1);
    });
  });

  describe('the control API', () => {
    it('sets faults and adds users for a simulator in another process', async () => {
      const other = new SlackSimulator({ controlApi: true });
      await other.start();
      try {
        const post = (route: string, body: object): Promise<Response> =>
          fetch(`${other.url}/_simulator/${route}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
          });
        expect(
          (await post('faults', { method: 'chat.postMessage', status: 429, retryAfter: 3 })).status,
        ).toBe(200);
        const limited = await fetch(`${other.apiUrl}chat.postMessage`, { method: 'POST' });
        expect(limited.status).toBe(429);
        const user = (await (await post('users', { email: 'x@example.com' })).json()) as {
          user: { id: string };
        };
        expect(other.user(user.user.id)?.email).toBe('x@example.com');
        const calls = (await (await fetch(`${other.url}/_simulator/calls`)).json()) as { calls: unknown[] };
        expect(calls.calls).toHaveLength(1);
        expect((await fetch(`${sim.url}/_simulator/calls`)).status).toBe(404); // off by default
      } finally {
        await other.stop();
      }
    });
  });
});
