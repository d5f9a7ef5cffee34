/**
 * Runs the ServiceNow instance simulator as a process, for `npm run demo` and manual poking:
 *
 *   node -r ./backend/test/support/register-typescript.cjs \
 *     backend/test/simulators/servicenow-simulator.main.ts --port=8100 \
 *     --webhook-url=http://127.0.0.1:3000/api/webhooks/servicenow --trickle=5000
 *
 * Arguments win over the environment. It reads the same variables as the product
 * (SERVICENOW_CLIENT_ID, SERVICENOW_CLIENT_SECRET, SERVICENOW_USERNAME, SERVICENOW_PASSWORD,
 * SERVICENOW_WEBHOOK_SECRET), so one set of values configures both sides, and prints what it
 * uses, the instance URL first, as `KEY=value` lines a script can parse.
 */
import { randomBytes } from 'node:crypto';
import { ServiceNowTrickle } from './servicenow-trickle';
import { DEFAULT_CLIENT, DEFAULT_USERS, ServiceNowSimulator } from './servicenow.simulator';

export interface SimulatorSettings {
  readonly port: number;
  readonly host: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly userName: string;
  readonly password: string;
  readonly webhookUrl: string | undefined;
  readonly webhookSecret: string;
  readonly emitFor: 'all' | 'others';
  /** Milliseconds between trickled changes; undefined: no trickle. */
  readonly trickleMs: number | undefined;
  /** Incidents opened at start (by ServiceNow people, webhooks fired). */
  readonly initialIncidents: number;
  readonly closeFieldsPolicy: boolean;
}

const USAGE = `Options (environment in brackets):
  --port=N                 [SERVICENOW_SIM_PORT]         default 8100; 0 picks a free port
  --host=H                 [SERVICENOW_SIM_HOST]         default 127.0.0.1
  --client-id=ID           [SERVICENOW_CLIENT_ID]        default ${DEFAULT_CLIENT.clientId}
  --client-secret=S        [SERVICENOW_CLIENT_SECRET]    default ${DEFAULT_CLIENT.clientSecret}
  --username=U             [SERVICENOW_USERNAME]         integration user, default ${DEFAULT_USERS[0]?.userName ?? ''}
  --password=P             [SERVICENOW_PASSWORD]         default ${DEFAULT_USERS[0]?.password ?? ''}
  --webhook-url=URL        [SERVICENOW_SIM_WEBHOOK_URL]  our /api/webhooks/servicenow; none: no webhooks
  --webhook-secret=S       [SERVICENOW_WEBHOOK_SECRET]   default: random, printed
  --emit-for=all|others    [SERVICENOW_SIM_EMIT_FOR]     default all (our own writes echo back, as a rule without a condition does); others: skip the integration user
  --trickle[=MS]           [SERVICENOW_SIM_TRICKLE_MS]   ServiceNow people change incidents every MS (default 5000)
  --incidents=N            [SERVICENOW_SIM_INCIDENTS]    incidents opened at start, default 3 with --trickle, else 0
  --data-policy            [SERVICENOW_SIM_DATA_POLICY=true]  require close_code and close_notes to resolve

Control (JSON, no auth, local only): GET|POST /_simulator/incidents {fields,user},
PATCH /_simulator/incidents/:sys_id {fields,user}, POST /_simulator/incidents/:sys_id/journal
{element,text,user}, POST /_simulator/faults {path,status,times,retryAfterSeconds,delayMs,
dropConnection}, DELETE /_simulator/faults, POST /_simulator/down {forMs},
GET /_simulator/webhook, POST /_simulator/webhook/pause|resume.`;

const OPTIONS = new Set([
  'port',
  'host',
  'client-id',
  'client-secret',
  'username',
  'password',
  'webhook-url',
  'webhook-secret',
  'emit-for',
  'trickle',
  'incidents',
  'data-policy',
]);

export function parseSettings(argv: readonly string[], env: NodeJS.ProcessEnv): SimulatorSettings {
  const args = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') throw new UsageError(USAGE, true);
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (match?.[1] === undefined || !OPTIONS.has(match[1]))
      throw new UsageError(`Unknown argument ${arg}\n${USAGE}`);
    args.set(match[1], match[2] ?? 'true');
  }
  const value = (name: string, envName: string): string | undefined =>
    args.get(name) ?? env[envName] ?? undefined;
  const integer = (name: string, envName: string, fallback: number): number => {
    const raw = value(name, envName);
    if (raw === undefined || raw === '') return fallback;
    const parsed = Number(raw);
    if (!Number.isInteger(parsed) || parsed < 0)
      throw new UsageError(`--${name} must be a whole number, got ${raw}`);
    return parsed;
  };
  const trickleRaw = value('trickle', 'SERVICENOW_SIM_TRICKLE_MS');
  const trickleMs =
    trickleRaw === undefined || trickleRaw === '' || trickleRaw === 'false'
      ? undefined
      : trickleRaw === 'true'
        ? 5000
        : integer('trickle', 'SERVICENOW_SIM_TRICKLE_MS', 5000);
  const emitFor = value('emit-for', 'SERVICENOW_SIM_EMIT_FOR') ?? 'all';
  if (emitFor !== 'all' && emitFor !== 'others') throw new UsageError(`--emit-for must be all or others`);
  const integration = DEFAULT_USERS[0];
  return {
    port: integer('port', 'SERVICENOW_SIM_PORT', 8100),
    host: value('host', 'SERVICENOW_SIM_HOST') ?? '127.0.0.1',
    clientId: value('client-id', 'SERVICENOW_CLIENT_ID') ?? DEFAULT_CLIENT.clientId,
    clientSecret: value('client-secret', 'SERVICENOW_CLIENT_SECRET') ?? DEFAULT_CLIENT.clientSecret,
    userName: value('username', 'SERVICENOW_USERNAME') ?? integration?.userName ?? 'nexecute.integration',
    password: value('password', 'SERVICENOW_PASSWORD') ?? integration?.password ?? 'password',
    webhookUrl: value('webhook-url', 'SERVICENOW_SIM_WEBHOOK_URL'),
    webhookSecret: value('webhook-secret', 'SERVICENOW_WEBHOOK_SECRET') ?? randomBytes(24).toString('hex'),
    emitFor,
    trickleMs,
    initialIncidents: integer('incidents', 'SERVICENOW_SIM_INCIDENTS', trickleMs === undefined ? 0 : 3),
    closeFieldsPolicy: (value('data-policy', 'SERVICENOW_SIM_DATA_POLICY') ?? 'false') === 'true',
  };
}

