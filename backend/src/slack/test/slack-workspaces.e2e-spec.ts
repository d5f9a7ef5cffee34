import { WebAPIRateLimitedError } from '@slack/web-api';
import { startTestApp, type TestApp } from '../../../test/test-app';
import { SlackSimulator } from '../../../test/simulators/slack.simulator';
import { SlackCalls } from '../slack-calls';
import { SlackWorkspaces } from '../slack-workspaces';

describe('SlackWorkspaces', () => {
  let sim: SlackSimulator;

  beforeAll(async () => {
    sim = new SlackSimulator();
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
  });
  beforeEach(() => {
    sim.clearCalls();
    sim.clearFaults();
  });

  describe('with SLACK_BOT_TOKEN', () => {
    let t: TestApp;
    let workspaces: SlackWorkspaces;

    beforeAll(async () => {
      t = await startTestApp({ env: sim.env() });
      workspaces = t.app.get(SlackWorkspaces);
    });
    afterAll(async () => {
      await t.close();
    });

    it('gives the environment workspace’s client, its team resolved by auth.test, every call recorded', async () => {
      const slack = await workspaces.client();
      const posted = await slack.chat.postMessage({ channel: 'C0SIMINC01', text: 'hello' });
      expect(posted.ok).toBe(true);
      expect(sim.calls('chat.postMessage')[0]?.token).toBe(sim.botToken);
      expect(await workspaces.defaultTeamId()).toBe(sim.teamId);
      expect(await workspaces.client(sim.teamId)).toBe(slack);
      await expect(workspaces.client('T0SOMEOTHER')).rejects.toMatchObject({
        code: 'SLACK_NOT_CONNECTED',
        status: 503,
      });
      expect(sim.calls('auth.test')).toHaveLength(1);

      const calls = t.app.get(SlackCalls);
      await calls.flush();
      const rows = await t.dataSource.query<{ method: string; ok: boolean; team_id: string | null }[]>(
        `SELECT method, ok, team_id FROM slack_calls ORDER BY id`,
      );
      expect(rows).toEqual([
        { method: 'chat.postMessage', ok: true, team_id: null },
        { method: 'auth.test', ok: true, team_id: null },
      ]);
      await slack.chat.postMessage({ channel: 'C0SIMINC01', text: 'again' });
      await calls.flush();
      const [last] = await t.dataSource.query<{ team_id: string }[]>(
        `SELECT team_id FROM slack_calls ORDER BY id DESC LIMIT 1`,
      );
      expect(last?.team_id).toBe(sim.teamId);
    });

    it('does not retry: a 429 surfaces at once with Retry-After, a failure is recorded with Slack’s code', async () => {
      const slack = await workspaces.client();
      sim.fault('chat.postMessage', { status: 429, retryAfter: 30 });
      const error = await slack.chat
        .postMessage({ channel: 'C0SIMINC01', text: 'x' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebAPIRateLimitedError);
      expect((error as WebAPIRateLimitedError).retryAfter).toBe(30);
      sim.fault('chat.update', { status: 503 });
      await expect(slack.chat.update({ channel: 'C0SIMINC01', ts: '1.1', text: 'x' })).rejects.toThrow();
      expect(sim.calls().map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update']);
      const errors = await t.app.get(SlackCalls).recentErrors();
      expect(errors.slice(0, 2).map((e) => [e.method, e.error])).toEqual([
        ['chat.update', 'http_503'],
        ['chat.postMessage', 'ratelimited'],
      ]);
    });
  });

  describe('with nothing configured', () => {
    it('answers SLACK_NOT_CONNECTED', async () => {
      const t = await startTestApp({ env: sim.env({ botToken: false }) });
      try {
        const workspaces = t.app.get(SlackWorkspaces);
        await expect(workspaces.client()).rejects.toMatchObject({ code: 'SLACK_NOT_CONNECTED' });
        expect(await workspaces.defaultTeamId()).toBeNull();
      } finally {
        await t.close();
      }
    });
  });
});
