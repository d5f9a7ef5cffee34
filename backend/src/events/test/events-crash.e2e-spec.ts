import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { eventually } from '../../../test/support/wait-for';
import { CONSOLE_FIXTURE, TEST_ADMIN, type LogRecord } from '../../../test/test-app';
import { freshDatabase, type TestDatabase } from '../../../test/test-database';
import type { CreatedEventSourceView } from '../dto/event-source.view';
import { acknowledgedIds, countOutcomes, mixedPlan, postBurst, type PostOutcome } from './event-burst';
import { acknowledgedNot, halfWritten, readInboxLedger, type InboxLedger } from './inbox-ledger';

/** Events posted, producers posting at once, and the answer after which the app is killed. */
const TOTAL = 600;
const CONCURRENCY = 24;
const KILL_AFTER = 300;

const HEARTBEAT_MS = 200;
const STALE_AFTER_MS = 1000;

const REGISTER_TYPESCRIPT = join(__dirname, '../../../test/support/register-typescript.cjs');
const MAIN = join(__dirname, '../../main.ts');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
    probe.once('error', reject);
  });
}

interface AppProcess {
  readonly pid: number;
  readonly baseUrl: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  logs(): LogRecord[];
  output(): string;
  kill(): void;
}

/**
 * main.ts as a process of its own on `database` (as a deployment with DATABASE_URL runs it):
 * killing it leaves the database running, with whatever the process had committed.
 */
async function startApp(database: TestDatabase): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', REGISTER_TYPESCRIPT, MAIN], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn', // not a line per request during the burst
      DATABASE_URL: database.url,
      CONSOLE_DIR: CONSOLE_FIXTURE,
      JWT_SECRET: 'events-crash-spec-jwt-secret-0123456789abcdef',
      ENCRYPTION_KEYS: `test:${Buffer.alloc(32, 5).toString('base64')}`,
      ADMIN_EMAIL: TEST_ADMIN.email,
      ADMIN_PASSWORD: TEST_ADMIN.password,
      PASSWORD_HASH_MEMORY_KIB: '1024',
      PASSWORD_HASH_ITERATIONS: '1',
      // A killed pool is known to be gone within about a second, and its jobs handed back.
      DELIVERY_WORKER_HEARTBEAT_MS: String(HEARTBEAT_MS),
      DELIVERY_WORKER_STALE_AFTER_MS: String(STALE_AFTER_MS),
      DELIVERY_WORKER_POLL_INTERVAL_MS: '100',
    },
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const app: AppProcess = {
    pid: child.pid ?? 0,
    baseUrl: `http://127.0.0.1:${port}`,
    exited,
    output: () => output,
    logs: () =>
      output
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as LogRecord),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  let exit: unknown;
  void exited.then((s) => (exit = s));
  await eventually(
    async () => {
      if (exit) throw new Error(`the app exited during start-up (${JSON.stringify(exit)}):\n${output}`);
      const res = await fetch(`${app.baseUrl}/api/health/ready`).catch(() => undefined);
      await res?.body?.cancel();
      return res?.status === 200 ? true : undefined;
    },
    60_000,
    `the app on port ${port} ready`,
  );
  return app;
}

