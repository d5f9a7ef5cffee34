import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseSlackSettings, UsageError } from './slack-simulator.main';

const REPO = join(__dirname, '..', '..', '..');

describe('slack-simulator.main', () => {
  it('reads arguments over the environment', () => {
    const settings = parseSlackSettings(['--port=0', '--users=a@example.com'], {
      SLACK_SIM_PORT: '9000',
      SLACK_SIGNING_SECRET: 'from-env-signing-secret',
      SLACK_BOT_TOKEN: 'xoxb-1-2-env',
    });
    expect(settings).toMatchObject({
      port: 0,
      signingSecret: 'from-env-signing-secret',
      botToken: 'xoxb-1-2-env',
      users: ['a@example.com'],
    });
    expect(() => parseSlackSettings(['--bogus'], {})).toThrow(UsageError);
    expect(() => parseSlackSettings(['--port=abc'], {})).toThrow(UsageError);
  });

  describe('as a process', () => {
    let child: ChildProcess | undefined;

    afterEach(() => {
      child?.kill('SIGKILL');
    });

    it('prints SLACK_* for our app, serves the Web API, the page and the control API', async () => {
      child = spawn(
        process.execPath,
        [
          '-r',
          './backend/test/support/register-typescript.cjs',
          'backend/test/simulators/slack-simulator.main.ts',
          '--port=0',
          '--bot-token=xoxb-111-222-demo',
        ],
        { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const settings = await new Promise<Record<string, string>>((resolve, reject) => {
        let out = '';
        child?.stdout?.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          if (/SLACK_DEFAULT_CHANNEL=.*\n/.test(out)) {
            resolve(Object.fromEntries([...out.matchAll(/^(SLACK_\w+)=(.*)$/gm)].map((m) => [m[1], m[2]])));
          }
        });
        child?.once('exit', (code) => reject(new Error(`exited ${String(code)}: ${out}`)));
      });
      expect(settings).toMatchObject({
        SLACK_API_URL: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/) as unknown,
        SLACK_BOT_TOKEN: 'xoxb-111-222-demo',
        SLACK_DEFAULT_CHANNEL: 'C0SIMINC01',
      });
      const api = settings.SLACK_API_URL ?? '';
      const posted = await fetch(`${api}chat.postMessage`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer xoxb-111-222-demo' },
        body: JSON.stringify({ channel: 'C0SIMINC01', text: 'from outside' }),
      });
      expect(await posted.json()).toMatchObject({ ok: true });
      const base = api.replace(/\/api\/$/, '');
      expect(await (await fetch(base)).text()).toContain('from outside');
      const calls = (await (await fetch(`${base}/_simulator/calls`)).json()) as { calls: unknown[] };
      expect(calls.calls).toHaveLength(1);

      const exited = new Promise<number | null>((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      child = undefined;
    });
  });
});