export class UsageError extends Error {
  constructor(
    message: string,
    /** Asked for with --help: not a failure. */
    readonly help = false,
  ) {
    super(message);
  }
}

export async function startFromSettings(
  settings: SimulatorSettings,
  log: (line: string) => void,
): Promise<{ sim: ServiceNowSimulator; trickle: ServiceNowTrickle | undefined }> {
  const integration = DEFAULT_USERS[0];
  const people = DEFAULT_USERS.slice(1).filter((user) => user.userName !== settings.userName);
  const sim = await ServiceNowSimulator.start({
    port: settings.port,
    host: settings.host,
    clients: [
      {
        clientId: settings.clientId,
        clientSecret: settings.clientSecret,
        redirectUris: DEFAULT_CLIENT.redirectUris,
        applicationUser: settings.userName,
      },
    ],
    users: [
      {
        sysId: integration?.sysId ?? '5137153cc611227c000bbd1bd8cd2005',
        userName: settings.userName,
        email: `${settings.userName}@example.com`,
        firstName: 'Nexecute',
        lastName: 'Integration',
        password: settings.password,
      },
      ...people,
    ],
    clientCredentialsGrant: true,
    controlApi: true,
    maxLoggedRequests: 1000,
    closeFieldsPolicy: settings.closeFieldsPolicy,
    webhook:
      settings.webhookUrl === undefined
        ? undefined
        : {
            url: settings.webhookUrl,
            secret: settings.webhookSecret,
            emitFor: settings.emitFor,
            integrationUser: settings.userName,
            maxLoggedAttempts: 1000,
            onAttempt: (attempt) =>
              log(
                `# webhook ${attempt.event} ${attempt.eventId} attempt ${attempt.attempt}: ` +
                  (attempt.status === undefined ? (attempt.error ?? 'no answer') : String(attempt.status)),
              ),
          },
  });
  const anyAddress = ['127.0.0.1', '0.0.0.0', '::'].includes(settings.host);
  const url = anyAddress ? sim.url : sim.url.replace('127.0.0.1', settings.host);
  log(`SERVICENOW_INSTANCE_URL=${url}`);
  log(`SERVICENOW_CLIENT_ID=${settings.clientId}`);
  log(`SERVICENOW_CLIENT_SECRET=${settings.clientSecret}`);
  log(`SERVICENOW_USERNAME=${settings.userName}`);
  log(`SERVICENOW_PASSWORD=${settings.password}`);
  // our group name = the instance's sys_user_group sys_id, so groups map both ways in the demo
  log(
    `SERVICENOW_ASSIGNMENT_GROUPS=${sim
      .groups()
      .map((g) => `${g.name}=${g.sysId}`)
      .join(',')}`,
  );
  log(`SERVICENOW_WEBHOOK_SECRET=${settings.webhookSecret}`);
  log(
    settings.webhookUrl === undefined
      ? '# webhooks: off (pass --webhook-url)'
      : `# webhooks: ${settings.webhookUrl} (emit for ${settings.emitFor})`,
  );

  let trickle: ServiceNowTrickle | undefined;
  if (settings.trickleMs !== undefined || settings.initialIncidents > 0) {
    trickle = new ServiceNowTrickle(sim, {
      intervalMs: settings.trickleMs ?? 5000,
      onAction: (action) => log(`# ${action.user} ${action.kind.replace('_', ' ')} ${action.number}`),
    });
    for (let i = 0; i < settings.initialIncidents; i += 1) trickle.step();
    if (settings.trickleMs !== undefined) {
      trickle.start();
      log(`# trickle: a change every ${settings.trickleMs} ms`);
    }
  }
  return { sim, trickle };
}

async function main(): Promise<void> {
  let settings: SimulatorSettings;
  try {
    settings = parseSettings(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    (error.help ? process.stdout : process.stderr).write(`${error.message}\n`);
    process.exitCode = error.help ? 0 : 2;
    return;
  }
  const { sim, trickle } = await startFromSettings(settings, (line) => process.stdout.write(`${line}\n`));
  // The trickle's timer is unref'd; the listening server keeps the process alive.
  const shutdown = (): void => {
    trickle?.stop();
    void sim.close().then(() => process.exit(0));
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
