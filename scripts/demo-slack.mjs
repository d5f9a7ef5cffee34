// The Slack part of `npm run demo` (docs/slack.md, "Demo"): a Slack simulator as a child process,
// and the SLACK_* variables that point the product at it (a bot token from the environment, the
// signing secret the simulator signs with, an OAuth client for trying the install, #incidents as
// the default channel). Open the printed URL to see the channels as Slack would hold them: cards,
// their edits and threads, ephemeral replies and modals, refreshed every 2 s.
//
//   DEMO_SLACK=0 npm run demo      no Slack simulator (SLACK_* from your environment, if any)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Starts the simulator, copies its SLACK_* lines into process.env, resolves with its page URL. */
export async function startSlackSimulator({ root, appUrl }) {
  if (process.env.DEMO_SLACK === '0') return undefined;
  const child = spawn(
    process.execPath,
    [
      '-r',
      './backend/test/support/register-typescript.cjs',
      'backend/test/simulators/slack-simulator.main.ts',
      '--port=0',
      `--app-url=${appUrl}`,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'development' } },
  );
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  const settings = await new Promise((resolve, reject) => {
    const found = {};
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^(SLACK_[A-Z_]+)=(.*)$/.exec(line);
      if (match) found[match[1]] = match[2];
      else console.log(`[slack simulator] ${line}`);
      if (found.SLACK_DEFAULT_CHANNEL !== undefined) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`the Slack simulator exited (${code}) before starting`)));
  });
  for (const [key, value] of Object.entries(settings)) process.env[key] = value;
  const pageUrl = settings.SLACK_API_URL.replace(/\/api\/$/, '/');
  console.log(`Demo: Slack simulator at ${pageUrl} (cards and threads as Slack would show them)`);
  return pageUrl;
}