async function createSource(app: AppProcess): Promise<CreatedEventSourceView> {
  const login = await fetch(`${app.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: TEST_ADMIN.email, password: TEST_ADMIN.password }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const res = await fetch(`${app.baseUrl}/api/event-sources`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    // the burst is far above the default rate; the limit is not under test
    body: JSON.stringify({ name: 'Crash producer', rateLimitPerMinute: 100_000 }),
  });
  if (res.status !== 201) throw new Error(`creating a source failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as CreatedEventSourceView;
}

describe('POST /api/events when the app is killed with kill -9 during a burst', () => {
  let database: TestDatabase;
  const apps: AppProcess[] = [];

  beforeAll(async () => {
    database = await freshDatabase();
  });

  afterAll(async () => {
    for (const app of apps) app.kill();
    await Promise.all(apps.map((a) => a.exited));
    await database?.drop();
  });

  it('after a restart on the same database, every event that got a 202 is in the inbox and processed exactly once', async () => {
    const crashed = await startApp(database);
    apps.push(crashed);
    const source = await createSource(crashed);

    // The burst: new keys, shared keys, duplicate deliveries; SIGKILL after KILL_AFTER answers,
    // with CONCURRENCY requests in flight and the worker processing. The rest find no server.
    const plan = mixedPlan(source.integrationKey, `crash-${Date.now()}`);
    const outcomes: PostOutcome[] = await postBurst({
      baseUrl: crashed.baseUrl,
      concurrency: CONCURRENCY,
      plan: (n) => (n < TOTAL ? plan(n) : undefined),
      onOutcome: (_, all) => {
        if (all.length === KILL_AFTER) process.kill(crashed.pid, 'SIGKILL');
      },
      timeoutMs: 10_000,
    });
    expect(await crashed.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const acknowledged = acknowledgedIds(outcomes);
    const answers202 = outcomes.filter((o) => o.status === 202);
    // in flight when it died (no answer, the connection cut); the rest found no server at all
    const cut = outcomes.filter((o) => o.status === undefined && o.failure !== 'ECONNREFUSED');
    // What the killed process left: read before anything runs on the database again.
    const atCrash = await readInboxLedger(database.url, source.source.id);
    const deadPools = await readDeadPools(database.url);

    const restarted = await startApp(database);
    apps.push(restarted);
    const restartedAt = performance.now();
    const after: InboxLedger = await eventually(
      async () => {
        const ledger = await readInboxLedger(database.url, source.source.id);
        return !ledger.byStatus['accepted'] && ledger.jobs === 0 ? ledger : undefined;
      },
      45_000,
      'every stored event processed and its job done after the restart',
    );
    const drainedMs = Math.round(performance.now() - restartedAt);
    const storedUnanswered = [...after.statusOf.keys()].filter((id) => !acknowledged.has(id));
    const recovered = restarted.logs().find((l) => typeof l['recoveredJobs'] === 'number');
    process.stdout.write(
      `kill -9 after ${KILL_AFTER} of ${TOTAL} answers (${CONCURRENCY} concurrent): ${JSON.stringify(countOutcomes(outcomes))}. ` +
        `${answers202.length} answers 202 (${answers202.filter((o) => o.duplicate).length} of them duplicate), ` +
        `${acknowledged.size} distinct acknowledged event ids. ` +
        `At the crash: ${atCrash.rows} rows ${JSON.stringify(atCrash.byStatus)}, ${atCrash.jobs} drain jobs, ` +
        `${atCrash.uncovered} accepted events stored but not yet queued (left to the sweep), ` +
        `${atCrash.lockedJobs} locked by the killed pool (${deadPools.join(', ') || 'none'}). ` +
        `After the restart (queue drained in ${drainedMs} ms; ${Number(recovered?.['recoveredJobs'] ?? 0)} jobs handed back by the sweep): ` +
        `${after.byStatus['processed'] ?? 0} processed = ${acknowledged.size} acknowledged + ${storedUnanswered.length} stored ` +
        `whose answer the kill swallowed (of ${cut.length} requests in flight); ${after.byStatus['duplicate'] ?? 0} duplicate rows; ` +
        `${after.incidents} incidents, alertCount sum ${after.alerts}.\n`,
    );

    // At the crash: every acknowledged event was stored (queued, processed, or left for the sweep),
    // and nothing was half-written.
    expect(acknowledgedNot(atCrash, acknowledged)).toEqual([]);
    expect(halfWritten(atCrash)).toEqual({});
    // Requests were in flight when it died (a kill between answers would prove less).
    expect(cut.length).toBeGreaterThan(0);
    expect(answers202.length).toBeGreaterThanOrEqual(KILL_AFTER - CONCURRENCY);

    // After the restart: every acknowledged event processed, none failed, none left behind.
    expect(acknowledgedNot(after, acknowledged, 'processed')).toEqual([]);
    expect(after.byStatus['failed']).toBeUndefined();
    expect(after.lockedJobs).toBe(0);
    // Processed exactly once: one processed row per distinct acknowledged event (plus those stored
    // whose answer never left), one alert each on its incident, one timeline entry and one
    // incident.alert_grouped per grouped trigger (halfWritten checks them incident by incident).
    expect(after.byStatus['processed']).toBe(acknowledged.size + storedUnanswered.length);
    expect(storedUnanswered.length).toBeLessThanOrEqual(cut.length);
    expect(after.alerts).toBe(after.byStatus['processed']);
    expect(halfWritten(after)).toEqual({});
    if (atCrash.lockedJobs > 0) {
      // the orphaned-job sweep freed the killed pool's jobs
      expect((recovered?.['recoveredPools'] as string[] | undefined) ?? []).toEqual(
        expect.arrayContaining(deadPools),
      );
    }
  }, 120_000);
});

/** The lock owners of the processing jobs the killed process held. */
async function readDeadPools(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ locked_by: string }>(
      `SELECT DISTINCT locked_by FROM graphile_worker.jobs WHERE locked_by IS NOT NULL ORDER BY locked_by`,
    );
    return rows.map((r) => r.locked_by);
  } finally {
    await client.end();
  }
}
