import { createServer, type Server } from 'node:net';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgresServer } from '../common/database/embedded-postgres-server';
import { EMBEDDED_DATABASE_NAME } from '../common/database/database-server';
import type { LogRecord } from '../../test/test-app';
import { countOutcomes, incidentBurst, type BurstOutcome } from '../../test/support/incident-burst';
import {
  isAlive,
  postgresPid,
  signInAsAdmin,
  spawnApp,
  stopLeftoverPostgres,
  waitUntilReady,
  type SpawnedApp,
} from '../../test/support/spawned-app';
import { waitFor } from '../../test/support/wait-for';
import pg from 'pg';

/**
 * main.ts as a terminal runs it: the app (and npm, when it is in between) in a process group of
 * its own, with the embedded PostgreSQL. A terminal's Ctrl-C is SIGINT to that whole group.
 */

const BURST = { total: 400, concurrency: 20, signalAfter: 100 };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
    probe.once('error', reject);
  });
}

/** Ids of the incidents stored under `prefix`, read after restarting the database alone. */
async function storedIncidentIds(dataDir: string, prefix: string): Promise<string[]> {
  const server = await EmbeddedPostgresServer.start({ dataDir, port: 0, database: EMBEDDED_DATABASE_NAME });
  const client = new pg.Client({ connectionString: server.url });
  try {
    await client.connect();
    const { rows } = await client.query<{ id: string }>(
      'SELECT id FROM incidents WHERE starts_with(title, $1)',
      [`${prefix} `],
    );
    return rows.map((r) => r.id).sort();
  } finally {
    await client.end();
    await server.stop();
  }
}

function linesAt(logs: readonly LogRecord[], levels: readonly string[]): LogRecord[] {
  return logs.filter((l) => levels.includes(l.level));
}

/** Log lines from 'shutting down' on. */
function shutdownLogs(app: SpawnedApp): LogRecord[] {
  const logs = app.logs();
  const start = logs.findIndex((l) => l.msg === 'shutting down');
  return start < 0 ? [] : logs.slice(start);
}

