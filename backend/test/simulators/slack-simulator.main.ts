/**
 * Runs the Slack simulator as a process, for `npm run sim:slack`, `npm run demo` and manual poking:
 *
 *   node -r ./backend/test/support/register-typescript.cjs \
 *     backend/test/simulators/slack-simulator.main.ts --port=8200 --app-url=http://127.0.0.1:3000
 *
 * Arguments win over the environment. It reads the same variables as the product
 * (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_CLIENT_ID, SLACK_CLIENT_SECRET), so one set of values
 * configures both sides, and prints what it uses as `KEY=value` lines a script can parse
 * (SLACK_API_URL first). Open its URL in a browser to watch the channels.
 */
import { DEFAULT_SLACK, SlackSimulator } from './slack.simulator';

export interface SlackSimulatorSettings {
  readonly port: number;
  readonly host: string;
  readonly signingSecret: string;
  readonly botToken: string | undefined;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly teamId: string;
  /** Our app, for the control API's signed drivers (POST /_simulator/command|action|event). */
  readonly appUrl: string | undefined;
  /** People to add (email addresses), so users.info finds them. */
  readonly users: readonly string[];
}

const USAGE = `Options (environment in brackets):
  --port=N              [SLACK_SIM_PORT]         default 8200; 0 picks a free port
  --host=H              [SLACK_SIM_HOST]         default 127.0.0.1
  --signing-secret=S    [SLACK_SIGNING_SECRET]   default ${DEFAULT_SLACK.signingSecret}
  --bot-token=T         [SLACK_BOT_TOKEN]        default: a fresh xoxb- token, printed
  --client-id=ID        [SLACK_CLIENT_ID]        default ${DEFAULT_SLACK.clientId}
  --client-secret=S     [SLACK_CLIENT_SECRET]    default ${DEFAULT_SLACK.clientSecret}
  --team-id=T           [SLACK_SIM_TEAM_ID]      default ${DEFAULT_SLACK.teamId}
  --app-url=URL         [SLACK_SIM_APP_URL]      our app (http://127.0.0.1:3000), for the signed drivers
  --users=a@x,b@y       [SLACK_SIM_USERS]        people in the workspace (users.info, users.lookupByEmail)

GET / shows the channels as Slack holds them. Control (JSON, no auth, local only):
GET /_simulator/calls?method=, GET /_simulator/messages?channel=, GET /_simulator/state,
POST /_simulator/faults {method,status,retryAfter,error,delayMs,times}, DELETE /_simulator/faults,
POST /_simulator/users {email,name}, POST /_simulator/consent {decision:allow|deny},
POST /_simulator/expire-tokens, POST /_simulator/command {text,userId,channelId},
POST /_simulator/action {actionId,value,userId,channelId,messageTs}, POST /_simulator/event {event}.`;

const OPTIONS = new Set([
  'port',
  'host',
  'signing-secret',
  'bot-token',
  'client-id',
  'client-secret',
  'team-id',
  'app-url',
  'users',
]);

export class UsageError extends Error {
  constructor(
    message: string,
    readonly help = false,
  ) {
    super(message);
  }
}

export function parseSlackSettings(argv: readonly string[], env: NodeJS.ProcessEnv): SlackSimulatorSettings {
  const args = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') throw new UsageError(USAGE, true);
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (match?.[1] === undefined || !OPTIONS.has(match[1]))
      throw new UsageError(`Unknown argument ${arg}\n${USAGE}`);
    args.set(match[1], match[2] ?? 'true');
  }
  const value = (name: string, envName: string): string | undefined => {
    const v = args.get(name) ?? env[envName];
    return v === undefined || v === '' ? undefined : v;
  };
  const portRaw = value('port', 'SLACK_SIM_PORT') ?? '8200';
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number, got ${portRaw}`);
  return {
    port,
    host: value('host', 'SLACK_SIM_HOST') ?? '127.0.0.1',
    signingSecret: value('signing-secret', 'SLACK_SIGNING_SECRET') ?? DEFAULT_SLACK.signingSecret,
    botToken: value('bot-token', 'SLACK_BOT_TOKEN'),
    clientId: value('client-id', 'SLACK_CLIENT_ID') ?? DEFAULT_SLACK.clientId,
    clientSecret: value('client-secret', 'SLACK_CLIENT_SECRET') ?? DEFAULT_SLACK.clientSecret,
    teamId: value('team-id', 'SLACK_SIM_TEAM_ID') ?? DEFAULT_SLACK.teamId,
    appUrl: value('app-url', 'SLACK_SIM_APP_URL'),
    users: (
      value('users', 'SLACK_SIM_USERS') ?? 'admin@example.com,beth.anglin@example.com,abel.tuter@example.com'
    )
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== ''),
  };
}

export async function startSlackFromSettings(
  settings: SlackSimulatorSettings,
  log: (line: string) => void,
): Promise<SlackSimulator> {
  const sim = new SlackSimulator({
    port: settings.port,
    host: settings.host,
    signingSecret: settings.signingSecret,
    botToken: settings.botToken,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    teamId: settings.teamId,
    appBaseUrl: settings.appUrl,
    controlApi: true,
    maxLoggedCalls: 1000,
  });
  await sim.start();
  for (const email of settings.users) sim.addUser({ email });
  for (const [key, val] of Object.entries(sim.env())) log(`${key}=${val}`);
  log(`SLACK_DEFAULT_CHANNEL=C0SIMINC01`);
  log(`# Slack simulator: ${sim.url}/ shows #general, #incidents and #major-incidents (team ${sim.teamId})`);
  log(
    settings.appUrl === undefined
      ? '# signed drivers: off (pass --app-url)'
      : `# signed drivers: POST ${sim.url}/_simulator/command|action|event → ${settings.appUrl}`,
  );
  return sim;
}

async function main(): Promise<void> {
  let settings: SlackSimulatorSettings;
  try {
    settings = parseSlackSettings(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    (error.help ? process.stdout : process.stderr).write(`${error.message}\n`);
    process.exitCode = error.help ? 0 : 2;
    return;
  }
  const sim = await startSlackFromSettings(settings, (line) => process.stdout.write(`${line}\n`));
  const shutdown = (): void => {
    void sim.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
