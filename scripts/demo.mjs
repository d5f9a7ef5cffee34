// `npm run demo`: the whole product as `npm start` runs it (embedded PostgreSQL unless
// DATABASE_URL is set), connected to a local ServiceNow instance simulator that opens and changes
// incidents as ServiceNow people would and sends our webhook for each change, so the console moves
// within a minute of starting. Nothing leaves this machine.
//
//   npm run demo                      console at http://127.0.0.1:3000 (PORT to change)
//   DEMO_TRICKLE_MS=2000 npm run demo a change on the ServiceNow side every 2 s (default 5000)
//
// The simulator runs as a child process; its settings (instance URL, OAuth client, integration
// user, webhook secret) are handed to the product through the same SERVICENOW_* variables a
// headless install uses, so the Integrations page shows the connection as managed by the
// environment.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildIfStale, targets } from './build-if-stale.mjs';
import { startSlackSimulator } from './demo-slack.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const trickleMs = Number(process.env.DEMO_TRICKLE_MS ?? 5000);
const webhookSecret = process.env.SERVICENOW_WEBHOOK_SECRET ?? randomBytes(24).toString('base64url');

buildIfStale(['frontend', 'backend']);

const simulator = spawn(
  process.execPath,
  [
    '-r',
    './backend/test/support/register-typescript.cjs',
    'backend/test/simulators/servicenow-simulator.main.ts',
    '--port=0',
    `--webhook-url=http://127.0.0.1:${port}/api/webhooks/servicenow`,
    `--webhook-secret=${webhookSecret}`,
    `--trickle=${trickleMs}`,
    '--incidents=5',
  ],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'development' } },
);
const stopSimulator = () => {
  if (simulator.exitCode === null && simulator.signalCode === null) simulator.kill('SIGTERM');
};
process.once('exit', stopSimulator);

/** The simulator prints its settings as KEY=value lines, the instance URL first. */
const settings = await new Promise((resolve, reject) => {
  const found = {};
  const lines = createInterface({ input: simulator.stdout });
  lines.on('line', (line) => {
    const match = /^(SERVICENOW_[A-Z_]+)=(.*)$/.exec(line);
    if (match) found[match[1]] = match[2];
    else console.log(`[servicenow simulator] ${line}`);
    if (found.SERVICENOW_WEBHOOK_SECRET !== undefined) resolve(found);
  });
  simulator.once('exit', (code) =>
    reject(new Error(`the ServiceNow simulator exited (${code}) before starting`)),
  );
});

for (const [key, value] of Object.entries(settings)) process.env[key] = value;
console.log(
  `Demo: ServiceNow simulator at ${settings.SERVICENOW_INSTANCE_URL} (a change every ${trickleMs} ms); ` +
    `the console will be at http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
);

// Slack (issue 14): a Slack simulator, with SLACK_* pointing the product at it (scripts/demo-slack.mjs).
await startSlackSimulator({ root, appUrl: `http://127.0.0.1:${port}` });

const { main } = createRequire(import.meta.url)(join(root, targets.backend.entry));
await main();