describe('main.ts as a process', () => {
  let root: string;
  let dataDir: string;
  const started: SpawnedApp[] = []; // ended in afterAll if a failed test left them running

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nexecute-main-'));
    await chmod(root, 0o755); // PostgreSQL runs as 'postgres' when the tests run as root
    dataDir = join(root, 'postgres');
  });

  afterAll(async () => {
    for (const app of started) app.killRemains();
    stopLeftoverPostgres(dataDir);
    await rm(root, { recursive: true, force: true });
  });

  async function start(via: 'node' | 'npm' = 'node'): Promise<SpawnedApp> {
    const app = spawnApp({ dataDir, port: await freePort(), via });
    started.push(app);
    await waitUntilReady(app);
    return app;
  }

  /**
   * Fires the burst, signals the app's process group after the first answers, and waits until
   * the app has exited. Returns the outcomes; prints their counts.
   */
  async function burstThenSignal(
    app: SpawnedApp,
    signal: NodeJS.Signals,
    label: string,
    options: { readonly thenCtrlC?: boolean } = {},
  ): Promise<{ outcomes: BurstOutcome[]; prefix: string; postgres: number }> {
    const token = await signInAsAdmin(app);
    const postgres = postgresPid(dataDir);
    if (!postgres) throw new Error('no postmaster.pid while the app runs');
    const prefix = `burst-${label}-${Date.now()}`;
    const appPid = app.appPid();
    const outcomes = await incidentBurst({
      baseUrl: app.baseUrl,
      accessToken: token,
      total: BURST.total,
      concurrency: BURST.concurrency,
      titlePrefix: prefix,
      midway: {
        after: BURST.signalAfter,
        action: () => {
          process.kill(-app.pgid, signal);
          // an impatient second Ctrl-C while it drains
          if (options.thenCtrlC) setTimeout(() => isAlive(appPid) && process.kill(appPid, 'SIGINT'), 20);
        },
      },
    });
    await waitFor(() => !isAlive(appPid), 30_000, `the app (pid ${appPid}) did not exit`);
    process.stdout.write(
      `${label}: ${signal} to the process group after ${BURST.signalAfter} of ${BURST.total} creates ` +
        `(concurrency ${BURST.concurrency}): ${JSON.stringify(countOutcomes(outcomes))}\n`,
    );
    return { outcomes, prefix, postgres };
  }

  /** What every signal during a burst must give. */
  async function expectCleanShutdown(
    app: SpawnedApp,
    run: { outcomes: BurstOutcome[]; prefix: string; postgres: number },
  ): Promise<void> {
    const { outcomes, prefix, postgres } = run;
    // Answers are a 201 or a clean 503 (never a 401 or 500); the rest were refused at the
    // connection (the listener closed, or an idle keep-alive connection ended).
    const answered = outcomes.filter((o) => o.status !== undefined);
    expect(answered.filter((o) => o.status !== 201 && o.status !== 503)).toEqual([]);
    expect(
      outcomes.filter(
        (o) => o.status === undefined && !/^(ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET)$/.test(o.failure ?? ''),
      ),
    ).toEqual([]);
    expect(answered.filter((o) => o.status === 201).length).toBeGreaterThanOrEqual(BURST.signalAfter / 2);

    // The log says it stopped, with no error and no warning on the way.
    const logs = app.logs();
    expect(logs.some((l) => l.msg === 'stopped')).toBe(true);
    expect(linesAt(logs, ['error', 'fatal'])).toEqual([]);
    expect(linesAt(shutdownLogs(app), ['warn'])).toEqual([]);

    // PostgreSQL stopped after the drain, before the app exited.
    expect(isAlive(postgres)).toBe(false);
    expect(postgresPid(dataDir)).toBeUndefined();

    // Exactly the incidents that got a 201 are stored: none lost, none stored behind a failure.
    const created = outcomes.flatMap((o) => (o.status === 201 && o.id ? [o.id] : [])).sort();
    expect(await storedIncidentIds(dataDir, prefix)).toEqual(created);
  }

  it('Ctrl-C (SIGINT to the process group) during a burst, and again while it drains: in-flight requests finish, then PostgreSQL stops', async () => {
    const app = await start('node');
    const run = await burstThenSignal(app, 'SIGINT', 'node, Ctrl-C twice', { thenCtrlC: true });
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.logs().some((l) => l.msg?.startsWith('already shutting down'))).toBe(true);
    await expectCleanShutdown(app, run);
  }, 180_000);

  it('SIGTERM to the process group during a burst: the same clean stop', async () => {
    const app = await start('node');
    const run = await burstThenSignal(app, 'SIGTERM', 'node, SIGTERM');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    await expectCleanShutdown(app, run);
  }, 180_000);

  it('Ctrl-C during a burst with npm in between (npm start): the same clean stop', async () => {
    const app = await start('npm');
    const run = await burstThenSignal(app, 'SIGINT', 'npm, Ctrl-C');
    await expectCleanShutdown(app, run);
  }, 180_000);

  it('kill -9 of the process group: PostgreSQL stops within seconds, and the next start is clean', async () => {
    const crashed = await start('node');
    const postgres = postgresPid(dataDir);
    expect(postgres && isAlive(postgres)).toBe(true);
    process.kill(-crashed.pgid, 'SIGKILL');
    await crashed.exited;
    await waitFor(() => !isAlive(postgres ?? 0), 10_000, 'PostgreSQL outlived the killed app');

    const next = await start('node');
    expect(linesAt(next.logs(), ['warn', 'error', 'fatal'])).toEqual([]); // no stale server
    await signInAsAdmin(next);
    // An idle Ctrl-C: nothing but info lines on the way out.
    process.kill(-next.pgid, 'SIGINT');
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(next.logs().some((l) => l.msg === 'stopped')).toBe(true);
    expect(linesAt(next.logs(), ['warn', 'error', 'fatal'])).toEqual([]);
  }, 180_000);

  it('Ctrl-C during start-up (the database up, the app still starting): exits 0 quietly and stops PostgreSQL', async () => {
    const app = spawnApp({ dataDir, port: await freePort() });
    started.push(app);
    await waitFor(() => app.output().includes('embedded PostgreSQL on'), 90_000, 'PostgreSQL did not start');
    const postgres = postgresPid(dataDir);
    process.kill(-app.pgid, 'SIGINT');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.logs().some((l) => l.msg === 'stopped')).toBe(true);
    expect(linesAt(app.logs(), ['error', 'fatal'])).toEqual([]);
    expect(postgres && isAlive(postgres)).toBe(false);
  }, 120_000);

  it('a port in use stops start-up with one line saying to set PORT, and stops PostgreSQL', async () => {
    const port = await freePort();
    const occupant: Server = createServer();
    await new Promise<void>((r) => occupant.listen(port, '127.0.0.1', r));
    try {
      const app = spawnApp({ dataDir, port });
      started.push(app);
      const exit = await app.exited;
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      const output = app.output();
      expect(output).not.toMatch(/^\s+at /m); // no stack trace
      const fatal = linesAt(app.logs(), ['error', 'fatal']);
      expect(fatal).toHaveLength(1);
      expect(fatal[0]).not.toHaveProperty('err');
      expect(fatal[0]?.msg).toMatch(new RegExp(`port ${port}.*in use.*set PORT`, 'i'));
      expect(postgresPid(dataDir)).toBeUndefined();
    } finally {
      await new Promise((r) => occupant.close(r));
    }
  }, 120_000);
});
