// `npm run demo`: the whole product as `npm start` runs it, connected to a local ServiceNow
// instance simulator that opens and changes incidents as ServiceNow people would and sends our
// webhook for each change, so the console moves within a minute of starting. Nothing leaves this
// machine. Embedded PostgreSQL in a fresh ./data/demo-postgres of its own on every start (the
// simulator starts empty too), unless DATABASE_URL or EMBEDDED_POSTGRES_DIR is set.
//
//   npm run demo                      console at http://127.0.0.1:3000 (PORT to change)
//   DEMO_TRICKLE_MS=2000 npm run demo a change on the ServiceNow side every 2 s (default 5000)
//
// The simulator runs as a child process; its settings (instance URL, OAuth client, integration
// user, webhook secret) are handed to the product through the same SERVICENOW_* variables a
// headless install uses, so the Integrations page shows the connection as managed by the
// environment. The product starts first, on the simulator's port chosen beforehand, and the
// simulator (with its first incidents and the trickle) once the product listens: its webhooks
// would otherwise go to a port nobody answers yet and be dropped after the business rule's
// retries. The product's first reconciliation (5 s after start) imports what is open by then.
//
// Ctrl-C or SIGTERM (to npm or to this process) stops both: the product drains and stops its
// embedded PostgreSQL, then exits, and the simulator is sent SIGTERM on that exit.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from './app-process.mjs';
import { buildIfStale, targets } from './build-if-stale.mjs';
import { startSlackSimulator } from './demo-slack.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const trickleMs = Number(process.env.DEMO_TRICKLE_MS ?? 5000);
const appHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;

buildIfStale(['frontend', 'backend']);

// The simulator starts empty every time, so the demo's database starts empty too, and apart from
// the product's own (`npm start` keeps ./data/postgres): demo incidents linked to a simulator that
// is gone would otherwise stay in the product, and a restarted demo would mix the two.
if (!process.env.DATABASE_URL && !process.env.EMBEDDED_POSTGRES_DIR) {
  process.env.EMBEDDED_POSTGRES_DIR = join(root, 'data', 'demo-postgres');
  rmSync(process.env.EMBEDDED_POSTGRES_DIR, { recursive: true, force: true });
}

// One set of values for both sides (the simulator reads the same variables as the product).
const simulatorPort = await freePort();
const settings = {
  SERVICENOW_INSTANCE_URL: `http://127.0.0.1:${simulatorPort}`,
  SERVICENOW_CLIENT_ID: process.env.SERVICENOW_CLIENT_ID ?? 'nexecute-demo',
  SERVICENOW_CLIENT_SECRET: process.env.SERVICENOW_CLIENT_SECRET ?? randomBytes(18).toString('base64url'),
  SERVICENOW_USERNAME: process.env.SERVICENOW_USERNAME ?? 'nexecute.integration',
  SERVICENOW_PASSWORD: process.env.SERVICENOW_PASSWORD ?? randomBytes(18).toString('base64url'),
  SERVICENOW_WEBHOOK_SECRET: process.env.SERVICENOW_WEBHOOK_SECRET ?? randomBytes(24).toString('base64url'),
};
Object.assign(process.env, settings);

let simulator;
const stopSimulator = () => {
  if (simulator && simulator.exitCode === null && simulator.signalCode === null) simulator.kill('SIGTERM');
};
process.once('exit', stopSimulator);

// `npm run demo` runs us under `sh -c`, which does not pass on the SIGTERM npm forwards to it: the
// shell dies and we are left running, with PostgreSQL and the simulator. So a change of parent
// (the shell gone) stops the demo as SIGTERM would.
const parent = process.ppid;
const orphanWatch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(orphanWatch);
  console.error(`Demo: the parent process (${parent}) is gone; stopping`);
  process.kill(process.pid, 'SIGTERM');
}, 500).unref();

console.log(
  `Demo: ServiceNow simulator at ${settings.SERVICENOW_INSTANCE_URL} (a change every ${trickleMs} ms, ` +
    `once the product is up); the console will be at http://${appHost}:${port}`,
);
// Slack (issue 14): a Slack simulator, with SLACK_* pointing the product at it (scripts/demo-slack.mjs).
await startSlackSimulator({ root, appUrl: `http://${appHost}:${port}` });

const { main } = createRequire(import.meta.url)(join(root, targets.backend.entry));
// Resolves once the product listens (it exits the process itself if it cannot start).
await main();

simulator = spawn(
  process.execPath,
  [
    '-r',
    './backend/test/support/register-typescript.cjs',
    'backend/test/simulators/servicenow-simulator.main.ts',
    `--port=${simulatorPort}`,
    `--webhook-url=http://${appHost}:${port}/api/webhooks/servicenow`,
    `--trickle=${trickleMs}`,
    '--incidents=5',
  ],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'development' } },
);
simulator.once('exit', (code, signal) => {
  // Not on the way out: the simulator stopped by itself, and the demo without it is no demo.
  if (signal === null && code !== 0) {
    console.error(`[servicenow simulator] exited (${code}); stopping the demo`);
    process.kill(process.pid, 'SIGTERM');
  }
});
// The simulator prints its settings as KEY=value lines (already known here), then its activity.
createInterface({ input: simulator.stdout }).on('line', (line) => {
  if (!/^SERVICENOW_[A-Z_]+=/.test(line)) console.log(`[servicenow simulator] ${line}`);
});
